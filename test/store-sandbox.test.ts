import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { sandbox } from "../src/connectors/sandbox/index.ts";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { applyInApp, planInApp } from "../src/sync/app.ts";
import { DEMO_SANDBOX, resetSandboxInApp, setUpSandbox } from "../src/sync/sandbox.ts";
import { repoRoot } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// The sandbox PSA (issue 13 item 6): the demo's PSA lines kept in the app's database, read and
// written through the same PSA interface as a real PSA, so plan, approve, apply and history run end
// to end with no secret and no outbound call; a reset puts the demo's lines back.

const ACTOR = { name: "bill@msp.example" };
const TODAY = "2026-11-25";
const demoDir = join(repoRoot, "examples", "demo");

describe.each(testDatabases())("the sandbox PSA on $name", (target) => {
  let store: Store;
  let fileTotals: Record<string, string | number>;
  const lines = () => store.sandboxBook().lines(DEMO_SANDBOX);

  beforeAll(async () => {
    store = createStore(await target.open(), testClock("2026-11-25T09:00:00.000Z"));
    expect((await store.importWorkspace(demoDir, ACTOR)).issues).toEqual([]);
    fileTotals = (await store.reconcile({ today: TODAY }, ACTOR)).totals;
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("is set up from the demo's psa.csv: every line, the billing source reading it, the same figures", async () => {
    const outcome = await setUpSandbox(store, DEMO_SANDBOX, ACTOR, TODAY);
    expect(outcome).toMatchObject({ ok: true, counts: { lines: 25 } });
    const config = await store.loadConfig();
    expect(config.connections).toEqual([
      expect.objectContaining({ name: DEMO_SANDBOX, kind: "sandbox", secretEnv: {} }),
    ]);
    expect(config.sources.filter((s) => s.kind === "billing")).toEqual([
      expect.objectContaining({ connection: DEMO_SANDBOX }),
    ]);
    expect((await lines())[0]).toMatchObject({
      account: "10231",
      agreement: "Birchwood Legal LLP - Managed IT 2026",
      product: "GOLD-U",
      quantity: "20",
      unitPrice: "165.00",
    });
    expect((await store.latestRun())?.totals).toEqual(fileTotals);
    await expect(store.setupSandbox(DEMO_SANDBOX, ACTOR)).rejects.toMatchObject({ code: "conflict" });
  });

  it("plans, applies the approved changes exactly once, and the next pull shows the new quantities", async () => {
    const plan = await planInApp(
      store,
      DEMO_SANDBOX,
      { effective: "2026-12-01", includePrices: false, today: TODAY },
      ACTOR,
    );
    const sets = plan.changes.filter((c) => c.change.action === "set");
    expect(sets.length).toBeGreaterThan(0);
    await store.decideChanges(plan.id, "all", "approved", ACTOR);
    const result = await applyInApp(store, plan.id, ACTOR);
    expect(result).toMatchObject({ conflicts: 0, failed: 0 });
    expect(result.applied).toBe(plan.changes.filter((c) => c.change.action !== "choose").length);
    const now = await lines();
    for (const c of sets) expect(now.find((l) => l.id === c.change.line?.id)?.quantity).toBe(c.change.to);
    // Applying again sends nothing more.
    const again = await applyInApp(store, plan.id, ACTOR);
    expect(again.applied).toBe(0);
    const history = await store.syncHistory({
      connection: DEMO_SANDBOX,
      planId: plan.id,
      limit: 1000,
      offset: 0,
    });
    const patches = history.items.filter((e) => JSON.stringify(e.details).includes('"PATCH"'));
    expect(patches.length).toBe(sets.length);
    // The next plan reads the sandbox as it now stands: nothing left to set.
    const next = await planInApp(
      store,
      DEMO_SANDBOX,
      { effective: "2026-12-01", includePrices: false, today: TODAY },
      ACTOR,
    );
    expect(next.changes.filter((c) => c.change.action === "set")).toEqual([]);
  });

  it("a reset puts every line back as set up and removes lines the sync created", async () => {
    const before = await lines();
    const outcome = await resetSandboxInApp(store, DEMO_SANDBOX, ACTOR, TODAY);
    expect(outcome.reset).toBeGreaterThan(0);
    const after = await lines();
    expect(after.length).toBe(25);
    expect(after.length).toBeLessThanOrEqual(before.length);
    expect((await store.latestRun())?.totals).toEqual(fileTotals);
    await expect(store.resetSandbox("nope", ACTOR)).rejects.toMatchObject({ code: "not_found" });
  });

  it("is reached only through the app's database: without it the connector says so", async () => {
    const conn = { name: "sbx", kind: "sandbox" as const, settings: {}, secretEnv: {} };
    await expect(sandbox.pull(conn, createContext(conn))).rejects.toThrow(/app's database/);
  });
});
