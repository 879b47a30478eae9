import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import { basicDir, cleanup, repoRoot, tempDir, trueup, workspace } from "./fixtures.ts";
import { testDatabases, withEnv } from "./store-databases.ts";

// trueup import, export and user add, on the database the environment names (DATABASE_URL, else
// TRUEUP_DATA). Import then export then reconcile gives the report of the original workspace.

const demoDir = join(repoRoot, "examples", "demo");

afterAll(cleanup);

describe.each(testDatabases())("database commands on $name", (target) => {
  const cli = (...args: string[]) => withEnv(target.env(), () => trueup(...args));

  beforeAll(async () => {
    await (await target.open()).destroy();
  });
  afterAll(() => target.drop());

  it.each([
    [
      "examples/formats (vendor exports, a mapped source, other encodings)",
      join(repoRoot, "examples", "formats"),
    ],
    ["examples/demo", demoDir],
    ["the spec's worked example", basicDir],
  ])("import, export and reconcile of %s gives the report of the workspace itself", async (_, dir) => {
    const imported = await cli("import", "--workspace", dir);
    expect(imported.code).toBe(0);
    // Only the workspace's own warnings (examples/formats has one: its Partner Center file is
    // Microsoft's only licence source).
    for (const line of imported.stderr.split("\n").filter((l) => l !== ""))
      expect(line).toMatch(/^trueup\.yaml:\d+:\d+: warning: /);
    expect(imported.stdout).toMatch(/^Imported .*: trueup\.yaml and 7 sources \(\d+ rows\) into /);
    const out = await tempDir();
    const exported = await cli("export", "--workspace", out);
    expect(exported).toMatchObject({ code: 0, stderr: "" });
    expect(exported.stdout).toContain(`to ${out}: trueup.yaml and 7 source files`);
    const fromExport = await trueup("reconcile", "--workspace", out, "--format", "json");
    const fromWorkspace = await trueup("reconcile", "--workspace", dir, "--format", "json");
    expect(fromExport.code).toBe(0);
    expect(fromExport.stdout).toBe(fromWorkspace.stdout);
  });

  it("import of a workspace with errors lists them all, exits 2 and imports nothing", async () => {
    const dir = await workspace({
      "data/psa.csv": "account,product,quantity,unitPrice\n100,GOLD,2,abc\n100,,2,1\n",
    });
    const r = await cli("import", "--workspace", dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("data/psa.csv:2: unitPrice:");
    expect(r.stderr).toContain("data/psa.csv:3: product:");
    expect(r.stderr).toContain("the workspace has 2 errors; nothing was imported");
    // The database still holds the spec's example, imported last.
    const out = await tempDir();
    await cli("export", "--workspace", out);
    const again = await trueup("reconcile", "--workspace", out, "--format", "json");
    expect(again.stdout).toBe(
      (await trueup("reconcile", "--workspace", basicDir, "--format", "json")).stdout,
    );
  });

  it("export refuses a folder that holds something other than a workspace", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "notes.txt"), "mine\n");
    const r = await cli("export", "--workspace", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds no trueup.yaml");
    expect(await readdir(dir)).toEqual(["notes.txt"]);
  });

  it("user add prints the one-time password once, on stdout, and it signs in", async () => {
    const r = await cli("user", "add", "Ann@MSP.example", "--role", "billing");
    expect(r.code).toBe(0);
    const password = r.stdout.trim();
    expect(r.stdout).toMatch(/^[A-Za-z0-9]{16,}\n$/);
    expect(r.stderr).toContain("Created the billing account ann@msp.example");
    expect(r.stderr).not.toContain(password);
    const store = createStore(await target.open());
    try {
      expect((await store.login("ann@msp.example", password, "127.0.0.1"))?.session.user.role).toBe(
        "billing",
      );
      expect(
        (await store.audit({ limit: 5, offset: 0 })).items.map((e) => [e.action, e.actor]),
      ).toContainEqual(["user.add", "cli"]);
    } finally {
      await store.close();
    }
    const twice = await cli("user", "add", "ann@msp.example", "--role", "viewer");
    expect(twice).toMatchObject({ code: 2, stdout: "" });
    expect(twice.stderr).toContain("an account for ann@msp.example exists");
  });

  it("user add refuses an unknown role or a missing one", async () => {
    const bad = await cli("user", "add", "x@msp.example", "--role", "owner");
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toContain('--role must be admin, billing, viewer, not "owner"');
    const missing = await cli("user", "add", "x@msp.example");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--role <role>' not specified");
  });
});

describe("help of the database commands", () => {
  it.each([[["import"]], [["export"]], [["user", "add"]]])(
    "trueup %j --help shows usage and an example",
    async (command) => {
      const r = await trueup(...command, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: trueup/);
      expect(r.stdout).toContain("DATABASE_URL");
      expect(r.stdout).toMatch(/Example:\n {2}trueup /);
    },
  );
});
