import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { writeSnapshot } from "../../src/connectors/snapshot.ts";
import type { Connection } from "../../src/connectors/types.ts";
import { pullConnection } from "../../src/sync/service.ts";
import { repoRoot } from "../fixtures.ts";
import { type SyncFixture, writeFixture } from "../sync-fixture.ts";

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
export function startServer(): Promise<Server> {
  return startServerWith();
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

/** Loads `path` of the app at `base` in `on` and waits until `ready` shows and nothing is loading. */
export async function openAt(
  on: Page,
  base: string,
  path: string,
  ready: (p: Page) => Locator,
): Promise<void> {
  await on.goto(new URL(path, base).href);
  await settled(on, ready(on));
}

/** The value of an attribute, failing when the element has none. */
export async function attr(locator: Locator, name: string): Promise<string> {
  const value = await locator.getAttribute(name);
  if (value === null) throw new Error(`no ${name} on ${locator}`);
  return value;
}

// ---- A server over a workspace of its own (connections, PSA sync) ----

export interface ServeOptions {
  /** More environment for the server: a connection's secret variables, TRUEUP_SECRET_KEY. */
  env?: Record<string, string>;
  /** A workspace `trueup import`ed into the fresh database first: the first start then skips the demo. */
  workspace?: string;
}

/**
 * `trueup serve --port 0` over a fresh TRUEUP_DATA (holding `workspace` when given, with no run yet)
 * and with `env` added to the server's environment; resolves once it prints its URL.
 */
export async function startServerWith(opts: ServeOptions = {}): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), "trueup-e2e-"));
  const env = {
    ...process.env,
    TRUEUP_DATA: dataDir,
    DATABASE_URL: "",
    TRUEUP_LOG_LEVEL: "warn",
    ...opts.env,
  };
  const cli = join(repoRoot, "bin", "trueup.js");
  try {
    if (opts.workspace)
      await run(process.execPath, [cli, "import", "--workspace", opts.workspace], { cwd: repoRoot, env });
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const child = spawn(process.execPath, [cli, "serve", "--port", "0"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
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

/**
 * The sync fixture's workspace for `conn`, with the PSA pulled once into pulls/ (a billing source
 * with `connection:` needs a pull to import), and `moreConnections` (YAML, indented as entries of
 * `connections:`) added to trueup.yaml.
 */
export async function psaWorkspace(
  fixture: SyncFixture,
  conn: Connection,
  env: Record<string, string>,
  moreConnections = "",
): Promise<string> {
  const dir = await writeFixture(fixture, conn);
  const pulled = await pullConnection(conn, { env });
  await writeSnapshot(dir, conn, pulled, new Date());
  if (moreConnections) {
    const yaml = join(dir, "trueup.yaml");
    const text = await readFile(yaml, "utf8");
    await writeFile(yaml, text.replace("connections:\n", `connections:\n${moreConnections}`));
  }
  return dir;
}

/** Signs in on the sign-in form the page shows. */
export async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("account").waitFor();
}

/** A request to the API with the page's session (and its CSRF token when it changes something). */
export async function apiRequest<T>(
  page: Page,
  base: string,
  method: "GET" | "POST" | "PUT" | "PATCH",
  path: string,
  data?: unknown,
): Promise<T> {
  const url = new URL(path, base).href;
  let headers: Record<string, string> = {};
  if (method !== "GET") {
    const me = await page.request.get(new URL("/api/auth/me", base).href);
    headers = { "X-CSRF-Token": ((await me.json()) as { csrf: string }).csrf };
  }
  const res = await page.request.fetch(url, { method, headers, data });
  if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Adds an account through the API (the page is signed in as an admin); returns its one-time password. */
export async function addAccount(
  page: Page,
  base: string,
  email: string,
  role: "viewer" | "billing" | "admin",
): Promise<string> {
  const added = await apiRequest<{ password: string }>(page, base, "POST", "/api/users", { email, role });
  return added.password;
}

/** The names of the buttons on the page, but Sign out (a viewer's pages have none). */
export async function buttonsOn(page: Page): Promise<string[]> {
  const names = (await page.getByRole("button").allTextContents()).map((b) => b.trim());
  return names.filter((b) => b !== "Sign out");
}

/**
 * ensureWebBuilt under a lock (a directory in test-output), so that test files started at once
 * build the web UI once instead of emptying web/dist under each other.
 */
export async function ensureWebBuiltLocked(): Promise<void> {
  const lock = join(repoRoot, "test-output", "web-build.lock");
  await mkdir(join(repoRoot, "test-output"), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    // A lock left by a run that died: a build takes well under five minutes.
    if (since > 300_000) await rm(lock, { recursive: true, force: true });
    else if (Date.now() - started > 300_000) throw new Error(`${lock} was held for five minutes`);
    else await new Promise((r) => setTimeout(r, 250));
  }
  try {
    await ensureWebBuilt();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Screenshots of one test file, in test-output/<folder>/NAME.png: app.test.ts empties
 * test-output/screenshots when it starts, which may be after another file took its screenshots.
 * `reset` empties the folder (call it once, in beforeAll).
 */
export function screenshotsIn(folder: string): {
  reset(): Promise<void>;
  take(page: Page, name: string): Promise<void>;
} {
  const dir = join(repoRoot, "test-output", folder);
  return {
    async reset() {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    },
    async take(page, name) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    },
  };
}

/**
 * Signs in with a one-time password and, on the page that asks for it
 * first, replaces it with a password of the account's own (the one-time password is not typed again).
 */
export async function signInFirstTime(p: Page, email: string, oneTime: string): Promise<void> {
  await p.getByLabel("Email").fill(email);
  await p.getByLabel("Password").fill(oneTime);
  await p.getByRole("button", { name: "Sign in" }).click();
  // The one-time password just typed is not asked for again.
  await p.getByLabel("New password", { exact: true }).fill(`${oneTime}-own`);
  await p.getByLabel("Repeat the new password").fill(`${oneTime}-own`);
  await p.getByRole("button", { name: "Choose password" }).click();
  await p.getByTestId("account").waitFor();
}
