import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStore, openDb } from "../src/store/index.ts";

// `trueup serve` has a new embedded database made by a child process (db.ts initialiseApart):
// PGlite's first open of an empty folder took a process to about 800 MB, and the server kept much
// of it for its whole life.

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "trueup-apart-"));
  dirs.push(d);
  return join(d, "data");
}

describe("initialiseApart", () => {
  it("makes a new folder in a child process; the database is then migrated and opens again as usual", async () => {
    const dir = await dataDir();
    const store = createStore(await openDb({ dataDir: dir, initialiseApart: true }));
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
    await store.addUser("a@example.com", "admin", { name: "test" });
    await store.close();
    const again = createStore(await openDb({ dataDir: dir, initialiseApart: true }));
    expect((await again.listUsers()).map((u) => u.email)).toEqual(["a@example.com"]);
    await again.close();
  });

  it("says which folder could not be made and why, and leaves it free for the next try", async () => {
    const dir = await dataDir();
    await mkdir(dir, { recursive: true });
    // A file where initdb makes a folder of its own.
    await writeFile(join(dir, "base"), "not a folder");
    const failed = new RegExp(`^making the database in ${dir} failed \\(exit code 1\\): ErrnoError`);
    await expect(openDb({ dataDir: dir, initialiseApart: true })).rejects.toThrow(failed);
    // Not "held by another process": the folder's lock was given back.
    await expect(openDb({ dataDir: dir, initialiseApart: true })).rejects.toThrow(failed);
  });
});
