import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { planWorkspace } from "../src/sync/service.ts";
import { seeded } from "./fakes/server.ts";
import { testDatabases } from "./store-databases.ts";
import { EFFECTIVE, syncFixture, writeFixture } from "./sync-fixture.ts";
import {
  applyOnce,
  Crash,
  NOW,
  PSAS,
  type PsaKind,
  repeatedWrites,
  stateProblems,
  TODAY,
} from "./sync-harness.ts";

// Fault injection: for each PSA, seeded runs in which the PSA answers 429, 500, never answers, drops
// the connection before or after doing the work, and the apply process dies at random points between
// its steps. Whatever happens, applying again until nothing is left ends with the PSA exactly at the
// plan and no change applied twice. A failing run prints its seed; TRUEUP_FAULT_RUNS sets the count.

const RUNS = Number(process.env.TRUEUP_FAULT_RUNS ?? 200);
let store: Store;

interface RunStats {
  faults: number;
  crashes: number;
  applies: number;
  writes: number;
}

async function faultRun(psa: PsaKind, seed: number): Promise<RunStats & { problems: string[] }> {
  const rnd = seeded(seed * 7919);
  const fixture = syncFixture(seed, 3);
  const fake = await psa.start(fixture.psa);
  try {
    const conn = fake.connection(`${psa.name}-f${seed}`);
    const dir = await writeFixture(fixture, conn);
    const { plan } = await planWorkspace(dir, conn.name, {
      effective: EFFECTIVE,
      includePrices: false,
      today: TODAY,
      context: { env: fake.env, sleep: async () => undefined, now: () => NOW },
    });
    const saved = await store.saveSyncPlan(conn.name, plan, { name: "test" });
    await store.decideChanges(saved.id, "all", "approved", { name: "test" });
    fake.setFaults({ rate: 0.25, seed });
    // Up to three crashes, each at a random step counted over the whole run.
    const crashAt = new Set([1, 2, 3].map(() => 1 + Math.floor(rnd() * 30)));
    let steps = 0;
    const stats: RunStats = { faults: 0, crashes: 0, applies: 0, writes: 0 };
    for (let attempt = 1; attempt <= 40; attempt++) {
      if (attempt === 25) fake.setFaults(undefined); // so that every run ends
      stats.applies += 1;
      try {
        const result = await applyOnce({
          store,
          psa,
          fake,
          conn,
          planId: saved.id,
          timeoutMs: 60, // a "timeout" fault costs this much real time
          checkpoint: (point) => {
            steps += 1;
            if (crashAt.has(steps)) {
              stats.crashes += 1;
              throw new Crash(point);
            }
          },
        });
        if (result.failed === 0) break;
      } catch (e) {
        if (!(e instanceof Crash)) throw e;
      }
    }
    fake.setFaults(undefined);
    stats.faults = fake.faults.length;
    stats.writes = fake.writes.length;
    const view = await store.syncPlan(saved.id);
    const problems = [
      ...stateProblems(fixture.psa, plan.changes, fake.lines()),
      ...repeatedWrites(fake).map((w) => `applied twice: ${w}`),
      ...(view?.changes ?? [])
        .filter((c) => c.change.action !== "choose" && c.state !== "applied")
        .map((c) => `change ${c.seq} ended ${c.state}: ${c.result ?? ""}`),
    ];
    return { ...stats, problems };
  } finally {
    await fake.close();
  }
}

/** The suite for one PSA (one test file each, so that the three run side by side). */
export function faultSuite(name: PsaKind["name"]): void {
  const psa = PSAS.find((p) => p.name === name) as PsaKind;
  describe(`fault injection against ${name}`, () => {
    const [database] = testDatabases();
    beforeAll(async () => {
      store = createStore(await (database as NonNullable<typeof database>).open());
    });
    afterAll(async () => {
      await store.close();
      await database?.drop();
    });
    it(`ends exactly at the plan after ${RUNS} seeded runs of faults and crashes, no change applied twice`, async () => {
      const total: RunStats = { faults: 0, crashes: 0, applies: 0, writes: 0 };
      const failed: string[] = [];
      for (let seed = 1; seed <= RUNS; seed++) {
        const r = await faultRun(psa, seed);
        total.faults += r.faults;
        total.crashes += r.crashes;
        total.applies += r.applies;
        total.writes += r.writes;
        if (r.problems.length > 0) failed.push(`seed ${seed}: ${r.problems.join("; ")}`);
      }
      console.log(
        `${psa.name}: ${RUNS} runs, ${total.faults} faults answered, ${total.crashes} crashes, ` +
          `${total.applies} applies, ${total.writes} writes applied by the PSA, ${failed.length} failed runs`,
      );
      expect(failed).toEqual([]);
    }, 600_000);
  });
}
