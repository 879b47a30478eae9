import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import type { SourceView, Store } from "../src/store/store.ts";
import { repoRoot } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// Saving the catalogue keeps each source's imports unless the source really changed
// (docs/security.md "Catalogue saves"): identical text, reordered sources, an edited vendor keep
// them; a new format starts the source afresh, and a check before the save names it.

const ACTOR = { name: "ann@msp.example" };
const demoDir = join(repoRoot, "examples", "demo");
const demoYaml = await readFile(join(demoDir, "trueup.yaml"), "utf8");
const LINES = {
  devices: "  - { kind: devices,     format: trueup-devices,     file: data/devices.csv }",
  pax8: "  - { kind: licences,    format: trueup-licences,    file: data/pax8.csv,        vendor: pax8 }",
  users: "  - { kind: users,       format: trueup-users,       file: data/users.csv }",
};
for (const line of Object.values(LINES))
  if (!demoYaml.includes(line)) throw new Error(`not in demo: ${line}`);

const byFile = (sources: SourceView[]) =>
  Object.fromEntries(sources.map((s) => [s.file, { id: s.id, imported: s.lastImport?.id }]));

describe.each(testDatabases())("catalogue saves on $name", (target) => {
  let store: Store;
  let before: ReturnType<typeof byFile>;
  let findings: number;

  beforeAll(async () => {
    store = createStore(await target.open(), testClock());
    const loaded = await store.importWorkspace(demoDir, ACTOR);
    if (loaded.issues.some((i) => i.severity === "error")) throw new Error("the demo did not load");
    findings = Number((await store.reconcile({ today: "2026-11-01" }, ACTOR)).totals.findings);
    before = byFile(await store.listSources());
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("saving the same text keeps every source, its imports and the report", async () => {
    const text = await store.configYaml();
    expect((await store.checkConfigYaml(text)).detached).toEqual([]);
    expect((await store.saveConfigYaml(text, ACTOR)).issues.filter((i) => i.severity === "error")).toEqual(
      [],
    );
    expect(byFile(await store.listSources())).toEqual(before);
    const run = await store.reconcile({ today: "2026-11-01" }, ACTOR);
    expect(Number(run.totals.findings)).toBe(findings);
    expect(findings).toBeGreaterThan(0);
  });

  it("moving sources, adding one first and editing a source's columns keep the others' ids and imports", async () => {
    const edited = demoYaml
      .replace(`${LINES.users}\n`, "")
      .replace(LINES.devices, `${LINES.devices}\n${LINES.users}`)
      .replace(
        LINES.pax8,
        LINES.pax8.replace("vendor: pax8 }", "vendor: pax8, columns: { quantity: quantity } }"),
      )
      .replace(
        "sources:\n",
        "sources:\n  - { kind: licences, format: trueup-licences, file: data/extra.csv, vendor: pax8 }\n",
      );
    const check = await store.checkConfigYaml(edited);
    expect(check.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(check.detached).toEqual([]);
    await store.saveConfigYaml(edited, ACTOR);
    const after = byFile(await store.listSources());
    for (const [file, was] of Object.entries(before)) expect([file, after[file]]).toEqual([file, was]);
    expect(after["data/extra.csv"]?.imported).toBeUndefined();
    await store.saveConfigYaml(demoYaml, ACTOR);
    expect(byFile(await store.listSources())).toEqual(before);
  });

  it("a new format starts the source afresh, and the check names it first", async () => {
    const edited = demoYaml.replace(
      LINES.devices,
      LINES.devices.replace("trueup-devices", "ninjaone-devices"),
    );
    const check = await store.checkConfigYaml(edited);
    expect(check.detached).toEqual([
      expect.objectContaining({
        id: before["data/devices.csv"]?.id,
        kind: "devices",
        file: "data/devices.csv",
      }),
    ]);
    expect(check.detached[0]?.lastImport?.id).toBe(before["data/devices.csv"]?.imported);
    // The check stored nothing.
    expect(byFile(await store.listSources())).toEqual(before);
    await store.saveConfigYaml(edited, ACTOR);
    const after = byFile(await store.listSources());
    expect(after["data/devices.csv"]?.id).not.toBe(before["data/devices.csv"]?.id);
    expect(after["data/devices.csv"]?.imported).toBeUndefined();
    expect(after["data/users.csv"]).toEqual(before["data/users.csv"]);
  });
});
