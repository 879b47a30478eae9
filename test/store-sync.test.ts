import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.ts";
import { createStore, StoreError } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import type { Change, Plan } from "../src/sync/plan.ts";
import type { CsvRecord } from "../src/workspace/csv.ts";
import { testClock, testDatabases, withEnv } from "./store-databases.ts";

// The sync and connection tables on each database: plans and their supersession, decisions,
// change states with their events, history filters, the apply lock across pools, sealed secrets,
// and a pull stored for every source that reads the connection (or not at all).

const ANN = { name: "ann" };
const KEY = randomBytes(32).toString("base64");
const OTHER_KEY = randomBytes(32).toString("hex");

const CONFIG = `currency: USD
services:
  - { id: m365, name: M365, unit: user, cost: '20.00', price: '25.00', psaProduct: M365, vendorSkus: [{ vendor: microsoft, sku: SPB }] }
clients:
  - { id: acme, name: Acme, ids: { microsoft: acme.example, psa: '101' }, plans: [{ service: m365 }] }
connections:
  graph: { kind: msgraph, tenants: [acme.example], clientIdEnv: TRUEUP_CONN_G_ID, clientSecretEnv: TRUEUP_CONN_G_SECRET }
sources:
  - { kind: users, connection: graph }
  - { kind: licences, connection: graph }
`;

function change(seq: number): Change {
  const at = { account: "101", agreement: "501", agreementName: "Managed", product: "M365" };
  return {
    ...at,
    seq,
    action: "set",
    client: "acme",
    clientName: "Acme",
    subject: "service:m365",
    line: { ...at, id: String(9000 + seq), quantity: "2", unitPrice: "25.00", ref: {} },
    from: "2",
    to: "3",
    unitPrice: "25.00",
    monthlyImpact: "25.00",
    why: "UNDER_BILLED: 3 required, 2 billed",
  };
}

const plan = (n: number): Plan => ({
  effective: "2026-12-01",
  includePrices: false,
  changes: Array.from({ length: n }, (_, i) => change(i + 1)),
  monthlyImpact: `${25 * n}.00`,
  leftAsAgreed: [],
});

const records = (rows: string[][]): CsvRecord[] => rows.map((fields, i) => ({ fields, line: i + 1 }));
const USERS = records([
  ["account", "upn", "displayName", "enabled", "licences", "userType"],
  ["acme.example", "ann@acme.example", "Ann", "true", "SPB", "Member"],
  ["acme.example", "bob@acme.example", "Bob", "true", "SPB", "Member"],
]);
const LICENCES = records([
  ["account", "sku", "quantity", "unitCost"],
  ["acme.example", "SPB", "2", "20.00"],
]);

async function refusal(p: Promise<unknown>): Promise<StoreError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreError);
  return e as StoreError;
}

