import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStore, openDb } from "../src/store/index.ts";
import { LOCK_FILE } from "../src/store/lock.ts";
import { repoRoot } from "./fixtures.ts";
import { serve, trueupBinary } from "./ops-harness.ts";

// The embedded database belongs to one process: while `trueup serve` holds the data folder, a
// command that would open it is refused with a message naming the server, exits 2, and writes
// nothing (before, `user add` printed a password for an account that was then lost).

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "trueup-lock-"));
  dirs.push(d);
  return d;
}

async function users(dir: string): Promise<string[]> {
  const store = createStore(await openDb({ dataDir: dir }));
  try {
    return (await store.listUsers()).map((u) => u.email);
  } finally {
    await store.close();
  }
}

/** The pid of a process that has ended. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", ""]);
    child.on("exit", () => resolve(child.pid as number));
  });
}

describe("the data-folder lock", () => {
  it("refuses every command that opens the folder while a server holds it, and writes nothing", async () => {
    const dir = await dataDir();
    const env = { TRUEUP_DATA: dir };
    // An account first, so that the server starts without loading the demo.
    expect((await trueupBinary(["user", "add", "first@msp.example", "--role", "admin"], env)).code).toBe(0);
    const server = await serve(env, ["--no-schedule"]);
    try {
      const holder = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8"));
      expect(holder).toMatchObject({ pid: server.child.pid, host: hostname(), command: "trueup serve" });
      const attempts = [
        ["user", "add", "lost@msp.example", "--role", "viewer"],
        ["import", "--workspace", join(repoRoot, "examples", "demo")],
        ["backup", "--out", join(dir, "..", `${dir.split("/").pop()}.tar.gz`)],
        ["secrets", "rotate"],
      ];
      for (const args of attempts) {
        const r = await trueupBinary(args, { ...env, TRUEUP_SECRET_KEY: "k".repeat(64) });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`is in use by another process (trueup serve, pid ${server.child.pid}`);
        expect(r.stderr).toContain("nothing was done");
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(await users(dir)).toEqual(["first@msp.example"]);
    // With the server stopped, the same command works.
    const later = await trueupBinary(["user", "add", "lost@msp.example", "--role", "viewer"], env);
    expect(later.code).toBe(0);
    expect((await users(dir)).sort()).toEqual(["first@msp.example", "lost@msp.example"]);
  }, 180_000);

  it("takes over a lock whose process is gone", async () => {
    const dir = await dataDir();
    const env = { TRUEUP_DATA: dir };
    expect((await trueupBinary(["user", "add", "a@msp.example", "--role", "admin"], env)).code).toBe(0);
    const pid = await deadPid();
    const stale = { pid, host: hostname(), command: "trueup serve", since: "2026-11-01T00:00:00.000Z" };
    await writeFile(join(dir, LOCK_FILE), `${JSON.stringify(stale)}\n`);
    const r = await trueupBinary(["user", "add", "b@msp.example", "--role", "viewer"], env);
    expect(r.stderr).not.toContain("in use");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect((await users(dir)).sort()).toEqual(["a@msp.example", "b@msp.example"]);
  }, 120_000);

  it("refuses a lock held by a live process, even one that is not a server", async () => {
    const dir = await dataDir();
    await writeFile(
      join(dir, LOCK_FILE),
      `${JSON.stringify({ pid: process.pid, host: hostname(), command: "trueup pull", since: "2026-11-01T00:00:00.000Z" })}\n`,
    );
    const r = await trueupBinary(["user", "add", "c@msp.example", "--role", "viewer"], { TRUEUP_DATA: dir });
    // This test process runs node and is alive: the child must not take its lock.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`(trueup pull, pid ${process.pid}`);
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(false);
  }, 60_000);
});
