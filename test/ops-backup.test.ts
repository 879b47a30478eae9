import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type ImportRow, storedRecords } from "../src/store/import-rows.ts";
import { createStore, openDb } from "../src/store/index.ts";
import { MIGRATION_NAMES, MIGRATIONS, migrate, migrationState } from "../src/store/migrations.ts";
import { PGlitePool } from "../src/store/pglite-pool.ts";
import type { Schema } from "../src/store/schema.ts";
import { repoRoot } from "./fixtures.ts";
import { trueupBinary } from "./ops-harness.ts";
import { withEnv } from "./store-databases.ts";

// Upgrades and backups of the embedded database, through the real binary. The fixture is a database
// made by the migrations of release f8816b0, with data (test/fixtures/upgrade/make.ts made it):
// `trueup restore` loads it and brings it up to this version with its data intact; `trueup backup`
// then `trueup restore` gives a database with the same report; a database that a newer version has
// migrated is refused with a message.

const FIXTURE = join(repoRoot, "test", "fixtures", "upgrade", "f8816b0.tar.gz");
const FIXTURE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const TODAY = "2026-11-01";

let root: string;
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function folder(name: string): Promise<string> {
  root ??= await mkdtemp(join(tmpdir(), "trueup-backup-"));
  return join(root, name);
}

async function withStore<T>(
  dir: string,
  f: (store: ReturnType<typeof createStore>) => Promise<T>,
): Promise<T> {
  const store = createStore(await openDb({ dataDir: dir }));
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/** A new run's report without what differs between two runs of the same data (its id, its time). */
async function freshReport(dir: string): Promise<unknown> {
  return withStore(dir, async (store) => {
    const run = await store.reconcile({ today: TODAY }, { name: "test" });
    return JSON.parse(JSON.stringify(await store.runReport(run.id)).replaceAll(run.createdAt, "<at>"));
  });
}

/** A new embedded database migrated up to the migration whose name starts `name`, not included. */
async function migratedBefore(name: string): Promise<Kysely<unknown>> {
  const lite = await PGlite.create();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) as never }) });
  const before = Object.fromEntries(
    Object.entries(MIGRATIONS).filter(([n]) => n < name),
  ) as typeof MIGRATIONS;
  await migrate(db, before);
  return db;
}

