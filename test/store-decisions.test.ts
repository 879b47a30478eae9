import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import type { Plan } from "../src/sync/plan.ts";
import { repoRoot } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// Decisions drive the money (issue 10): a dismissal may hold until a date and then reopens by itself;
// the findings' totals by status; the decisions a sync plan reads; a plan's left-as-agreed list and
// its pre-approved changes, stored with it.

const ACTOR = { name: "bill@msp.example" };
const demoDir = join(repoRoot, "examples", "demo");
const GRANITE = "granite|UNDER_BILLED|service:domain-hosting";
const EVERGREEN = "evergreen|OVER_BILLED|bundle:bronze-device";

describe.each(testDatabases())("decisions on $name", (target) => {
  let store: Store;
  const clock = testClock("2026-11-25T09:00:00.000Z");
  const statusOf = async (key: string) =>
    (await store.listFindings({ limit: 500, offset: 0 })).items.find((f) => f.key === key);

  beforeAll(async () => {
    store = createStore(await target.open(), clock);
    expect((await store.importWorkspace(demoDir, ACTOR)).issues).toEqual([]);
    await store.reconcile({ today: "2026-11-25" }, ACTOR);
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("refuses an expiry that is not a date after today, or on anything but a dismissal", async () => {
    const reason = "agreed";
    for (const until of ["2026-11-25", "2026-11-01", "next March"])
      await expect(
        store.decide(GRANITE, { status: "dismissed", reason, until }, ACTOR),
      ).rejects.toMatchObject({
        code: "invalid",
      });
    await expect(
      store.decide(GRANITE, { status: "accepted", until: "2027-03-01" }, ACTOR),
    ).rejects.toMatchObject({
      code: "invalid",
    });
    expect((await statusOf(GRANITE))?.status).toBe("open");
  });

  it("a dismissal until a date holds until the day before, then the finding is open again by itself", async () => {
    await store.decide(
      GRANITE,
      { status: "dismissed", reason: "free until the renewal", until: "2026-11-27" },
      ACTOR,
    );
    expect(await statusOf(GRANITE)).toMatchObject({ status: "dismissed", until: "2026-11-27" });
    expect((await store.decisions()).map((d) => [d.key, d.status, d.until])).toEqual([
      [GRANITE, "dismissed", "2026-11-27"],
    ]);
    clock.advance(24 * 60); // 2026-11-26: still dismissed
    expect((await statusOf(GRANITE))?.status).toBe("dismissed");
    clock.advance(24 * 60); // 2026-11-27: open again, and no longer among the decisions a plan reads
    expect((await statusOf(GRANITE))?.status).toBe("open");
    expect(await store.decisions()).toEqual([]);
    const audit = (await store.audit({ limit: 5, offset: 0 })).items.find(
      (a) => a.action === "finding.decide",
    );
    expect(audit?.details).toMatchObject({ status: "dismissed", until: "2026-11-27" });
  });

  it("totals the findings by status: a dismissal moves its money from open to dismissed", async () => {
    const before = await store.findingTotals({});
    const granite = await statusOf(GRANITE);
    await store.decide(
      GRANITE,
      { status: "dismissed", reason: "two domains free under the contract" },
      ACTOR,
    );
    await store.decide(EVERGREEN, { status: "accepted" }, ACTOR);
    const after = await store.findingTotals({});
    const cents = (m: string) => Math.round(Number(m) * 100);
    const impact = cents(granite?.monthlyImpact ?? "0");
    expect(impact).toBeGreaterThan(0);
    expect(cents(before.open.impact) - cents(after.open.impact)).toBe(
      impact + cents((await statusOf(EVERGREEN))?.monthlyImpact ?? "0"),
    );
    expect(after.dismissed).toEqual({ impact: granite?.monthlyImpact, findings: 1 });
    expect(after.accepted.findings).toBe(1);
    expect(after.open.findings + after.accepted.findings + after.dismissed.findings).toBe(
      before.open.findings,
    );
    expect(await store.findingTotals({ clientId: "granite", type: "UNDER_BILLED" })).toMatchObject({
      dismissed: { findings: 1 },
    });
    expect((await store.decisions()).map((d) => [d.key, d.status])).toEqual([
      [EVERGREEN, "accepted"],
      [GRANITE, "dismissed"],
    ]);
  });

  it("stores a plan's left-as-agreed list, and its pre-approved changes approved by who accepted", async () => {
    const left = {
      client: "granite",
      clientName: "Granite",
      account: "10301",
      type: "UNDER_BILLED",
      subject: "service:domain-hosting",
      product: "DOM-HOST",
      expected: 3,
      actual: 1,
      monthlyImpact: "8.00",
      reason: "two domains free under the contract",
      decidedBy: ACTOR.name,
    };
    const change = {
      seq: 1,
      action: "set" as const,
      client: "evergreen",
      clientName: "Evergreen",
      account: "1",
      subject: "bundle:bronze-device",
      product: "BRONZE-D",
      from: "5",
      to: "4",
      unitPrice: "55.00",
      monthlyImpact: "-55.00",
      why: "OVER_BILLED: 4 required, 5 billed",
      preApproved: { by: "al@msp.example" },
    };
    const plan: Plan = {
      effective: "2026-12-01",
      includePrices: false,
      changes: [change, { ...change, seq: 2, preApproved: undefined }],
      monthlyImpact: "-110.00",
      leftAsAgreed: [left],
    };
    const saved = await store.saveSyncPlan("cw", plan, ACTOR);
    expect(saved.leftAsAgreed).toEqual([left]);
    expect(saved.changes.map((c) => [c.seq, c.decision, c.decidedBy])).toEqual([
      [1, "approved", "al@msp.example"],
      [2, "pending", undefined],
    ]);
    expect((await store.syncPlan(saved.id))?.leftAsAgreed).toEqual([left]);
  });
});
