import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import { migrate } from "../src/store/migrations.ts";
import type { Store } from "../src/store/store.ts";
import type { Config } from "../src/workspace/config.ts";
import { checkConfig } from "../src/workspace/load.ts";
import { basicDir, repoRoot } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// The catalogue, clients, rules and sources as the database keeps them: a validated Config in, the
// same Config out; trueup.yaml text in, the same text out; nothing stored from a file with an error.

const ACTOR = { name: "ann@msp.example" };
const demoYaml = await readFile(join(repoRoot, "examples", "demo", "trueup.yaml"), "utf8");
const basicYaml = await readFile(join(basicDir, "trueup.yaml"), "utf8");

function configOf(text: string): Config {
  const { config, issues } = checkConfig(text);
  if (!config || issues.some((i) => i.severity === "error")) throw new Error("fixture does not validate");
  return config;
}

/** The line (from 1) of the first occurrence of `needle`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

describe.each(testDatabases())("catalogue on $name", (target) => {
  let db: Db;
  let store: Store;
  const auditCount = async () => (await store.audit({ limit: 1, offset: 0 })).total;

  beforeAll(async () => {
    db = await target.open();
    store = createStore(db, testClock());
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("migrations have run on open, and running them again changes nothing", async () => {
    await migrate(db as unknown as Kysely<unknown>);
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "catalogue",
        "sources",
        "imports",
        "import_chunks",
        "runs",
        "findings",
        "audit_log",
      ]),
    );
    const findings = tables.find((t) => t.name === "findings");
    expect(findings?.columns.map((c) => c.name)).toEqual(expect.arrayContaining(["position", "client_name"]));
  });

  it("an empty database holds an empty configuration with the default rules", async () => {
    const config = await store.loadConfig();
    expect(config).toEqual({
      currency: "USD",
      rules: { staleDeviceDays: 30, requireLicence: true, excludeUsers: [] },
      services: [],
      bundles: [],
      clients: [],
      sources: [],
      connections: [],
    });
    expect(checkConfig(await store.configYaml()).config).toEqual(config);
    expect(await store.listSources()).toEqual([]);
  });

  it("saveConfig then loadConfig gives back the same Config, money as exact decimals", async () => {
    const config = configOf(demoYaml);
    expect(await store.saveConfig(config, ACTOR)).toEqual({ issues: [] });
    const loaded = await store.loadConfig();
    expect(loaded).toEqual(config);
    expect(loaded.services[0]?.price).toBeInstanceOf(Decimal);
    expect(loaded.services.map((s) => s.price.toFixed(2))).toEqual(
      config.services.map((s) => s.price.toFixed(2)),
    );
  });

  it("stores amounts as decimal strings, never as floats", async () => {
    await store.saveConfig(configOf(basicYaml.replace("price: '26.40'", "price: '26.405'")), ACTOR);
    const rows = await db.selectFrom("catalogue").select(["kind", "id", "item"]).execute();
    const service = rows.find((r) => r.kind === "service" && r.id === "m365-bp")?.item;
    expect(service).toMatchObject({ cost: "22.00", price: "26.405" });
    const client = rows.find((r) => r.kind === "client" && r.id === "c001")?.item as { plans: object[] };
    expect(client.plans[1]).toEqual({
      bundle: "gold-user",
      price: "140.00",
      users: { excludeGroups: ["Contractors"] },
    });
    expect((await store.loadConfig()).services[0]?.price.toString()).toBe("26.405");
  });

  it("the same configuration comes back from the basic example, plans, filters and defaults included", async () => {
    const config = configOf(basicYaml);
    await store.saveConfig(config, ACTOR);
    expect(await store.loadConfig()).toEqual(config);
    expect(checkConfig(await store.configYaml()).config).toEqual(config);
  });

  it("saveConfigYaml keeps the text as written, comments included", async () => {
    expect(await store.saveConfigYaml(demoYaml, ACTOR)).toEqual({ issues: [] });
    expect(await store.configYaml()).toBe(demoYaml);
    expect(await store.loadConfig()).toEqual(configOf(demoYaml));
  });

  it("refuses text with errors, each at its YAML line, and stores nothing", async () => {
    const before = await auditCount();
    const bad = demoYaml
      .replace("price: '26.40'", "price: nine")
      .replace("bundle: gold-user", "bundle: gold-usr");
    const { issues } = await store.saveConfigYaml(bad, ACTOR);
    const errors = issues.filter((i) => i.severity === "error");
    expect(errors).toEqual([
      expect.objectContaining({
        file: "trueup.yaml",
        line: lineOf(bad, "price: nine"),
        field: "services[0].price",
      }),
      expect.objectContaining({
        line: lineOf(bad, "bundle: gold-usr"),
        message: expect.stringContaining("gold-usr"),
      }),
    ]);
    expect(await store.configYaml()).toBe(demoYaml);
    expect(await auditCount()).toBe(before);
  });

  it("refuses a YAML syntax error and an unknown format with their lines", async () => {
    const syntax = await store.saveConfigYaml("currency: USD\nservices: [\n", ACTOR);
    expect(syntax.issues[0]).toMatchObject({ severity: "error", line: 3 });
    const format = demoYaml.replace("format: trueup-devices", "format: ninja-devices");
    const { issues } = await store.saveConfigYaml(format, ACTOR);
    expect(issues).toEqual([
      expect.objectContaining({
        severity: "error",
        line: lineOf(format, "ninja-devices"),
        field: "sources[1].format",
        message: expect.stringContaining('unknown devices format "ninja-devices"'),
      }),
    ]);
    expect(await store.configYaml()).toBe(demoYaml);
  });

  it("saves text whose only issues are warnings, and returns them", async () => {
    const annotated = demoYaml.replace("staleDeviceDays: 30", "staleDeviceDays: 30\n  reviewedBy: ann");
    const { issues } = await store.saveConfigYaml(annotated, ACTOR);
    expect(issues).toEqual([expect.objectContaining({ severity: "warning", field: "rules.reviewedBy" })]);
    expect(await store.configYaml()).toBe(annotated);
  });

  it("saveConfig refuses a configuration that does not validate", async () => {
    const config = configOf(demoYaml);
    const broken: Config = {
      ...config,
      clients: config.clients.map((c, i) =>
        i === 0 ? { ...c, plans: [{ kind: "bundle", bundle: "nope" }] } : c,
      ),
    };
    const { issues } = await store.saveConfig(broken, ACTOR);
    expect(issues.some((i) => i.severity === "error" && /unknown bundle "nope"/.test(i.message))).toBe(true);
    expect((await store.loadConfig()).clients).toEqual(config.clients);
  });

  it("lists the sources with their ids; an edited source keeps its id, a removed one leaves the list", async () => {
    await store.saveConfigYaml(demoYaml, ACTOR);
    const sources = await store.listSources();
    expect(sources.map((s) => [s.kind, s.file])).toEqual(
      configOf(demoYaml).sources.map((s) => [s.kind, s.file]),
    );
    expect(sources[3]).toMatchObject({
      kind: "deployments",
      deployment: "backup",
      format: "trueup-deployments",
    });
    expect(sources.every((s) => s.lastImport === undefined)).toBe(true);

    const renamed = demoYaml.replace("file: data/psa.csv", "file: data/psa-2026-11.csv");
    await store.saveConfigYaml(renamed, ACTOR);
    const after = await store.listSources();
    expect(after.map((s) => s.id)).toEqual(sources.map((s) => s.id));
    expect(after.find((s) => s.kind === "billing")?.file).toBe("data/psa-2026-11.csv");

    const doc = configOf(demoYaml);
    const withoutPax8 = demoYaml
      .split("\n")
      .filter((l) => !l.includes("file: data/pax8.csv"))
      .join("\n");
    await store.saveConfigYaml(withoutPax8, ACTOR);
    const fewer = await store.listSources();
    expect(fewer).toHaveLength(doc.sources.length - 1);
    expect(fewer.some((s) => s.file === "data/pax8.csv")).toBe(false);

    // Listed again, a removed source starts afresh: a new id, none of its old imports.
    await store.saveConfigYaml(demoYaml, ACTOR);
    const again = await store.listSources();
    expect(again.filter((s) => s.file !== "data/pax8.csv").map((s) => s.id)).toEqual(
      sources.filter((s) => s.file !== "data/pax8.csv").map((s) => s.id),
    );
    expect(again.find((s) => s.file === "data/pax8.csv")?.id).toBeGreaterThan(
      Math.max(...sources.map((s) => s.id)),
    );
  });

  it("writes an audit entry for every saved configuration", async () => {
    const { items } = await store.audit({ limit: 50, offset: 0 });
    expect(items[0]).toMatchObject({ actor: ACTOR.name, action: "config.save-yaml", entity: "config" });
    expect(items.some((e) => e.action === "config.save")).toBe(true);
    expect(items[0]?.details).toMatchObject({ clients: configOf(demoYaml).clients.length });
  });
});
