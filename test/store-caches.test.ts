import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney, money } from "../src/core/money.ts";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJson } from "../src/core/report.ts";
import type { Db } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { FindingFilter, FindingStatus, FindingView, Store } from "../src/store/store.ts";
import { loadOrThrow } from "../src/workspace/load.ts";
import { repoRoot } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// What the store keeps in memory (a run's report and findings, the decisions laid over them, the
// latest run, sessions, the input and explanations) gives what the database holds: findings with the
// status the decisions and ignores give them in SQL, for every filter and page; and a second store over
// the same database sees every change the first one makes.

const ACTOR = { name: "bill@msp.example" };
const TODAY = "2026-11-25";
const demoDir = join(repoRoot, "examples", "demo");
const psaText = await readFile(join(demoDir, "data/psa.csv"), "utf8");

/** The findings of a run with their status, as SQL gives them from the findings table. */
async function findingsInSql(db: Db, runId: number): Promise<FindingView[]> {
  const { rows } = await sql<{
    client_id: string;
    client_name: string;
    type: string;
    subject: string;
    expected: string | null;
    actual: string | null;
    monthly_impact: string;
    evidence: string[];
    key: string;
    status: FindingStatus;
    reason: string | null;
    decided_by: string | null;
    ignored_by: string | null;
  }>`select f.client_id, f.client_name, f.type, f.subject, f.expected, f.actual,
      f.monthly_impact::text as monthly_impact, f.evidence, f.key,
      coalesce(d.status, case when i.kind is null then 'open' else 'dismissed' end) as status,
      d.reason, d.decided_by, i.ignored_by
    from findings f
    left join decisions d on d.key = f.key and d.figures = f.figures
    left join ignored i on lower(f.subject) = i.kind || ':' || i.value
    where f.run_id = ${runId} order by f.position`.execute(db);
  return rows.map((r) => {
    const view: FindingView = {
      runId,
      clientId: r.client_id,
      clientName: r.client_name,
      type: r.type,
      subject: r.subject,
      expected: r.expected === null ? null : JSON.parse(r.expected),
      actual: r.actual === null ? null : JSON.parse(r.actual),
      monthlyImpact: formatMoney(money(r.monthly_impact)),
      evidence: r.evidence,
      key: r.key,
      status: r.status,
    };
    if (r.status !== "open") {
      const decided = r.decided_by !== null;
      const reason = decided ? r.reason : "ignored in the mappings";
      if (reason !== null) view.reason = reason;
      view.decidedBy = (decided ? r.decided_by : r.ignored_by) ?? undefined;
    }
    return view;
  });
}

function filtered(all: FindingView[], f: FindingFilter): { items: FindingView[]; total: number } {
  const matching = all.filter(
    (x) =>
      (f.clientId === undefined || x.clientId === f.clientId) &&
      (f.type === undefined || x.type === f.type) &&
      (f.status === undefined || x.status === f.status),
  );
  return { items: matching.slice(f.offset, f.offset + f.limit), total: matching.length };
}

