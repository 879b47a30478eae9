import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.ts";
import { StoreError } from "../src/store/errors.ts";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { BASE_YAML, cleanup, repoRoot, tempDir, workspace, yamlWith } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// Imports: a whole workspace, or one uploaded file for a source. Everything is checked by the
// workspace loader before anything is written, and written all at once.

const ACTOR = { name: "bill@msp.example" };
const demoDir = join(repoRoot, "examples", "demo");
const demoFile = (name: string) => readFile(join(demoDir, name), "utf8");
const PSA_HEADER = "account,agreement,product,description,quantity,unitPrice";

afterAll(cleanup);

describe.each(testDatabases())("imports on $name", (target) => {
  let db: Db;
  let store: Store;

  /** Rows of every table an import writes, to show that nothing was. */
  const footprint = async () => {
    const count = async (
      table: "sources" | "imports" | "import_chunks" | "catalogue" | "audit_log" | "settings",
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      sources: await count("sources"),
      imports: await count("imports"),
      rows: await count("import_chunks"),
      catalogue: await count("catalogue"),
      audit: await count("audit_log"),
      settings: await count("settings"),
      yaml: await store.configYaml(),
    };
  };
  const sourceId = async (kind: string, file?: string) => {
    const s = (await store.listSources()).find(
      (s) => s.kind === kind && (file === undefined || s.file === file),
    );
    if (!s) throw new Error(`no ${kind} source`);
    return s.id;
  };

  beforeAll(async () => {
    db = await target.open();
    store = createStore(db, testClock());
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("importWorkspace stores trueup.yaml and a dated snapshot of every source", async () => {
    expect(await store.importWorkspace(demoDir, ACTOR)).toEqual({ issues: [], imports: 7, rows: 720 });
    expect(await store.configYaml()).toBe(await demoFile("trueup.yaml"));
    const sources = await store.listSources();
    expect(sources).toHaveLength(7);
    for (const s of sources) {
      expect(s.lastImport).toMatchObject({
        sourceId: s.id,
        fileName: s.file,
        format: s.format,
        importedBy: ACTOR.name,
      });
      expect(s.lastImport?.importedAt).toBe("2026-11-01T09:00:00.000Z");
    }
    expect(sources.find((s) => s.kind === "billing")?.lastImport?.rowCount).toBe(25);
    const audit = await store.audit({ limit: 1, offset: 0 });
    expect(audit.items[0]).toMatchObject({ action: "workspace.import", details: { rows: 720 } });
  });

  it("keeps the header and each record's fields with the line it starts on", async () => {
    const imp = await db
      .selectFrom("imports")
      .selectAll()
      .where("file_name", "=", "data/psa.csv")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(imp.header).toEqual(PSA_HEADER.split(","));
    const chunks = await db
      .selectFrom("import_chunks")
      .selectAll()
      .where("import_id", "=", imp.id)
      .orderBy("first_line")
      .execute();
    const rows = chunks
      .flatMap((c) => JSON.parse(c.records) as [number, string[]][])
      .map(([line, fields]) => ({
        line,
        fields,
      }));
    const records = parse(await demoFile("data/psa.csv")) as string[][];
    expect(rows.map((r) => r.fields)).toEqual(records.slice(1));
    expect(rows.map((r) => r.line)).toEqual(records.slice(1).map((_, i) => i + 2));
  });

  it("lists imports newest first, a page at a time", async () => {
    const page = await store.listImports({ limit: 3, offset: 2 });
    expect(page.total).toBe(7);
    expect(page.items.map((i) => i.fileName)).toEqual([
      "data/pax8.csv",
      "data/backup.csv",
      "data/sentinelone.csv",
    ]);
    expect(page).toMatchObject({ limit: 3, offset: 2 });
  });

  it("a workspace with an error in any file writes nothing, and every error names file and line", async () => {
    const before = await footprint();
    const dir = await workspace({
      "data/psa.csv": "account,product,quantity,unitPrice\n100,GOLD,2,100.00\n100,GOLD,two,100.00\n",
      "data/edr.csv": "account,hostname,serial,lastSeen\nAcme,PC1,S1,yesterday\n",
    });
    const { issues, imports, rows } = await store.importWorkspace(dir, ACTOR);
    expect({ imports, rows }).toEqual({ imports: 0, rows: 0 });
    expect(issues.map((i) => [i.file, i.line, i.field])).toEqual([
      ["data/edr.csv", 2, "lastSeen"],
      ["data/psa.csv", 3, "quantity"],
    ]);
    expect(await footprint()).toEqual(before);
  });

  it("a workspace file holding a NUL character (UTF-16, where the decoder lets it through) writes nothing, and the record's line is named", async () => {
    const before = await footprint();
    const text =
      "account,hostname,serial,type,lastSeen,primaryUser\nACME,PC1,S1,workstation,2026-10-30,ann@acme.com\nACME,PC2,S\u00002,laptop,2026-10-31,bob@acme.com\n";
    const dir = await workspace({
      "data/devices.csv": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    });
    const { issues, imports } = await store.importWorkspace(dir, ACTOR);
    expect(imports).toBe(0);
    expect(issues).toEqual([
      expect.objectContaining({ file: "data/devices.csv", line: 3, message: expect.stringMatching(/NUL/) }),
    ]);
    expect(await footprint()).toEqual(before);
  });

  it("a failure while writing leaves nothing half-written", async () => {
    const before = await footprint();
    // The third chunk written fails: the configuration and two sources' records are written by then.
    await sql`create sequence trueup_test_chunks`.execute(db);
    await sql`create function trueup_test_fail() returns trigger language plpgsql as $$
      begin
        if nextval('trueup_test_chunks') = 3 then raise exception 'disk full (test)'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger trueup_test_fail before insert on import_chunks for each row
      execute function trueup_test_fail()`.execute(db);
    try {
      await expect(store.importWorkspace(await workspace(), ACTOR)).rejects.toThrow(/disk full/);
    } finally {
      await sql`drop trigger trueup_test_fail on import_chunks`.execute(db);
      await sql`drop function trueup_test_fail()`.execute(db);
      await sql`drop sequence trueup_test_chunks`.execute(db);
    }
    expect(await footprint()).toEqual(before);
  });

  it("previewImport shows the header, the first rows and the count, and stores nothing", async () => {
    const before = await footprint();
    const lines = [PSA_HEADER, ...Array.from({ length: 30 }, (_, i) => `10231,A,GOLD-U,Gold,${i},165.00`)];
    const preview = await store.previewImport(
      await sourceId("billing"),
      "psa-dec.csv",
      Buffer.from(lines.join("\n")),
    );
    expect(preview.issues).toEqual([]);
    expect(preview.header).toEqual(PSA_HEADER.split(","));
    expect(preview.rowCount).toBe(30);
    expect(preview.rows).toHaveLength(20);
    expect(preview.rows[0]).toEqual(["10231", "A", "GOLD-U", "Gold", "0", "165.00"]);
    expect(await footprint()).toEqual(before);
  });

  it("previewImport hands an upload's own memory to the reader thread, and copies a shared one", async () => {
    const lines = [PSA_HEADER, ...Array.from({ length: 3000 }, (_, i) => `10231,A,GOLD-U,Gold,${i},165.00`)];
    // As an uploaded body is: a buffer of its own (Buffer.concat of the chunks received).
    const own = Buffer.concat([Buffer.from(`${lines.join("\n")}\n`)]);
    expect(own.byteLength).toBe(own.buffer.byteLength);
    const preview = await store.previewImport(await sourceId("billing"), "psa-dec.csv", own);
    expect(preview.issues).toEqual([]);
    expect(preview.rowCount).toBe(3000);
    expect(own.byteLength).toBe(0); // moved, not copied
    // A small buffer is a slice of Node's pool, shared with others: copied, left as it was.
    const small = Buffer.from(`${PSA_HEADER}\n10231,A,GOLD-U,Gold,1,165.00\n`);
    expect(small.byteLength).toBeLessThan(small.buffer.byteLength);
    const length = small.byteLength;
    expect((await store.previewImport(await sourceId("billing"), "psa-dec.csv", small)).rowCount).toBe(1);
    expect(small.byteLength).toBe(length);
  });

  it("previewImport reports every error of the file with its line, as the loader does", async () => {
    const content = [
      "account,product,quantity,unitPrice",
      "10231,GOLD-U,20,165.00",
      "10231,GOLD-U,-1,165.00",
      "10231,,2,abc",
      "10231,GOLD-U,2",
    ].join("\r\n");
    const preview = await store.previewImport(await sourceId("billing"), "psa-dec.csv", Buffer.from(content));
    expect(preview.issues.map((i) => [i.file, i.line, i.field])).toEqual([
      ["psa-dec.csv", 3, "quantity"],
      ["psa-dec.csv", 4, "product"],
      ["psa-dec.csv", 4, "unitPrice"],
      ["psa-dec.csv", 5, ""],
    ]);
    expect(preview.rowCount).toBe(4);
    const missing = await store.previewImport(
      await sourceId("billing"),
      "x.csv",
      Buffer.from("account,qty\n1,2\n"),
    );
    expect(missing.issues.map((i) => [i.line, i.field])).toEqual([
      [1, "product"],
      [1, "quantity"],
      [1, "unitPrice"],
    ]);
    expect(missing.rowCount).toBe(1);
  });

  it("previewImport refuses a file that mixes encodings, or empty", async () => {
    const billing = await sourceId("billing");
    const latin1 = Buffer.concat([
      Buffer.from(`${PSA_HEADER}\n10231,Café`),
      Buffer.from([0xe9]),
      Buffer.from(",X,Y,1,1\n"),
    ]);
    expect((await store.previewImport(billing, "a.csv", latin1)).issues).toEqual([
      expect.objectContaining({ file: "a.csv", line: 2, message: expect.stringContaining("not UTF-8") }),
    ]);
    const utf16 = Buffer.from(`\ufeff${PSA_HEADER}\n`, "utf16le");
    // Excel's "Unicode text" (UTF-16 with a BOM) is read, as the workspace loader reads it.
    expect((await store.previewImport(billing, "b.csv", utf16)).issues).toEqual([]);
    expect((await store.previewImport(billing, "c.csv", Buffer.from(""))).issues[0]?.message).toMatch(
      /empty/,
    );
    const quote = Buffer.from(`${PSA_HEADER}\n10231,"A,GOLD-U,x,1,1\n10231,A,GOLD-U,x,1,1\n`);
    expect((await store.previewImport(billing, "d.csv", quote)).issues[0]).toMatchObject({ line: 2 });
  });

  it("importFile refuses a file with any error and stores nothing", async () => {
    const before = await footprint();
    const content = Buffer.from(
      `${PSA_HEADER}\n10231,A,GOLD-U,Gold,20,165.00\n10231,A,GOLD-U,Gold,x,165.00\n`,
    );
    const result = await store.importFile(await sourceId("billing"), "psa-dec.csv", content, ACTOR);
    expect(result.import).toBeUndefined();
    expect(result.issues).toEqual([
      expect.objectContaining({ file: "psa-dec.csv", line: 3, field: "quantity" }),
    ]);
    expect(await footprint()).toEqual(before);
  });

  it("importFile stores a clean file as the source's new snapshot", async () => {
    const billing = await sourceId("billing");
    const content = Buffer.from(`${PSA_HEADER}\n10231,A,GOLD-U,Gold,21,165.00\n`);
    const { import: imp, issues } = await store.importFile(billing, "psa-dec.csv", content, ACTOR);
    expect(issues).toEqual([]);
    expect(imp).toMatchObject({
      sourceId: billing,
      fileName: "psa-dec.csv",
      format: "trueup-billing",
      rowCount: 1,
    });
    const source = (await store.listSources()).find((s) => s.id === billing);
    expect(source?.lastImport).toEqual(imp);
    expect(source?.file).toBe("data/psa.csv");
    expect((await store.listImports({ limit: 1, offset: 0 })).items[0]).toEqual(imp);
    const audit = (await store.audit({ limit: 1, offset: 0 })).items[0];
    expect(audit).toMatchObject({
      action: "import.create",
      entity: `import:${imp?.id}`,
      details: { rows: 1 },
    });
  });

  it("a record holding a NUL character is refused with its line", async () => {
    const content = Buffer.from(`${PSA_HEADER}\n10231,A\u0000,GOLD-U,Gold,21,165.00\n`);
    const { issues } = await store.importFile(await sourceId("billing"), "nul.csv", content, ACTOR);
    expect(issues).toEqual([
      expect.objectContaining({ file: "nul.csv", line: 2, message: expect.stringMatching(/NUL/) }),
    ]);
  });

  it("an unknown source is not found", async () => {
    await expect(store.previewImport(9999, "x.csv", Buffer.from("a\n"))).rejects.toThrow(StoreError);
    await expect(store.importFile(9999, "x.csv", Buffer.from("a\n"), ACTOR)).rejects.toMatchObject({
      code: "not_found",
      statusCode: 404,
    });
  });

  it("exportWorkspace writes trueup.yaml and the latest snapshot of each source, line for line", async () => {
    const out = await tempDir();
    await store.exportWorkspace(out);
    expect(await readFile(join(out, "trueup.yaml"), "utf8")).toBe(await demoFile("trueup.yaml"));
    for (const file of ["data/users.csv", "data/devices.csv", "data/pax8.csv", "data/sentinelone.csv"]) {
      expect(await readFile(join(out, file), "utf8")).toBe(await demoFile(file));
    }
    // The billing source's latest snapshot is the uploaded file, written at the source's file.
    expect(await readFile(join(out, "data/psa.csv"), "utf8")).toBe(
      `${PSA_HEADER}\n10231,A,GOLD-U,Gold,21,165.00\n`,
    );
  });

  it("a file separated by semicolons with decimal commas reconciles and exports as it was read", async () => {
    const billing = await sourceId("billing");
    const dot = `${PSA_HEADER}\n10231,A,GOLD-U,Gold,21,1234.50\n`;
    const eu = `\ufeff${PSA_HEADER.replaceAll(",", ";")}\r\n10231;A;GOLD-U;Gold;21,0;1.234,50\r\n`;
    expect((await store.importFile(billing, "psa.csv", Buffer.from(dot), ACTOR)).issues).toEqual([]);
    const plain = await store.reconcile({ today: "2026-11-20" }, ACTOR);
    expect((await store.importFile(billing, "psa-eu.csv", Buffer.from(eu), ACTOR)).issues).toEqual([]);
    // Read back from the database, the amounts are still read with the file's own separator.
    const comma = await store.reconcile({ today: "2026-11-20" }, ACTOR);
    expect(comma.totals).toEqual(plain.totals);
    const out = await tempDir();
    await store.exportWorkspace(out);
    expect(await readFile(join(out, "data/psa.csv"), "utf8")).toBe(
      `${PSA_HEADER.replaceAll(",", ";")}\n10231;A;GOLD-U;Gold;21,0;1.234,50\n`,
    );
    // Put back the snapshot the tests after this one expect.
    const before = `${PSA_HEADER}\n10231,A,GOLD-U,Gold,21,165.00\n`;
    expect((await store.importFile(billing, "psa-dec.csv", Buffer.from(before), ACTOR)).issues).toEqual([]);
  });

  it("writes quoted values and keeps blank lines so that every record stays on its line", async () => {
    const users =
      'account,upn,displayName,enabled,licences\n\nacme,ann@acme.com,"Ann ""A"", Jr",true,BP\n' +
      'acme,bob@acme.com,"Bob\nSecond line",true,BP\n\n\nacme,cy@acme.com,Cy,yes,BP\n';
    const dir = await workspace({ "data/users.csv": users });
    expect((await store.importWorkspace(dir, ACTOR)).issues).toEqual([]);
    const out = await tempDir();
    await store.exportWorkspace(out);
    const written = await readFile(join(out, "data/users.csv"), "utf8");
    expect(written).toBe(users);
    expect(await readFile(join(out, "trueup.yaml"), "utf8")).toBe(BASE_YAML);
  });

  it("checks a users file against the other users sources' latest imports", async () => {
    const yaml = yamlWith(
      "sources:\n",
      "sources:\n  - { kind: users, format: trueup-users, file: data/guests.csv, client: acme }\n",
    );
    const dir = await workspace({
      "trueup.yaml": yaml,
      "data/guests.csv": "upn,enabled,licences\ncy@acme.com,true,BP\n",
    });
    expect((await store.importWorkspace(dir, ACTOR)).issues).toEqual([]);
    const guests = await sourceId("users", "data/guests.csv");
    const upload = Buffer.from("upn,enabled,licences\ndee@acme.com,true,BP\nANN@acme.com,true,BP\n");
    const { issues, import: imp } = await store.importFile(guests, "guests-dec.csv", upload, ACTOR);
    expect(imp).toBeUndefined();
    expect(issues).toEqual([
      expect.objectContaining({
        file: "guests-dec.csv",
        line: 3,
        field: "upn",
        message: expect.stringContaining("first at data/users.csv:2"),
      }),
    ]);
  });

  it("a source with no import gets no file; a file outside the folder is refused", async () => {
    const yaml = yamlWith("file: data/psa.csv", "file: data/psa-new.csv");
    expect(
      (await store.saveConfigYaml(`${yaml}  - { kind: licences, file: data/new.csv, vendor: pax8 }\n`, ACTOR))
        .issues,
    ).toEqual([]);
    const out = await tempDir();
    await store.exportWorkspace(out);
    expect(existsSync(join(out, "data/psa-new.csv"))).toBe(true);
    expect(existsSync(join(out, "data/new.csv"))).toBe(false);
    expect(
      (await store.saveConfigYaml(yamlWith("file: data/psa.csv", "file: ../psa.csv"), ACTOR)).issues,
    ).toEqual([]);
    await expect(store.exportWorkspace(await tempDir())).rejects.toMatchObject({ code: "invalid" });
  });
});
