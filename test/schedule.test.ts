import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import type { ConnectionStatusView, Store } from "../src/store/store.ts";
import type { PullOutcome } from "../src/sync/pulls.ts";
import { startScheduler } from "../src/sync/schedule.ts";
import { type DelayProxy, type PullFakes, startProxy, startPullFakes } from "./cli-harness.ts";
import { type TestDatabase, testDatabases, withEnv } from "./store-databases.ts";

// Scheduled pulls in the app: in-process on the embedded database (a fake clock, a short tick), and
// through pg-boss on PostgreSQL, where two app processes share the queue and never pull the same
// connection at once.

const TODAY = "2026-11-01";
const ACTOR = { name: "test" };
let fakes: PullFakes;

beforeAll(async () => {
  fakes = await startPullFakes();
});
afterAll(async () => {
  await fakes.close();
});

/** trueup.yaml of the fakes without the PSA (scheduled pulls read devices and agents). */
const config = (edit: (t: string) => string = (t) => t) =>
  fakes.yaml((t) => edit(t.replace("  - { kind: billing, connection: cw }\n", "")));

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const statusOf = async (store: Store, name: string): Promise<ConnectionStatusView | undefined> =>
  (await store.connectionStatus()).find((s) => s.connection === name);

describe("the in-process scheduler (embedded database)", () => {
  const database = testDatabases()[0] as TestDatabase;
  let store: Store;
  beforeAll(async () => {
    store = createStore(await database.open());
    const { issues } = await store.saveConfigYaml(config(), ACTOR);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("pulls due connections, records the next pull, and a failing one stops no other", async () => {
    // Huntress answers 401: it fails between NinjaOne and SentinelOne.
    await withEnv({ ...fakes.env, TRUEUP_CONN_T_HUNT_SECRET: "wrong-secret" }, async () => {
      let now = new Date("2026-11-01T01:59:00Z");
      const logs: string[] = [];
      const scheduler = await startScheduler(store, {
        today: () => TODAY,
        now: () => now,
        log: (m) => logs.push(m),
        tickMs: 10,
      });
      try {
        for (const name of ["ninja", "hunt", "s1"]) {
          const s = await until(`next pull of ${name}`, async () => {
            const st = await statusOf(store, name);
            return st?.nextPullAt ? st : undefined;
          });
          expect(s).toMatchObject({ nextPullAt: "2026-11-01T02:00:00.000Z" });
          expect(s.lastPullAt).toBeUndefined();
        }
        await new Promise((r) => setTimeout(r, 50));
        expect(fakes.ninja.requests).toHaveLength(0);

        now = new Date("2026-11-01T02:00:30Z");
        const s1 = await until("the SentinelOne pull", async () => {
          const st = await statusOf(store, "s1");
          return st?.lastSuccessAt && st.nextPullAt === "2026-11-02T02:00:00.000Z" ? st : undefined;
        });
        expect(s1.counts).toMatchObject({ agents: 3 });
        const ninja = await statusOf(store, "ninja");
        expect(ninja).toMatchObject({ counts: { devices: 5 }, nextPullAt: "2026-11-02T02:00:00.000Z" });
        expect(ninja?.lastError).toBeUndefined();
        const hunt = await until("the Huntress failure", async () => {
          const st = await statusOf(store, "hunt");
          return st?.nextPullAt === "2026-11-02T02:00:00.000Z" ? st : undefined;
        });
        expect(hunt.lastError).toMatch(/^hunt: GET \/v1\/organizations answered 401/);
        expect(hunt.lastSuccessAt).toBeUndefined();
        expect(logs.some((l) => l.startsWith("pull hunt failed: "))).toBe(true);
        expect(logs.some((l) => l.startsWith("pull ninja: "))).toBe(true);
        expect((await store.listSources()).map((s) => [s.kind, s.lastImport?.rowCount ?? null])).toEqual([
          ["devices", 5],
          ["deployments", null],
          ["deployments", 3],
        ]);
        // Not due again until tomorrow: a second tick pulls nothing.
        const requests = fakes.ninja.requests.length;
        await new Promise((r) => setTimeout(r, 60));
        expect(fakes.ninja.requests.length).toBe(requests);

        const outcome = await scheduler.runNow("ninja");
        expect(outcome).toMatchObject({ connection: "ninja", ok: true, counts: { devices: 5 } });
        expect(outcome.runId).toBeGreaterThan(0);
        expect(fakes.ninja.requests.length).toBeGreaterThan(requests);
        const failed = await scheduler.runNow("hunt");
        expect(failed).toMatchObject({ connection: "hunt", ok: false });
        expect(failed.error).not.toContain("wrong-secret");
      } finally {
        await scheduler.stop();
      }
    });
  });
});

const pgUrl = process.env.TRUEUP_TEST_DATABASE_URL;

describe.skipIf(!pgUrl)("the pg-boss scheduler (PostgreSQL)", () => {
  const database = testDatabases().find((d) => d.name === "postgresql") as TestDatabase;
  let stores: Store[] = [];
  let proxy: DelayProxy;
  beforeAll(async () => {
    proxy = await startProxy(fakes.ninja.url);
    proxy.delay = () => 15;
    stores = [createStore(await database.open()), createStore(await database.open())];
    const yaml = config((t) => t.replace(`url: ${fakes.ninja.url}`, `url: ${proxy.url}`));
    const { issues } = await (stores[0] as Store).saveConfigYaml(yaml, ACTOR);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await proxy?.close();
    await database?.drop();
  });

  it("runs a pull through the queue; two schedulers never pull one connection at once", async () => {
    await withEnv(fakes.env, async () => {
      const url = database.options().url as string;
      const logs: string[] = [];
      const opts = { databaseUrl: url, today: () => TODAY, log: (m: string) => logs.push(m), tickMs: 60_000 };
      const [a, b] = await Promise.all(stores.map((s) => startScheduler(s, opts)));
      if (!a || !b) throw new Error("no scheduler");
      const timeout = <T>(p: Promise<T>, what: string) =>
        Promise.race([
          p,
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error(`${what}: no outcome after 30 s (logs: ${logs.join("; ")})`)),
              30_000,
            ),
          ),
        ]);
      try {
        const first = await timeout(a.runNow("ninja"), "runNow through the queue");
        expect(first).toMatchObject({ connection: "ninja", ok: true, counts: { devices: 5 } });
        expect((await statusOf(stores[1] as Store, "ninja"))?.nextPullAt).toBeDefined();

        proxy.maxInFlight = 0;
        const seen = proxy.seen;
        const outcomes: PullOutcome[] = await timeout(
          Promise.all([a.runNow("ninja"), b.runNow("ninja"), a.runNow("ninja"), b.runNow("ninja")]),
          "four runNow from two schedulers",
        );
        expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true]);
        expect(proxy.seen - seen).toBeGreaterThanOrEqual(4 * 2);
        // One pull's requests go one after another: two in flight means two pulls at once.
        expect(proxy.maxInFlight).toBe(1);
        await expect(a.runNow("nope")).rejects.toThrow('no connection "nope"');
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  }, 90_000);
});