describe.each(testDatabases())("the store's caches on $name", (target) => {
  let db: Db;
  let store: Store;
  /** A second store over the same database (for PGlite, the same open database: it is one process's). */
  let other: Store;

  beforeAll(async () => {
    db = await target.open();
    const clock = testClock();
    store = createStore(db, clock);
    other = createStore(target.name === "pglite" ? db : await target.open(), clock);
    expect((await store.importWorkspace(demoDir, ACTOR)).issues).toEqual([]);
  });
  afterAll(async () => {
    if (target.name !== "pglite") await other.close();
    await store.close();
    await target.drop();
  });

  it("a run kept as it was written is the run read back from the database, key for key", async () => {
    const run = await store.reconcile({ today: TODAY }, ACTOR);
    const kept = await store.runReport(run.id);
    const read = await other.runReport(run.id);
    expect(JSON.stringify(kept)).toBe(JSON.stringify(read));
    // Both are the report `trueup reconcile` writes for the folder, in its order (spec section 6).
    const { input } = await loadOrThrow(demoDir, { today: TODAY });
    expect(JSON.stringify(read)).toBe(JSON.stringify(reportToJson(reconcile(input))));
  });

  it("findings have the status SQL gives them, for every filter and page, in every run", async () => {
    const first = (await store.latestRun())?.id as number;
    const all = (await store.listFindings({ limit: 500, offset: 0 })).items;
    const pick = (type: string) => all.find((f) => f.type === type) as FindingView;
    await store.decide(pick("UNDER_BILLED").key, { status: "dismissed", reason: "free domains" }, ACTOR);
    await store.decide(pick("OVER_BILLED").key, { status: "accepted" }, ACTOR);
    await store.decide("granite|UNDER_BILLED|service:domain-hosting", { status: "accepted" }, ACTOR);
    await store.applyMapping(
      { kind: "ignore", item: "sku", system: "pax8", value: "MST-PBI-PRO-NCE-M" },
      ACTOR,
    );
    await store.applyMapping({ kind: "ignore", item: "product", system: "psa", value: "print-mgd" }, ACTOR);
    // Next month Granite bills 4 domains: its decision no longer holds.
    const billing = (await store.listSources()).find((s) => s.kind === "billing")?.id as number;
    const psa = psaText.split("\n");
    psa[17] = "10333,Granite Ridge Construction - Managed IT 2026,DOM-HOST,Domain hosting,4,4.00";
    expect((await store.importFile(billing, "psa.csv", Buffer.from(psa.join("\n")), ACTOR)).issues).toEqual(
      [],
    );
    const second = (await store.reconcile({ today: TODAY }, ACTOR)).id;

    for (const runId of [first, second]) {
      const expected = await findingsInSql(db, runId);
      expect(new Set(expected.map((f) => f.status))).toEqual(new Set(["open", "accepted", "dismissed"]));
      const clients = [undefined, "cobalt", "granite", "nobody"];
      const types = [undefined, "UNMAPPED_SKU", "UNDER_BILLED", "COVERAGE_GAP", "NONE"];
      const statuses = [undefined, "open", "accepted", "dismissed"] as const;
      for (const clientId of clients)
        for (const type of types)
          for (const status of statuses)
            for (const [limit, offset] of [
              [500, 0],
              [3, 0],
              [3, 2],
              [5, 20],
            ] as const) {
              const filter = { runId, clientId, type, status, limit, offset };
              const page = await store.listFindings(filter);
              expect([filter, page]).toEqual([filter, { ...filtered(expected, filter), limit, offset }]);
            }
      expect((await other.listFindings({ runId, limit: 500, offset: 0 })).items).toEqual(expected);
    }
    // The latest run by default.
    expect(await store.listFindings({ limit: 500, offset: 0 })).toEqual(
      await store.listFindings({ runId: second, limit: 500, offset: 0 }),
    );
  });

  it("a second store over the database sees the decisions, runs and sign-outs of the first", async () => {
    const key = "cobalt|PRICE_MISMATCH|bundle:gold-user";
    const statusIn = async (s: Store) =>
      (await s.listFindings({ limit: 500, offset: 0, clientId: "cobalt" })).items.find((f) => f.key === key)
        ?.status;
    expect(await statusIn(other)).toBe("open");
    await store.decide(key, { status: "dismissed", reason: "agreed discount" }, ACTOR);
    expect([await statusIn(store), await statusIn(other)]).toEqual(["dismissed", "dismissed"]);
    await other.decide(key, { status: "open" }, ACTOR);
    expect([await statusIn(store), await statusIn(other)]).toEqual(["open", "open"]);

    await other.latestRun();
    const run = await store.reconcile({ today: TODAY, asOf: "2026-11-20" }, ACTOR);
    expect((await other.latestRun())?.id).toBe(run.id);
    expect(await other.explainClient("harbor")).toEqual(await store.explainClient("harbor", run.asOf));

    const { user } = await store.addUser("vera@msp.example", "viewer", ACTOR, "vera-secret-pw");
    const login = await store.login("vera@msp.example", "vera-secret-pw", "127.0.0.1");
    const token = login?.token as string;
    expect((await other.session(token))?.user.role).toBe("viewer");
    await store.setRole(user.id, "billing", ACTOR);
    expect((await other.session(token))?.user.role).toBe("billing");
    await store.logout(token);
    expect([await store.session(token), await other.session(token)]).toEqual([undefined, undefined]);
  });

  it("forgets the runs it kept but the newest, and reads a forgotten one again when asked", async () => {
    const older = (await store.reconcile({ today: TODAY }, ACTOR)).id;
    const newest = (await store.reconcile({ today: TODAY, asOf: "2026-11-20" }, ACTOR)).id;
    const olderKept = await store.runReport(older);
    const newestKept = await store.runReport(newest);
    expect(await store.runReport(older)).toBe(olderKept);
    store.forgetOlderRuns();
    expect(await store.runReport(newest)).toBe(newestKept);
    const again = await store.runReport(older);
    expect(again).not.toBe(olderKept);
    expect(JSON.stringify(again)).toBe(JSON.stringify(olderKept));
    expect((await store.listFindings({ runId: older, limit: 500, offset: 0 })).total).toBeGreaterThan(0);
  });
});
