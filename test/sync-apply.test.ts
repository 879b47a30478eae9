import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { planWorkspace } from "../src/sync/service.ts";
import { testDatabases } from "./store-databases.ts";
import { EFFECTIVE, syncFixture, writeFixture } from "./sync-fixture.ts";
import { type AnyFake, applyOnce, NOW, PSAS, repeatedWrites, stateProblems, TODAY } from "./sync-harness.ts";

// Plan, approve, apply against each PSA's fake: the PSA ends exactly at the plan, a second plan
// finds nothing left to do, and what a person changed in the PSA meanwhile is never overwritten.

const [database] = testDatabases();
let store: Store;
beforeAll(async () => {
  store = createStore(await (database as NonNullable<typeof database>).open());
});
afterAll(async () => {
  await store.close();
  await database?.drop();
});

async function setUp(psa: (typeof PSAS)[number], seed: number) {
  const fixture = syncFixture(seed, 6);
  const fake: AnyFake = await psa.start(fixture.psa);
  const conn = fake.connection(`${psa.name}-${seed}`);
  const dir = await writeFixture(fixture, conn);
  const plan = async () =>
    planWorkspace(dir, conn.name, {
      effective: EFFECTIVE,
      includePrices: false,
      today: TODAY,
      context: { env: fake.env, sleep: async () => undefined, now: () => NOW },
    });
  return { fixture, fake, conn, dir, plan };
}

describe.each(PSAS)("sync with $name", (psa) => {
  it("applies an approved plan exactly, and planning again finds nothing to change", async () => {
    const s = await setUp(psa, 11);
    try {
      const { plan } = await s.plan();
      expect(plan.changes.filter((c) => c.action !== "choose").length).toBeGreaterThan(2);
      const saved = await store.saveSyncPlan(s.conn.name, plan, { name: "ann" });
      await store.decideChanges(saved.id, "all", "approved", { name: "ann" });
      const result = await applyOnce({ store, psa, fake: s.fake, conn: s.conn, planId: saved.id });
      expect(result.conflicts + result.failed).toBe(0);
      expect(stateProblems(s.fixture.psa, plan.changes, s.fake.lines())).toEqual([]);
      expect(repeatedWrites(s.fake)).toEqual([]);
      const again = await s.plan();
      expect(again.plan.changes.filter((c) => c.action !== "choose")).toEqual([]);
      // Applying the finished plan again sends no write.
      const writes = s.fake.writes.length;
      await applyOnce({ store, psa, fake: s.fake, conn: s.conn, planId: saved.id });
      expect(s.fake.writes.length).toBe(writes);
    } finally {
      await s.fake.close();
    }
  });

  it("applies only approved changes, and never overwrites a line a person changed since the plan", async () => {
    const s = await setUp(psa, 12);
    try {
      const { plan } = await s.plan();
      const sets = plan.changes.filter((c) => c.action === "set");
      expect(sets.length).toBeGreaterThan(1);
      const saved = await store.saveSyncPlan(s.conn.name, plan, { name: "ann" });
      const [edited, approved, ...rest] = sets;
      await store.decideChanges(saved.id, [edited?.seq ?? 0, approved?.seq ?? 0], "approved", {
        name: "ann",
      });
      if (rest[0]) await store.decideChanges(saved.id, [rest[0].seq], "rejected", { name: "ann" });
      s.fake.setQuantity(edited?.line?.id ?? "", Number(edited?.from) + 7);
      const result = await applyOnce({ store, psa, fake: s.fake, conn: s.conn, planId: saved.id });
      expect(result).toMatchObject({ applied: 1, conflicts: 1 });
      const now = s.fake.lines();
      expect(now.find((l) => l.id === edited?.line?.id)?.quantity).toBe(Number(edited?.from) + 7);
      expect(now.find((l) => l.id === approved?.line?.id)?.quantity).toBe(Number(approved?.to));
      if (rest[0]) expect(now.find((l) => l.id === rest[0]?.line?.id)?.quantity).toBe(Number(rest[0].from));
      const view = await store.syncPlan(saved.id);
      expect(view?.changes.find((c) => c.seq === edited?.seq)).toMatchObject({ state: "conflict" });
      const history = await store.syncHistory({ planId: saved.id, limit: 1000, offset: 0 });
      const kinds = history.items.map((e) => e.kind);
      expect(kinds).toEqual(
        expect.arrayContaining(["plan", "approve", "reject", "attempt", "exchange", "applied", "conflict"]),
      );
      const sent = history.items.filter((e) => e.kind === "exchange" && e.details.method !== "GET");
      expect(sent.some((e) => e.details.requestBody !== undefined && e.details.status !== undefined)).toBe(
        true,
      );
    } finally {
      await s.fake.close();
    }
  });
});
