import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./fixtures.ts";

// `trueup serve` as a person starts it: the first start loads the demo and prints a one-time admin
// password with the URL; later starts print only the URL; SIGTERM stops it cleanly.

const dataDir = mkdtemp(join(tmpdir(), "trueup-serve-"));
afterAll(async () => rm(await dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  stdout: string;
  url: string;
}

async function serve(): Promise<Started> {
  const child = spawn(process.execPath, [join(repoRoot, "bin", "trueup.js"), "serve", "--port", "0"], {
    env: { ...process.env, TRUEUP_DATA: await dataDir, DATABASE_URL: "", TRUEUP_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d) => {
      stdout += d;
      const found = /running at (http:\/\/\S+\/)/.exec(stdout);
      if (found?.[1] && stdout.endsWith("\n")) setTimeout(() => resolve(found[1] as string), 50);
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return {
    child,
    url,
    get stdout() {
      return stdout;
    },
  };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

describe("trueup serve", () => {
  it("loads the demo on first start and prints the admin's one-time password once", async () => {
    const first = await serve();
    const password = /one-time password (\S+)/.exec(first.stdout)?.[1];
    expect(password).toBeDefined();
    const login = await fetch(`${first.url}api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@trueup.local", password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    // A one-time password: the admin chooses their own before anything else.
    expect(first.stdout).toContain("must be changed at first sign-in");
    const { csrf, mustChangePassword } = await login.json();
    expect(mustChangePassword).toBe(true);
    const changed = await fetch(`${first.url}api/auth/password`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
      body: JSON.stringify({ current: password, next: "the-admin-own-password" }),
    });
    expect(changed.status).toBe(204);
    const dashboard = await (await fetch(`${first.url}api/dashboard`, { headers: { cookie } })).json();
    expect(dashboard.totals.findings).toBeGreaterThan(0);
    expect(await stop(first.child)).toBe(0);

    const second = await serve();
    expect(second.stdout).not.toMatch(/password/);
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  /** `trueup serve` started with one more variable: its exit code and what it wrote on stderr. */
  const serveWith = async (env: Record<string, string>) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "trueup.js"), "serve", "--port", "0"], {
      env: { ...process.env, TRUEUP_DATA: await dataDir, DATABASE_URL: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    return { code, stderr };
  };

  it("refuses a heap growing percent that is not a whole number from 0 to 300, and starts nothing", async () => {
    const { code, stderr } = await serveWith({ TRUEUP_HEAP_GROWING_PERCENT: "1.5" });
    expect(code).toBe(2);
    expect(stderr).toContain('TRUEUP_HEAP_GROWING_PERCENT must be a whole number from 0 to 300, not "1.5"');
  }, 60_000);

  it("refuses a worker nice value that is not a whole number from 0 to 19, and starts nothing", async () => {
    const { code, stderr } = await serveWith({ TRUEUP_WORKER_NICE: "20" });
    expect(code).toBe(2);
    expect(stderr).toContain('TRUEUP_WORKER_NICE must be a whole number from 0 to 19, not "20"');
  }, 60_000);

  it("refuses an engine keep time that is not a whole number of seconds up to a day, and starts nothing", async () => {
    const { code, stderr } = await serveWith({ TRUEUP_ENGINE_KEEP_S: "1m" });
    expect(code).toBe(2);
    expect(stderr).toContain(
      'TRUEUP_ENGINE_KEEP_S must be a whole number of seconds from 0 to 86400, not "1m"',
    );
  }, 60_000);
});
