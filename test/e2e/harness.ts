import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { repoRoot } from "../fixtures.ts";

// The end-to-end harness: the web UI built once, the real `trueup serve` as a child process over a
// fresh embedded database, and Debian's Chromium driven headless by playwright-core.

const run = promisify(execFile);

export const CHROMIUM = process.env.TRUEUP_CHROMIUM || "/usr/bin/chromium";
export const WIDTH = 1280;
export const screenshotDir = join(repoRoot, "test-output", "screenshots");
const webDir = join(repoRoot, "web");
const builtIndex = join(webDir, "dist", "index.html");

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** `npm run build:web` when web/dist/index.html is missing or older than a web source. */
export async function ensureWebBuilt(): Promise<void> {
  const built = existsSync(builtIndex) ? (await stat(builtIndex)).mtimeMs : 0;
  let sources = 0;
  for (const name of ["src", "index.html", "vite.config.ts", "tsconfig.json"]) {
    const path = join(webDir, name);
    if (existsSync(path)) sources = Math.max(sources, await newestMtime(path));
  }
  if (built > sources) return;
  await run("npm", ["run", "build:web"], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  if (!existsSync(builtIndex)) throw new Error("npm run build:web did not write web/dist/index.html");
}

export interface Server {
  /** The base URL, ending in "/". */
  url: string;
  /** The one-time password the first start printed for admin@trueup.local. */
  password: string;
  /** Everything the server wrote to stderr (its logs), for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** `node bin/trueup.js serve --port 0` over a fresh TRUEUP_DATA; resolves once it prints its URL. */
export async function startServer(): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), "trueup-e2e-"));
  const child = spawn(process.execPath, [join(repoRoot, "bin", "trueup.js"), "serve", "--port", "0"], {
    cwd: repoRoot,
    env: { ...process.env, TRUEUP_DATA: dataDir, DATABASE_URL: "", TRUEUP_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Should the worker end without afterAll (a crash), the server must not outlive it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const started = await new Promise<{ url: string; password: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${stderr}`)), 60_000);
      child.stdout?.on("data", (d) => {
        stdout += d;
        const url = /running at (http:\/\/\S+\/)/.exec(stdout)?.[1];
        const password = /one-time password (\S+)/.exec(stdout)?.[1];
        if (url && password) {
          clearTimeout(timer);
          resolve({ url, password });
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code} before printing its URL and password: ${stderr}`));
      });
    });
    return { ...started, stderr: () => stderr, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The CLI's JSON report of a workspace, as `trueup reconcile --format json` prints it. */
export async function cliReport(workspace: string): Promise<CliReport> {
  const { stdout } = await run(
    process.execPath,
    [join(repoRoot, "bin", "trueup.js"), "reconcile", "--workspace", workspace, "--format", "json"],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as CliReport;
}

export interface CliReport {
  asOf: string;
  totals: Record<string, string | number>;
  clients: { id: string; findings: { type: string; subject: string; evidence: string[] }[] }[];
}

/** Empties test-output/screenshots, so that it holds this run's screenshots only. */
export async function resetScreenshots(): Promise<void> {
  await rm(screenshotDir, { recursive: true, force: true });
  await mkdir(screenshotDir, { recursive: true });
}

/** A full-page screenshot, from the top of the page, kept in test-output/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** How far the page is wider than the viewport allows (0 when it fits in WIDTH pixels). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate((width) => Math.max(0, document.documentElement.scrollWidth - width), WIDTH);
}

/** Waits until the page shows `ready` and no loading state is left. */
export async function settled(page: Page, ready: Locator): Promise<void> {
  await ready.first().waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=loading]") === null);
}

/** The value of an attribute, failing when the element has none. */
export async function attr(locator: Locator, name: string): Promise<string> {
  const value = await locator.getAttribute(name);
  if (value === null) throw new Error(`no ${name} on ${locator}`);
  return value;
}
