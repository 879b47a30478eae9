import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { repoRoot } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// The mappings queue: the unmapped accounts, SKUs and products of the latest run, mapped by an edit
// of trueup.yaml (checked as any edit is) or ignored; the findings change on the next run.

const ACTOR = { name: "bill@msp.example" };
const TODAY = "2026-11-25";
const demoDir = join(repoRoot, "examples", "demo");
const demoYaml = await readFile(join(demoDir, "trueup.yaml"), "utf8");

// The demo plus a service without a PSA product and a client without a PSA id, to map onto. The
// demo's Ivy Lane Florists (a former client) goes back to having no PSA or Pax8 id: its rows are the
// unmapped accounts to map.
const extendedYaml = demoYaml
  .replace(/\n {2}# A former client[\s\S]*?(?=\n\nsources:\n)/, "")
  .replace(
    "\n\nbundles:\n",
    "\n  - { id: print, name: Managed print, unit: device, cost: '40.00', price: '89.00' }\n\nbundles:\n",
  )
  .replace(
    "\n\nsources:\n",
    "\n  - id: ivy\n    name: Ivy Lane Florists\n    ids: { rmm: IVY }\n    plans:\n      - { bundle: silver-user }\n" +
      // The demo's SentinelOne agent in the MSP's own lab, claimed here so the queue holds Ivy's rows only.
      "  - { id: lab, name: Northwind Lab, ids: { edr: Northwind Lab } }\n\nsources:\n",
  );

const ACCOUNT = { kind: "account", system: "psa", value: "10377", evidence: ["data/psa.csv:26"] } as const;
const PAX8_ACCOUNT = {
  kind: "account",
  system: "pax8",
  value: "0203b1b4-1b40-5d75-8a1d-911d0df4ccc8",
  evidence: ["data/pax8.csv:21"],
} as const;
const SKU = {
  kind: "sku",
  system: "pax8",
  value: "MST-PBI-PRO-NCE-M",
  evidence: ["data/pax8.csv:15"],
} as const;
const PRODUCT = {
  kind: "product",
  system: "psa",
  value: "PRINT-MGD",
  evidence: ["data/psa.csv:25"],
} as const;

/** The queue as it was before the money: kind, system, value, evidence, in the queue's order. */
const bare = (items: Awaited<ReturnType<Store["unmapped"]>>) =>
  items.map(({ kind, system, value, evidence }) => ({ kind, system, value, evidence }));

describe.each(testDatabases())("mappings on $name", (target) => {
  let store: Store;
  const run = () => store.reconcile({ today: TODAY }, ACTOR);
  const findingTypes = async (clientId: string) =>
    (await store.listFindings({ limit: 100, offset: 0, clientId })).items.map(
      (f) => `${f.type} ${f.subject}`,
    );

  beforeAll(async () => {
    store = createStore(await target.open(), testClock());
    expect((await store.importWorkspace(demoDir, ACTOR)).issues).toEqual([]);
    expect((await store.saveConfigYaml(extendedYaml, ACTOR)).issues).toEqual([]);
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("has no queue before the first run", async () => {
    expect(await store.unmapped()).toEqual([]);
  });

  it("lists the unmapped accounts, SKUs and products of the latest run, with the rows behind them", async () => {
    await run();
    const items = await store.unmapped();
    expect(bare(items)).toEqual(expect.arrayContaining([PAX8_ACCOUNT, ACCOUNT, SKU, PRODUCT]));
    expect(items).toHaveLength(4);
  });

  it("shows the money at stake on each item and the rows behind it, most money first", async () => {
    const items = await store.unmapped();
    const psa = items.find((i) => i.kind === "account" && i.system === "psa");
    expect(psa).toMatchObject({
      monthly: "660.00",
      rows: [
        {
          ref: "data/psa.csv:26",
          kind: "billing",
          account: "10377",
          agreement: "Ivy Lane Florists - Managed IT 2026",
          product: "SILVER-U",
          quantity: 6,
          unitPrice: "110.00",
          monthly: "660.00",
        },
      ],
    });
    const print = items.find((i) => i.kind === "product");
    expect(print?.rows).toMatchObject([
      { product: "PRINT-MGD", quantity: 1, unitPrice: "89.00", monthly: "89.00" },
    ]);
    const pax8 = items.find((i) => i.kind === "account" && i.system === "pax8");
    expect(pax8?.rows).toMatchObject([{ kind: "licences", sku: "MST-365-BS-NCE-M", quantity: 6 }]);
    // Sorted by money: the 660.00 a month billed to a client nobody maps comes first.
    const amounts = items.map((i) => Number(i.monthly));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(items[0]).toBe(psa);
  });

  it("maps an account to a client: the client's ids gain it, comments stay, and the rows count on the next run", async () => {
    expect(
      await store.applyMapping({ kind: "account", system: "psa", value: "10377", clientId: "ivy" }, ACTOR),
    ).toEqual({
      issues: [],
    });
    const ivy = (await store.loadConfig()).clients.find((c) => c.id === "ivy");
    expect(ivy?.ids).toEqual({ rmm: "IVY", psa: "10377" });
    const yaml = await store.configYaml();
    expect(yaml).toContain("# Northwind IT Services: a fictional MSP with eight managed clients.");
    expect(yaml).toContain('ids: { rmm: IVY, psa: "10377" }');
    await run();
    expect(bare(await store.unmapped())).toEqual(expect.arrayContaining([PAX8_ACCOUNT, SKU, PRODUCT]));
    expect(await store.unmapped()).toHaveLength(3);
    expect(await findingTypes("ivy")).toEqual(["OVER_BILLED bundle:silver-user"]);
  });

  it("maps a SKU to a service: the service's vendorSkus gain it", async () => {
    const mapping = {
      kind: "sku",
      system: "pax8",
      value: "MST-PBI-PRO-NCE-M",
      serviceId: "m365-bs",
    } as const;
    expect(await store.applyMapping(mapping, ACTOR)).toEqual({ issues: [] });
    const service = (await store.loadConfig()).services.find((s) => s.id === "m365-bs");
    expect(service?.vendorSkus).toContainEqual({ vendor: "pax8", sku: "MST-PBI-PRO-NCE-M" });
    expect(await store.configYaml()).toContain(
      "      - { vendor: microsoft, sku: O365_BUSINESS_PREMIUM }\n      - { vendor: pax8, sku: MST-PBI-PRO-NCE-M }\n",
    );
    await run();
    expect(bare(await store.unmapped())).toEqual(expect.arrayContaining([PAX8_ACCOUNT, PRODUCT]));
    expect(await store.unmapped()).toHaveLength(2);
    expect(await findingTypes("granite")).toContain("LICENCE_SURPLUS service:m365-bs");
  });

  it("maps a product to a service or bundle that has none", async () => {
    const mapping = {
      kind: "product",
      value: "PRINT-MGD",
      target: { kind: "service", id: "print" },
    } as const;
    expect(await store.applyMapping(mapping, ACTOR)).toEqual({ issues: [] });
    expect((await store.loadConfig()).services.find((s) => s.id === "print")?.psaProduct).toBe("PRINT-MGD");
    expect(await store.configYaml()).toContain("cost: '40.00', price: '89.00', psaProduct: PRINT-MGD }\n");
    await run();
    expect(bare(await store.unmapped())).toEqual([PAX8_ACCOUNT]);
    expect(await findingTypes("hollis")).toContain("OVER_BILLED service:print");
  });

  it("mapping what is mapped already changes nothing", async () => {
    const before = await store.configYaml();
    const again = { kind: "sku", system: "PAX8", value: "mst-pbi-pro-nce-m", serviceId: "m365-bs" } as const;
    expect(await store.applyMapping(again, ACTOR)).toEqual({ issues: [] });
    expect(await store.configYaml()).toBe(before);
  });

  it("refuses a mapping it cannot apply, and changes nothing", async () => {
    const before = await store.configYaml();
    const refusals = [
      { kind: "account", system: "pax8", value: PAX8_ACCOUNT.value, clientId: "nobody" },
      { kind: "account", system: "pax8", value: PAX8_ACCOUNT.value, clientId: "harbor" },
      { kind: "sku", system: "pax8", value: "X", serviceId: "nothing" },
      { kind: "product", value: "NEW", target: { kind: "bundle", id: "gold-user" } },
      { kind: "product", value: "NEW", target: { kind: "bundle", id: "platinum" } },
      { kind: "account", system: "pax8", value: " ", clientId: "harbor" },
    ] as const;
    const messages = [];
    for (const m of refusals) {
      const { issues } = await store.applyMapping(m, ACTOR);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.severity).toBe("error");
      messages.push(issues[0]?.message);
    }
    expect(messages).toEqual([
      'unknown client "nobody"',
      'client harbor already has the pax8 id "5f3f854b-dc12-5927-bae4-11d4410bbd80"',
      'unknown service "nothing"',
      'bundle gold-user already has psaProduct "GOLD-U"; edit the catalogue to replace it',
      'unknown bundle "platinum"',
      "the value to map is empty",
    ]);
    expect(await store.configYaml()).toBe(before);
  });

  it("refuses a mapping that makes trueup.yaml invalid, with the YAML line, and changes nothing", async () => {
    const before = await store.configYaml();
    const taken = { kind: "sku", system: "pax8", value: "MST-365-BP-NCE-M", serviceId: "m365-bs" } as const;
    const { issues } = await store.applyMapping(taken, ACTOR);
    expect(issues).toEqual([
      expect.objectContaining({
        severity: "error",
        file: "trueup.yaml",
        line: expect.any(Number),
        message: 'pax8 SKU "MST-365-BP-NCE-M" already licenses service m365-bp',
      }),
    ]);
    expect(await store.configYaml()).toBe(before);
  });

  it("an ignored item leaves the queue; its finding stays in the report, dismissed in the findings list", async () => {
    const before = await store.latestRun();
    const ignore = {
      kind: "ignore",
      item: "account",
      system: "pax8",
      value: PAX8_ACCOUNT.value.toUpperCase(),
    } as const;
    expect(await store.applyMapping(ignore, ACTOR)).toEqual({ issues: [] });
    expect(await store.unmapped()).toEqual([]);
    const key = `_unmapped|UNMAPPED_ACCOUNT|account:pax8:${PAX8_ACCOUNT.value}`;
    const dismissed = await store.listFindings({ limit: 10, offset: 0, status: "dismissed" });
    expect(dismissed.items).toEqual([
      expect.objectContaining({
        key,
        status: "dismissed",
        reason: "ignored in the mappings",
        decidedBy: ACTOR.name,
      }),
    ]);
    const next = await run();
    expect(next.totals).toEqual(before?.totals);
    expect((await store.listFindings({ limit: 10, offset: 0, status: "dismissed" })).total).toBe(1);
    // Opening the finding again puts the item back in the queue.
    await store.decide(key, { status: "open" }, ACTOR);
    expect(bare(await store.unmapped())).toEqual([PAX8_ACCOUNT]);
    expect((await store.listFindings({ limit: 10, offset: 0, status: "dismissed" })).total).toBe(0);
  });

  it("audits every mapping", async () => {
    const { items } = await store.audit({ limit: 100, offset: 0 });
    const actions = items.map((e) => e.action);
    expect(actions.filter((a) => a === "mapping.apply")).toHaveLength(3);
    expect(actions.filter((a) => a === "mapping.ignore")).toHaveLength(1);
    expect(items.find((e) => e.action === "mapping.apply")?.details).toMatchObject({
      kind: "product",
      value: "PRINT-MGD",
    });
  });
});

describe.each(testDatabases())("former clients on $name", (target) => {
  let store: Store;
  const run = () => store.reconcile({ today: TODAY }, ACTOR);
  const errors = (r: { issues: { severity: string; message: string }[] }) =>
    r.issues.filter((i) => i.severity === "error").map((i) => i.message);

  beforeAll(async () => {
    store = createStore(await target.open(), testClock());
    expect((await store.importWorkspace(demoDir, ACTOR)).issues).toEqual([]);
    // The demo without its former client Ivy: Ivy's PSA and Pax8 rows are unmapped accounts to map.
    const withoutIvy = demoYaml.replace(/\n {2}# A former client[\s\S]*?(?=\n\nsources:\n)/, "");
    expect(withoutIvy).not.toContain("id: ivy");
    expect((await store.saveConfigYaml(withoutIvy, ACTOR)).issues).toEqual([]);
    await run();
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("records an unmapped PSA account as a new former client with `ended`, in trueup.yaml's own style", async () => {
    const mapping = {
      kind: "former",
      system: "psa",
      value: "10377",
      clientId: "ivy",
      name: "Ivy Lane Florists",
      ended: "2026-11-01",
    } as const;
    expect(errors(await store.applyMapping(mapping, ACTOR))).toEqual([]);
    const yaml = await store.configYaml();
    expect(yaml).toContain(
      '\n  - { id: ivy, name: Ivy Lane Florists, ended: 2026-11-01, ids: { psa: "10377" } }\n',
    );
    // Comments stay; the client has no plans: it is owed nothing.
    expect(yaml).toContain("# Northwind IT Services: a fictional MSP with eight managed clients.");
    const ivy = (await store.loadConfig()).clients.find((c) => c.id === "ivy");
    expect(ivy).toMatchObject({ name: "Ivy Lane Florists", ids: { psa: "10377" }, plans: [] });
    await run();
    const queue = await store.unmapped();
    expect(queue.some((i) => i.kind === "account" && i.value === "10377")).toBe(false);
    // What still runs for it shows on the next run: the 6 Silver seats billed against none.
    const ivyFindings = await store.listFindings({ limit: 50, offset: 0, clientId: "ivy" });
    expect(ivyFindings.items.map((f) => [f.type, f.subject, f.monthlyImpact])).toContainEqual([
      "OVER_BILLED",
      "bundle:silver-user",
      "660.00",
    ]);
    const audit = (await store.audit({ limit: 5, offset: 0 })).items.map((a) => [a.action, a.entity]);
    expect(audit).toContainEqual(["mapping.apply", "former:10377"]);
  });

  it("records another account on an existing client as former: its ids gain it, and `ended` is set or moved", async () => {
    const pax8 = "0203b1b4-1b40-5d75-8a1d-911d0df4ccc8";
    const mapping = {
      kind: "former",
      system: "pax8",
      value: pax8,
      clientId: "ivy",
      ended: "2026-11-01",
    } as const;
    expect(errors(await store.applyMapping(mapping, ACTOR))).toEqual([]);
    expect(await store.configYaml()).toContain(
      `\n  - { id: ivy, name: Ivy Lane Florists, ended: 2026-11-01, ids: { psa: "10377", pax8: ${pax8} } }\n`,
    );
    // A client in the catalogue, no end date yet: it gains one.
    const granite = { ...mapping, value: "GRANITE-OLD", system: "rmm", clientId: "granite" } as const;
    const before = (await store.loadConfig()).clients.find((c) => c.id === "granite");
    expect(before?.ids.rmm).toBeDefined();
    expect(errors(await store.applyMapping(granite, ACTOR))).toEqual([
      expect.stringContaining("already has the rmm id"),
    ]);
    const moved = { ...mapping, ended: "2026-10-01" } as const;
    expect(errors(await store.applyMapping(moved, ACTOR))).toEqual([]);
    expect(await store.configYaml()).toMatch(/- \{ id: ivy, name: Ivy Lane Florists, ended: 2026-10-01,/);
  });

  it("refuses a former client without a date, a new one without a name or with a bad id, and changes nothing", async () => {
    const before = await store.configYaml();
    const base = { kind: "former", system: "psa", value: "99999" } as const;
    const refusals = [
      { ...base, clientId: "ivy", ended: "1 November" },
      { ...base, clientId: "gone", ended: "2026-11-01" },
      { ...base, clientId: "no spaces", name: "X", ended: "2026-11-01" },
    ] as const;
    const messages = [];
    for (const m of refusals) messages.push(...errors(await store.applyMapping(m, ACTOR)));
    expect(messages).toEqual([
      'ended must be a date as YYYY-MM-DD, not "1 November"',
      "client gone is new: give its name",
      '"no spaces" is not an id (letters, digits, . _ -)',
    ]);
    expect(await store.configYaml()).toBe(before);
  });
});
