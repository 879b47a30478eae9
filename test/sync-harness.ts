import { autotask } from "../src/connectors/autotask/index.ts";
import { connectwise } from "../src/connectors/connectwise/index.ts";
import { createContext } from "../src/connectors/context.ts";
import { halopsa } from "../src/connectors/halopsa/index.ts";
import type { Connection, PsaConnector } from "../src/connectors/types.ts";
import type { Store, SyncPlanView } from "../src/store/store.ts";
import { type ApplyResult, applyPlan } from "../src/sync/apply.ts";
import type { Change } from "../src/sync/plan.ts";
import { startAutotaskFake } from "./fakes/autotask.ts";
import { startConnectwiseFake } from "./fakes/connectwise.ts";
import { startHalopsaFake } from "./fakes/halopsa.ts";
import type { FakePsaControls, FakePsaLine, FakePsaSeed } from "./fakes/psa.ts";
import type { FakeServer } from "./fakes/server.ts";

// The three PSAs behind one face for the sync tests: start a seeded fake, get its connection and
// environment, apply a plan, and compare the PSA's final state with what the plan says.

export type AnyFake = FakeServer &
  FakePsaControls & { env: Record<string, string>; connection(name?: string): Connection };

export interface PsaKind {
  name: "connectwise" | "autotask" | "halopsa";
  connector: PsaConnector;
  start(seed: FakePsaSeed): Promise<AnyFake>;
}

/** The day the tests plan on, and a day in the period the plan takes effect (Autotask reads units by period). */
export const TODAY = "2026-11-25";
export const NOW = new Date(`${TODAY}T12:00:00Z`);
const IN_EFFECT = new Date("2026-12-15T12:00:00Z");

export const PSAS: PsaKind[] = [
  { name: "connectwise", connector: connectwise, start: (s) => startConnectwiseFake(s, { now: () => NOW }) },
  { name: "autotask", connector: autotask, start: (s) => startAutotaskFake(s, { now: () => IN_EFFECT }) },
  { name: "halopsa", connector: halopsa, start: (s) => startHalopsaFake(s, { now: () => NOW }) },
];

export class Crash extends Error {
  constructor(point: string) {
    super(`simulated crash at ${point}`);
    this.name = "Crash";
  }
}

export interface ApplyRunOptions {
  store: Store;
  psa: PsaKind;
  fake: AnyFake;
  conn: Connection;
  planId: number;
  checkpoint?: (point: string) => void;
  timeoutMs?: number;
}

/** One `apply` as the CLI runs it: the plan read afresh from the store, every exchange logged. */
export async function applyOnce(o: ApplyRunOptions): Promise<ApplyResult> {
  const plan = (await o.store.syncPlan(o.planId)) as SyncPlanView;
  return applyPlan(plan, {
    store: o.store,
    connector: o.psa.connector,
    conn: o.conn,
    context: (onExchange) =>
      createContext(o.conn, {
        env: o.fake.env,
        onExchange,
        sleep: async () => undefined,
        now: () => NOW,
        timeoutMs: o.timeoutMs ?? 2000,
      }),
    actor: "test",
    checkpoint: o.checkpoint,
  });
}

/** What the plan says each line ends at, and the lines it creates. */
export function expectedState(seed: FakePsaSeed, changes: readonly Change[]) {
  const lines = new Map(seed.lines.map((l) => [l.id, Number(l.quantity)]));
  const created: { agreement: string; product: string; quantity: number }[] = [];
  for (const c of changes) {
    if (c.action === "set" && c.line) lines.set(c.line.id, Number(c.to));
    if (c.action === "create")
      created.push({ agreement: c.agreement ?? "", product: c.product, quantity: Number(c.to) });
  }
  return { lines, created };
}

/** Differences between the PSA and the plan, in words (empty when the PSA is exactly at the plan). */
export function stateProblems(seed: FakePsaSeed, changes: readonly Change[], now: FakePsaLine[]): string[] {
  const want = expectedState(seed, changes);
  const problems: string[] = [];
  for (const [id, q] of want.lines) {
    const l = now.find((x) => x.id === id);
    if (!l || l.quantity !== q) problems.push(`line ${id}: want ${q}, PSA has ${l?.quantity ?? "nothing"}`);
  }
  const fresh = now.filter((l) => !want.lines.has(l.id));
  for (const c of want.created) {
    const found = fresh.filter((l) => l.agreement === c.agreement && l.product === c.product);
    if (found.length !== 1 || found[0]?.quantity !== c.quantity)
      problems.push(
        `new ${c.product} line in ${c.agreement}: want one at ${c.quantity}, PSA has ${JSON.stringify(found)}`,
      );
  }
  if (fresh.length !== want.created.length)
    problems.push(`${fresh.length} new lines, plan creates ${want.created.length}`);
  return problems;
}

/** Writes the PSA applied more than once to one line with one operation. */
export function repeatedWrites(fake: FakePsaControls): string[] {
  const seen = new Map<string, number>();
  for (const w of fake.writes) {
    const key = `${w.op} ${w.line}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
}