describe("upgrades, backups and restores of the embedded database", () => {
  it("upgrades a database of the previous release with its data intact", async () => {
    const dir = await folder("upgraded");
    const r = await trueupBinary(["restore", FIXTURE], { TRUEUP_DATA: dir });
    expect(r.stderr).toBe("");
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain(`Restored ${FIXTURE} into the embedded database in ${dir}`);
    await withEnv({ TRUEUP_SECRET_KEY: FIXTURE_KEY }, () =>
      withStore(dir, async (store) => {
        const run = await store.latestRun();
        expect(run?.id).toBe(1);
        const findings = await store.listFindings({ runId: 1, limit: 500, offset: 0 });
        expect(findings.total).toBeGreaterThan(0);
        expect(findings.items.filter((f) => f.status === "dismissed").map((f) => f.reason)).toEqual([
          "checked with the client",
        ]);
        expect((await store.listUsers()).map((u) => u.email)).toEqual(["ann@msp.example"]);
        // Stored before secrets were bound to their connection's address: kept, never used until an
        // admin enters it again (docs/security.md).
        expect(await store.secretNames("psa")).toEqual([{ name: "privateKey", usable: false }]);
        expect(await store.storedSecrets("psa")).toEqual({});
        expect((await store.listSources()).every((s) => s.lastImport !== undefined)).toBe(true);
      }),
    );
    const db = await openDb({ dataDir: dir });
    try {
      expect(await migrationState(db as never)).toEqual({
        applied: MIGRATION_NAMES,
        pending: [],
        unknown: [],
      });
    } finally {
      await db.destroy();
    }
  }, 180_000);

  it("backs up and restores a database to the same report, keeping the folder it replaces", async () => {
    const from = await folder("upgraded");
    const file = join(await folder(""), "backup.tar.gz");
    const backup = await trueupBinary(["backup", "--out", file], { TRUEUP_DATA: from });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      /^Backed up the embedded database in .* to .*backup\.tar\.gz \(\d+\.\d MB\)\n$/,
    );
    const again = await trueupBinary(["backup", "--out", file], { TRUEUP_DATA: from });
    expect(again).toMatchObject({ code: 2, stdout: "" });
    expect(again.stderr).toContain("exists; choose a new file name");

    const to = await folder("restored");
    expect((await trueupBinary(["restore", file], { TRUEUP_DATA: to })).code).toBe(0);
    const stored = async (dir: string) =>
      withStore(dir, async (s) => s.runReport((await s.latestRun())?.id ?? 0));
    expect(await stored(to)).toEqual(await stored(from));
    expect(await freshReport(to)).toEqual(await freshReport(from));

    // A folder holding a database is replaced only with --force, and kept beside it.
    const refused = await trueupBinary(["restore", file], { TRUEUP_DATA: to });
    expect(refused).toMatchObject({ code: 2, stdout: "" });
    expect(refused.stderr).toContain("holds a database already; add --force");
    const forced = await trueupBinary(["restore", file, "--force"], { TRUEUP_DATA: to });
    expect(forced.code).toBe(0);
    const kept = /kept in (\S+)/.exec(forced.stderr)?.[1] ?? "";
    expect(existsSync(join(kept, "PG_VERSION"))).toBe(true);
    expect((await readdir(root)).filter((n) => n.includes(".restoring-"))).toEqual([]);

    const junk = join(root, "not-a-backup.tar.gz");
    await writeFile(junk, "hello");
    const bad = await trueupBinary(["restore", junk], { TRUEUP_DATA: await folder("junk") });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not a backup of Trueup's embedded database");
    expect(existsSync(join(await folder("junk"), "PG_VERSION"))).toBe(false);
  }, 300_000);

  it("refuses to start against a database migrated by a newer version, and changes nothing", async () => {
    const dir = await folder("upgraded");
    const lite = await PGlite.create(dir);
    await lite.query("insert into kysely_migration (name, timestamp) values ('9999_from_the_future', 'x')");
    await lite.close();
    for (const args of [
      ["serve", "--port", "0"],
      ["user", "add", "z@msp.example", "--role", "viewer"],
    ]) {
      const r = await trueupBinary(args, { TRUEUP_DATA: dir });
      expect(r.code, args[0]).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(
        "the database was upgraded by a newer version of Trueup (migration 9999_from_the_future unknown to this one)",
      );
    }
    const after = await PGlite.create(dir);
    expect((await after.query("select email from users")).rows).toEqual([{ email: "ann@msp.example" }]);
    await after.close();
  }, 120_000);

  it("tells an operator on PostgreSQL to use pg_dump", async () => {
    const r = await trueupBinary(["backup", "--out", join(root, "pg.tar.gz")], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
    });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("pg_dump");
  }, 60_000);

  it("moves the records of a database's imports into chunks unchanged (migration 0010)", async () => {
    const db = await migratedBefore("0010");
    try {
      await sql`insert into sources (id, position, spec) values (1, 0, '{}')`.execute(db);
      // 12,001 records (three chunks), with a gap in the lines, quotes, separators, line breaks and
      // characters beyond ASCII in their fields.
      const records = Array.from({ length: 12_001 }, (_, i) => ({
        line: i < 6000 ? i + 2 : i + 5,
        fields: [`D-${i}`, i % 7 === 0 ? 'say "hi", then\nleave' : "Zoë ÅÄÖ ☃", ""],
      }));
      await sql`insert into imports (id, source_id, file_name, format, header, row_count, imported_by, imported_at)
        values (1, 1, 'data/rmm.csv', 'generic', '["name","note","empty"]', ${records.length}, 'test', now())`.execute(
        db,
      );
      for (let i = 0; i < records.length; i += 1000)
        await sql`insert into import_rows (import_id, line, fields)
          select 1, (e->>0)::int, e->1 from jsonb_array_elements(${JSON.stringify(
            records.slice(i, i + 1000).map((r) => [r.line, r.fields]),
          )}::jsonb) as e`.execute(db);
      await migrate(db);
      const typed = db as unknown as Kysely<Schema>;
      const imp = (await typed.selectFrom("imports").selectAll().executeTakeFirstOrThrow()) as ImportRow;
      const read = [];
      for await (const r of storedRecords(typed, imp)) read.push(r);
      expect(read[0]).toEqual({ fields: ["name", "note", "empty"], line: 1, delimiter: "," });
      expect(read.slice(1)).toEqual(records);
      const chunks = await typed
        .selectFrom("import_chunks")
        .select("first_line")
        .orderBy("first_line")
        .execute();
      expect(chunks.map((c) => c.first_line)).toEqual([2, 5002, 10005]);
      const left = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
        where table_name = 'import_rows'`.execute(db);
      expect(left.rows[0]?.n).toBe(0);
    } finally {
      await db.destroy();
    }
  }, 60_000);

  it("keeps each run's report as JSON text, the reports stored as jsonb unchanged (migration 0011)", async () => {
    const db = await migratedBefore("0011");
    try {
      const report = {
        version: 2,
        asOf: "2026-11-01",
        totals: { monthlyImpact: "-1234.50", clients: 2 },
        clients: [
          {
            id: "zoë",
            name: 'Zoë "ÅÄÖ" ☃, Ltd\nline two',
            findings: [{ type: "UNCOVERED", evidence: ["a", "b"] }],
          },
          { id: "b", name: "B", findings: [], nested: { z: null, a: [1.5, 0, -2] } },
        ],
      };
      await sql`insert into runs (as_of, created_by, imports, totals, report)
        values ('2026-11-01', 'test', '[1]', '{}', ${JSON.stringify(report)}::jsonb)`.execute(db);
      await migrate(db);
      const typed = db as unknown as Kysely<Schema>;
      const row = await typed.selectFrom("runs").select("report").executeTakeFirstOrThrow();
      expect(typeof row.report).toBe("string");
      expect(JSON.parse(row.report)).toEqual(report);
      const column = await sql<{ data_type: string }>`select data_type from information_schema.columns
        where table_name = 'runs' and column_name = 'report'`.execute(db);
      expect(column.rows[0]?.data_type).toBe("text");
    } finally {
      await db.destroy();
    }
  }, 60_000);

  it("opens the embedded database with 16 MB of shared buffers, not PostgreSQL's 128 MB", async () => {
    const db = await openDb({ dataDir: await folder("settings") });
    try {
      const shown = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db);
      expect(shown.rows[0]?.shared_buffers).toBe("16MB");
    } finally {
      await db.destroy();
    }
  }, 60_000);

  it("runs each migration in its own transaction: a failing one leaves no trace, those before it stay", async () => {
    const lite = await PGlite.create();
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) as never }) });
    try {
      const migrations = {
        "0001_a": { up: async (k: Kysely<unknown>) => void (await sql`create table a (x int)`.execute(k)) },
        "0002_b": {
          async up(k: Kysely<unknown>) {
            await sql`create table b (x int)`.execute(k);
            throw new Error("half-way");
          },
        },
      };
      await expect(migrate(db, migrations)).rejects.toThrow("database migration 0002_b failed");
      const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables
        where table_name in ('a', 'b')`.execute(db);
      expect(tables.rows.map((r) => r.t)).toEqual(["a"]);
      expect((await migrationState(db, Object.keys(migrations))).applied).toEqual(["0001_a"]);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
