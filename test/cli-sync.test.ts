import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Connection } from "../src/connectors/types.ts";
import { createStore, openDb } from "../src/store/index.ts";
import type { SyncEventView, SyncPlanView } from "../src/store/store.ts";
import { planWorkspace } from "../src/sync/service.ts";
import { runBinary, startProxy } from "./cli-harness.ts";
import { seeded } from "./fakes/server.ts";
import { trueup } from "./fixtures.ts";
import { withEnv } from "./store-databases.ts";
import { EFFECTIVE, syncFixture, writeFixture } from "./sync-fixture.ts";
import { PSAS, type PsaKind, repeatedWrites, stateProblems, TODAY } from "./sync-harness.ts";

// `trueup sync plan | apply | history` against each PSA's fake, and the kill test: the apply process
// is killed (SIGKILL) at a seeded moment, in the middle of its requests, then run again; the PSA
// must end exactly at the plan with no write applied twice. The fakes live in this process and
// outlive the killed child; a proxy in front of each slows its requests and picks the moment.

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const changesOf = (plan: SyncPlanView) => plan.changes.map((c) => c.change);

describe.each(PSAS)("trueup sync with $name", (psa) => {
  it("plans (json, then table), refuses to apply without --yes, applies with it, and lists the history", async () => {
    const fixture = syncFixture(21, 5);
    const fake = await psa.start(fixture.psa);
    try {
      const conn = fake.connection(`${psa.name}-cli`);
      const dir = await writeFixture(fixture, conn, await temp("trueup-sync-ws-"));
      const env = { ...fake.env, DATABASE_URL: undefined, TRUEUP_DATA: await temp("trueup-sync-data-") };
      const cli = (...args: string[]) => withEnv(env, () => trueup(...args));
      const at = ["--workspace", dir, "--connection", conn.name];

      const json = await cli("sync", "plan", ...at, "--format", "json");
      expect(json.stderr).not.toContain("trueup:");
      expect(json.code).toBe(0);
      const first = JSON.parse(json.stdout) as SyncPlanView;
      expect(first).toMatchObject({ id: 1, connection: conn.name, effective: EFFECTIVE, status: "open" });
      expect(first.changes.filter((c) => c.change.action !== "choose").length).toBeGreaterThan(1);
      expect(first.changes.every((c) => c.decision === "pending" && c.state === "planned")).toBe(true);

      const table = await cli("sync", "plan", ...at, "--format", "table");
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(`Plan 2 for ${conn.name}, effective ${EFFECTIVE}: `);
      expect(table.stdout).toMatch(/^# +client +agreement +product +line +quantity +impact +status +why$/m);
      expect(table.stdout).toContain("pending/planned");
      expect(table.stderr).toContain(
        `Saved as plan 2. Apply it with: trueup sync apply --workspace ${dir} --connection ${conn.name} --yes`,
      );
      expect((await historyOf(cli, 1)).map((e) => e.kind)).toEqual(["plan"]);

      const asked = fake.requests.length;
      const refused = await cli("sync", "apply", ...at);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("nothing applied: add --yes to approve these changes and apply them");
      expect(refused.stdout).toContain("Plan 2 for");
      expect(fake.writes).toEqual([]);
      expect(fake.requests.length).toBe(asked); // not even a read

      const applied = await cli("sync", "apply", ...at, "--yes");
      expect(applied.stderr).not.toContain("trueup:");
      expect(applied.code).toBe(0);
      expect(applied.stdout).toMatch(
        /^Plan 2: \d+ applied, \d+ already right in the PSA, 0 conflicts, 0 failed/,
      );
      expect(stateProblems(fixture.psa, changesOf(first), fake.lines())).toEqual([]);
      expect(repeatedWrites(fake)).toEqual([]);
      const events = await historyOf(cli, 2);
      const kinds = events.map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(["plan", "approve", "attempt", "exchange", "applied"]));
      expect(kinds[0]).toBe("plan");
      expect(kinds.indexOf("approve")).toBeLessThan(kinds.indexOf("attempt"));
      expect(events[0]?.details).toMatchObject({ effective: EFFECTIVE });
      expect(events.every((e) => e.connection === conn.name && e.planId === 2)).toBe(true);
      // Planning again after the apply finds nothing left but what a person must choose.
      const again = JSON.parse((await cli("sync", "plan", ...at, "--format", "json")).stdout) as SyncPlanView;
      expect(again.changes.filter((c) => c.change.action !== "choose")).toEqual([]);

      const text = await cli("sync", "history", "--connection", conn.name, "--format", "table");
      expect(text.stdout).toMatch(/^at \(UTC\) +connection +plan#change +by +event +details$/m);
      expect(text.stdout).toContain(" applied ");
    } finally {
      await fake.close();
    }
  });
});

async function historyOf(
  cli: (...args: string[]) => Promise<{ stdout: string }>,
  plan: number,
): Promise<SyncEventView[]> {
  return JSON.parse((await cli("sync", "history", "--plan", String(plan), "--format", "json")).stdout);
}

// ---------------------------------------------------------------------------------------------
// The kill test.

const KILL_RUNS = Number(process.env.TRUEUP_KILL_RUNS ?? 3);
type Moment = "before" | "after" | "later";

/** The connection, with the fake's address replaced by the proxy's. */
function through(conn: Connection, from: string, to: string): Connection {
  return JSON.parse(JSON.stringify(conn).split(from).join(to)) as Connection;
}

async function killRun(
  psa: PsaKind,
  seed: number,
  data: string,
): Promise<{ log: string; problems: string[] }> {
  const rnd = seeded(seed * 104_729 + psa.name.length);
  const fixture = syncFixture(seed, 4);
  const fake = await psa.start(fixture.psa);
  const proxy = await startProxy(fake.url);
  try {
    const conn = through(fake.connection(`${psa.name}-kill${seed}`), fake.url, proxy.url);
    const dir = await writeFixture(fixture, conn, await temp("trueup-kill-ws-"));
    const env = { ...fake.env, TRUEUP_DATA: data };
    const at = ["--workspace", dir, "--connection", conn.name];
    // Planned as `trueup sync plan` plans, in this process (a child less per run), into the same data.
    const { plan: made } = await planWorkspace(dir, conn.name, {
      effective: EFFECTIVE,
      includePrices: false,
      today: TODAY,
      context: { env: fake.env },
    });
    const store = createStore(await openDb({ dataDir: data }));
    const plan = await store.saveSyncPlan(conn.name, made, { name: "cli" }).finally(() => store.close());
    const actionable = plan.changes.filter((c) => c.change.action !== "choose").length;
    // Every approved change takes at least a read, a write and a read: any request up to 3 x changes
    // falls inside the apply.
    const killAt = 1 + Math.floor(rnd() * Math.max(1, 3 * actionable));
    const moment: Moment = (["before", "after", "later"] as const)[Math.floor(rnd() * 3)] ?? "after";
    let kill: () => void = () => undefined;
    let killed = false;
    const writesBefore = fake.writes.length;
    proxy.seen = 0;
    proxy.delay = () => 1 + Math.floor(rnd() * 10);
    proxy.onLost = () => {
      killed = true;
      kill();
    };
    proxy.onRequest = (n) => {
      if (n !== killAt) return undefined;
      if (moment !== "later") return moment;
      // Killed while it records the answer in the database.
      setTimeout(() => proxy.onLost?.(), Math.floor(rnd() * 40));
      return undefined;
    };
    const apply = ["sync", "apply", ...at, "--yes"];
    const first = await runBinary(apply, env, (k) => {
      kill = k;
    });
    proxy.onRequest = undefined;
    proxy.delay = () => 0;
    const log =
      `${psa.name} seed ${seed}: ${actionable} changes, killed at request ${killAt} (${moment}): ` +
      `${first.signal ?? `exit ${first.code}`} after ${fake.writes.length - writesBefore} writes`;
    const problems: string[] = [];
    if (!killed || first.signal !== "SIGKILL")
      problems.push(`the apply was not killed (${first.code}): ${first.stderr.slice(-300)}`);
    const again = await runBinary(apply, env);
    if (again.code !== 0)
      problems.push(`apply after the kill exited ${again.code}: ${again.stderr.slice(-500)}`);
    problems.push(
      ...stateProblems(fixture.psa, changesOf(plan), fake.lines()),
      ...repeatedWrites(fake).map((w) => `applied twice: ${w}`),
    );
    return { log: `${log}; then ${again.stdout.trim()}`, problems };
  } finally {
    await proxy.close();
    await fake.close();
  }
}

describe("the apply process killed at a random moment", () => {
  it.concurrent.each(PSAS)(
    "$name ends exactly at the plan, no change applied twice",
    async (psa) => {
      const data = await temp(`trueup-kill-data-${psa.name}-`);
      const failed: string[] = [];
      for (let seed = 1; seed <= KILL_RUNS; seed++) {
        const r = await killRun(psa, seed, data);
        console.log(r.log);
        if (r.problems.length > 0) failed.push(`${psa.name} seed ${seed}: ${r.problems.join("; ")}`);
      }
      expect(failed, `replay with the seed: ${failed.join("\n")}`).toEqual([]);
    },
    Math.max(120_000, 40_000 * KILL_RUNS),
  );
});

describe("trueup sync plan and people's decisions", () => {
  it("leaves a difference dismissed in the database as agreed, and lists it with its reason", async () => {
    const psa = PSAS[0] as PsaKind;
    const fixture = syncFixture(21, 5);
    const fake = await psa.start(fixture.psa);
    try {
      const conn = fake.connection("cw-decisions");
      const dir = await writeFixture(fixture, conn, await temp("trueup-sync-ws-"));
      const data = await temp("trueup-sync-data-");
      const env = { ...fake.env, DATABASE_URL: undefined, TRUEUP_DATA: data };
      const cli = (...args: string[]) => withEnv(env, () => trueup(...args));
      const at = ["--workspace", dir, "--connection", conn.name];
      const first = JSON.parse((await cli("sync", "plan", ...at, "--format", "json")).stdout) as SyncPlanView;
      const target = first.changes.find((c) => c.change.action === "set")?.change;
      if (!target) throw new Error("the fixture plans no change of a line");
      expect(first.leftAsAgreed).toEqual([]);

      // A person dismisses that difference in the app, over the same database.
      const store = createStore(await openDb({ dataDir: data }));
      try {
        expect((await store.importWorkspace(dir, { name: "t" })).issues).toEqual([]);
        const run = await store.reconcile({ today: TODAY }, { name: "t" });
        const f = (
          await store.listFindings({ runId: run.id, clientId: target.client, limit: 100, offset: 0 })
        ).items.find((x) => x.subject === target.subject && x.type !== "COVERAGE_GAP");
        if (!f) throw new Error("no finding behind the change");
        await store.decide(f.key, { status: "dismissed", reason: "agreed with the client" }, { name: "bea" });
      } finally {
        await store.close();
      }

      const table = await cli("sync", "plan", ...at, "--format", "table");
      expect(table.code).toBe(0);
      expect(table.stdout).toContain("Left as agreed (dismissed, figures unchanged): 1");
      expect(table.stdout).toContain("agreed with the client");
      const json = JSON.parse((await cli("sync", "plan", ...at, "--format", "json")).stdout) as SyncPlanView;
      expect(json.leftAsAgreed).toMatchObject([
        {
          client: target.client,
          subject: target.subject,
          reason: "agreed with the client",
          decidedBy: "bea",
        },
      ]);
      expect(
        json.changes.some((c) => c.change.client === target.client && c.change.subject === target.subject),
      ).toBe(false);
    } finally {
      await fake.close();
    }
  }, 120_000);
});