describe.each(testDatabases())("sync and connections on $name", (database) => {
  let db: Db;
  let store: Store;
  const clock = testClock();

  beforeAll(async () => {
    db = await database.open();
    store = createStore(db, { now: clock.now });
    const { issues } = await store.saveConfigYaml(CONFIG, ANN);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("saves plans before anything is sent, the newest superseding the connection's open one", async () => {
    const first = await store.saveSyncPlan("cw", plan(3), ANN);
    const other = await store.saveSyncPlan("halo", plan(1), ANN);
    const second = await store.saveSyncPlan("cw", plan(2), ANN);
    expect(first).toMatchObject({
      connection: "cw",
      status: "open",
      createdBy: "ann",
      monthlyImpact: "75.00",
    });
    expect(first.changes.map((c) => [c.seq, c.decision, c.state, c.attempts])).toEqual([
      [1, "pending", "planned", 0],
      [2, "pending", "planned", 0],
      [3, "pending", "planned", 0],
    ]);
    expect(first.changes[0]?.change).toEqual(change(1));
    expect((await store.syncPlan(first.id))?.status).toBe("superseded");
    expect((await store.syncPlan(other.id))?.status).toBe("open");
    expect((await store.latestSyncPlan("cw"))?.id).toBe(second.id);
    expect(await store.latestSyncPlan("nothing")).toBeUndefined();
    expect(await store.syncPlan(999_999)).toBeUndefined();
    const list = await store.listSyncPlans({ limit: 2, offset: 0 });
    expect(list.total).toBeGreaterThanOrEqual(3);
    expect(list.items.map((p) => p.id)).toEqual([second.id, other.id]);
    expect(await refusal(store.decideChanges(first.id, "all", "approved", ANN))).toMatchObject({
      code: "conflict",
      message: `plan ${first.id} was replaced by a newer plan: review that one`,
    });
    expect(await refusal(store.decideChanges(999_999, "all", "approved", ANN))).toMatchObject({
      code: "not_found",
    });
  });

  it("decides changes: a subset approved, one rejected, one put back; unknown or applied ones refused", async () => {
    const p = await store.saveSyncPlan("decide", plan(4), ANN);
    await store.decideChanges(p.id, [1, 2, 3], "approved", { name: "bill" });
    await store.decideChanges(p.id, [3], "rejected", ANN);
    await store.decideChanges(p.id, [2], "pending", ANN);
    const view = await store.syncPlan(p.id);
    expect(view?.changes.map((c) => [c.seq, c.decision, c.decidedBy ?? null])).toEqual([
      [1, "approved", "bill"],
      [2, "pending", "ann"],
      [3, "rejected", "ann"],
      [4, "pending", null],
    ]);
    expect(await refusal(store.decideChanges(p.id, [4, 5], "approved", ANN))).toMatchObject({
      code: "conflict",
    });
    // Nothing of a refused decision was written.
    expect((await store.syncPlan(p.id))?.changes[3]?.decision).toBe("pending");
    const ev = { kind: "attempt", actor: "cli", details: { message: "attempt 1" } };
    await store.updateChange(p.id, 1, { state: "applying", attempt: true }, ev);
    expect(await refusal(store.decideChanges(p.id, [1], "rejected", ANN))).toMatchObject({
      code: "conflict",
    });
    const kinds = (await store.syncHistory({ planId: p.id, limit: 100, offset: 0 })).items.map((e) => e.kind);
    expect(kinds).toEqual(["plan", "approve", "reject", "reopen", "attempt"]);
  });

  it("moves a change on with its event in one step, and filters the history", async () => {
    const p = await store.saveSyncPlan("moves", plan(2), ANN);
    await store.decideChanges(p.id, "all", "approved", ANN);
    const attempt = { kind: "attempt", actor: "cli", details: { message: "attempt 1" } };
    await store.updateChange(p.id, 1, { state: "applying", attempt: true }, attempt);
    await store.logSyncEvent(p.id, 1, {
      kind: "exchange",
      actor: "cli",
      details: { method: "PATCH", status: 200 },
    });
    await store.updateChange(p.id, 1, { state: "failed", result: "boom" }, { ...attempt, kind: "error" });
    await store.updateChange(p.id, 1, { state: "applying", attempt: true }, attempt);
    const done = { kind: "applied", actor: "cli", details: { message: "2 -> 3 in the PSA" } };
    await store.updateChange(p.id, 1, { state: "applied", result: "2 -> 3 in the PSA" }, done);
    const c = (await store.syncPlan(p.id))?.changes[0];
    expect(c).toMatchObject({
      state: "applied",
      attempts: 2,
      result: "2 -> 3 in the PSA",
      decision: "approved",
    });
    const all = await store.syncHistory({ planId: p.id, limit: 100, offset: 0 });
    expect(all.items.map((e) => [e.kind, e.seq ?? null])).toEqual([
      ["plan", null],
      ["approve", null],
      ["attempt", 1],
      ["exchange", 1],
      ["error", 1],
      ["attempt", 1],
      ["applied", 1],
    ]);
    expect(all.items.every((e) => e.connection === "moves" && e.planId === p.id)).toBe(true);
    expect(all.items[3]?.details).toEqual({ method: "PATCH", status: 200 });
    const page = await store.syncHistory({ planId: p.id, limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 7, limit: 2, offset: 2 });
    expect(page.items.map((e) => e.kind)).toEqual(["attempt", "exchange"]);
    const byConnection = await store.syncHistory({ connection: "moves", limit: 100, offset: 0 });
    expect(byConnection.total).toBe(7);
    expect((await store.syncHistory({ connection: "nobody", limit: 10, offset: 0 })).total).toBe(0);
    const audit = (await store.audit({ limit: 50, offset: 0 })).items.map((a) => a.action);
    expect(audit).toEqual(
      expect.arrayContaining(["sync.plan", "sync.approved", "sync.failed", "sync.applied"]),
    );
  });

  it("refuses a second concurrent apply of a connection, and releases the lock when the holder throws", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const others = database.name === "postgresql" ? createStore(await database.open()) : store;
    try {
      const first = store.withApplyLock("cw", async () => {
        await held;
        return "first";
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(await refusal(others.withApplyLock("cw", async () => "second"))).toMatchObject({
        code: "conflict",
        message: "cw is being applied already (by this or another process): wait for it to end",
      });
      expect(await others.withApplyLock("halo", async () => "another connection")).toBe("another connection");
      release();
      expect(await first).toBe("first");
      await expect(
        others.withApplyLock("cw", async () => {
          throw new Error("apply crashed");
        }),
      ).rejects.toThrow("apply crashed");
      expect(await store.withApplyLock("cw", async () => "after the throw")).toBe("after the throw");
    } finally {
      if (others !== store) await others.close();
    }
  });

  it("seals secrets under TRUEUP_SECRET_KEY: refused without it, unreadable with a wrong one", async () => {
    const value = `sk-${randomBytes(12).toString("hex")}`;
    const none = await withEnv({ TRUEUP_SECRET_KEY: undefined }, () =>
      refusal(store.setSecret("graph", "clientSecret", value, ANN)),
    );
    expect(none.message).toContain("TRUEUP_SECRET_KEY is not set");
    expect(await store.secretNames("graph")).toEqual([]);
    const short = await withEnv({ TRUEUP_SECRET_KEY: "c2hvcnQ=" }, () =>
      refusal(store.setSecret("graph", "clientSecret", value, ANN)),
    );
    expect(short.message).toContain("TRUEUP_SECRET_KEY must be 32 bytes");

    await withEnv({ TRUEUP_SECRET_KEY: KEY }, async () => {
      await store.setSecret("graph", "clientSecret", value, ANN);
      await store.setSecret("graph", "clientId", "client-id-1", ANN);
      expect(await store.storedSecrets("graph")).toEqual({ clientSecret: value, clientId: "client-id-1" });
      expect(await store.storedSecrets("elsewhere")).toEqual({});
    });
    expect(await store.secretNames("graph")).toEqual([
      { name: "clientId", usable: true },
      { name: "clientSecret", usable: true },
    ]);
    const rows = await sql<{ sealed: string }>`select sealed from connection_secrets`.execute(db);
    expect(rows.rows).toHaveLength(2);
    for (const r of rows.rows) {
      expect(r.sealed).not.toContain(value);
      expect(Buffer.from(r.sealed, "base64").toString("latin1")).not.toContain(value);
      expect(r.sealed).not.toContain(Buffer.from(value).toString("base64"));
    }
    const audit = await store.audit({ limit: 20, offset: 0 });
    expect(JSON.stringify(audit)).not.toContain(value);
    expect(audit.items.some((a) => a.action === "connection.secret")).toBe(true);

    const wrong = await withEnv({ TRUEUP_SECRET_KEY: OTHER_KEY }, () =>
      refusal(store.storedSecrets("graph")),
    );
    expect(wrong.message).toMatch(/cannot be decrypted: is TRUEUP_SECRET_KEY the key it was stored with\?/);
    expect(wrong.message).not.toContain(value);
    const missing = await withEnv({ TRUEUP_SECRET_KEY: undefined }, () =>
      refusal(store.storedSecrets("graph")),
    );
    expect(missing.message).toContain("TRUEUP_SECRET_KEY is not set");
  });

  it("stores a pull as the new import of every source reading the connection, with its status", async () => {
    clock.advance(60);
    const before = (await store.listImports({ limit: 1, offset: 0 })).total;
    const counts = { users: 2, licences: 1, requests: 4 };
    const ok = await store.storePull("graph", { users: USERS, licences: LICENCES }, counts, ANN);
    expect(ok.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(ok.imports).toBe(2);
    const sources = await store.listSources();
    expect(sources.map((s) => [s.kind, s.lastImport?.rowCount])).toEqual([
      ["users", 2],
      ["licences", 1],
    ]);
    expect((await store.listImports({ limit: 1, offset: 0 })).total).toBe(before + 2);
    const status = (await store.connectionStatus()).find((s) => s.connection === "graph");
    expect(status).toMatchObject({ counts, lastPullAt: clock.now().toISOString() });
    expect(status?.lastSuccessAt).toBe(status?.lastPullAt);
    expect(status?.lastError).toBeUndefined();
    const run = await store.reconcile({ today: "2026-11-01" }, ANN);
    expect(run.id).toBeGreaterThan(0);

    // Rows that do not read: nothing stored, the error kept; the last success stays.
    clock.advance(60);
    const bad = records([
      ["account", "upn", "displayName", "enabled", "licences", "userType"],
      ["acme.example", "carl@acme.example", "Carl", "perhaps", "SPB", "Member"],
    ]);
    const failed = await store.storePull("graph", { users: bad, licences: LICENCES }, { users: 1 }, ANN);
    expect(failed.imports).toBe(0);
    expect(failed.issues.some((i) => i.severity === "error")).toBe(true);
    const missing = await store.storePull("graph", { users: USERS }, { users: 2 }, ANN);
    expect(missing.imports).toBe(0);
    expect(missing.issues.map((i) => i.message)).toContain(
      "connection graph gives no licences rows (sources[1])",
    );
    expect((await store.listImports({ limit: 1, offset: 0 })).total).toBe(before + 2);
    expect((await store.listSources()).map((s) => s.lastImport?.rowCount)).toEqual([2, 1]);
    const after = (await store.connectionStatus()).find((s) => s.connection === "graph");
    expect(after?.lastError).toMatch(/^the pull's rows do not read: /);
    expect(after?.lastSuccessAt).toBe(status?.lastSuccessAt);
    expect(after?.counts).toEqual(counts);
    expect(after?.lastPullAt).toBe(clock.now().toISOString());

    await store.recordPullError("graph", "graph: GET /v1.0/users answered 503");
    await store.setNextPull("graph", new Date("2026-11-02T02:00:00Z"));
    expect((await store.connectionStatus()).find((s) => s.connection === "graph")).toMatchObject({
      lastError: "graph: GET /v1.0/users answered 503",
      nextPullAt: "2026-11-02T02:00:00.000Z",
    });
  });
});
