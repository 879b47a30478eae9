import { CronExpressionParser } from "cron-parser";
import type { Connection } from "../connectors/types.ts";
import type { Actor, Store } from "../store/store.ts";
import { type PullOutcome, pullAndReconcile, pulledConnections } from "./pulls.ts";

// Scheduled pulls in the app. Each connection that a source reads pulls on its cron schedule (UTC;
// default nightly at 02:00), then the reconciliation runs again. On the embedded database the jobs
// run in this process, one at a time; on PostgreSQL they go through pg-boss, whose singleton queues
// let several app processes share the work while a connection is never pulled twice at once.

export const DEFAULT_SCHEDULE = "0 2 * * *";
const SYSTEM: Actor = { name: "scheduler" };

export interface SchedulerOptions {
  /** PostgreSQL URL: jobs through pg-boss; absent: in-process. */
  databaseUrl?: string;
  today: () => string;
  now?: () => Date;
  log: (message: string) => void;
  /** How often schedules are checked against the configuration (default 30 s). */
  tickMs?: number;
}

export interface Scheduler {
  /** Pulls a connection now (through the queue on PostgreSQL) and resolves when it is done. */
  runNow(connection: string): Promise<PullOutcome>;
  /** True once stop() was called (for /readyz). */
  stopped(): boolean;
  stop(): Promise<void>;
}

export function nextRun(schedule: string, after: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: after, tz: "UTC" }).next().toDate();
}

/** A schedule's problem in words, or undefined when cron-parser reads it. */
export function checkSchedule(schedule: string): string | undefined {
  try {
    CronExpressionParser.parse(schedule, { tz: "UTC" });
    return undefined;
  } catch (e) {
    return `not a cron expression (minute hour day month weekday, e.g. "0 2 * * *"): ${e instanceof Error ? e.message : String(e)}`;
  }
}

export async function startScheduler(store: Store, opts: SchedulerOptions): Promise<Scheduler> {
  return opts.databaseUrl ? startPgBoss(store, opts, opts.databaseUrl) : startInProcess(store, opts);
}

function run(store: Store, opts: SchedulerOptions, name: string): Promise<PullOutcome> {
  return pullAndReconcile(store, name, SYSTEM, opts.today()).then((o) => {
    opts.log(
      o.ok ? `pull ${name}: ${JSON.stringify(o.counts)}, run ${o.runId}` : `pull ${name} failed: ${o.error}`,
    );
    return o;
  });
}

function startInProcess(store: Store, opts: SchedulerOptions): Scheduler {
  const now = opts.now ?? (() => new Date());
  const due = new Map<string, Date>();
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  // One pull at a time: each waits for the one before, so a connection never runs twice at once.
  const queue = <T>(f: () => Promise<T>): Promise<T> => {
    const next = chain.then(f, f);
    chain = next.catch(() => undefined);
    return next;
  };
  const tick = async () => {
    const config = await store.loadConfig();
    for (const conn of pulledConnections(config)) {
      const schedule = conn.schedule ?? DEFAULT_SCHEDULE;
      const at = due.get(conn.name) ?? nextRun(schedule, now());
      if (!due.has(conn.name)) {
        due.set(conn.name, at);
        await store.setNextPull(conn.name, at);
      }
      if (now() < at || stopped) continue;
      due.set(conn.name, nextRun(schedule, now()));
      await queue(() => run(store, opts, conn.name));
      await store.setNextPull(conn.name, due.get(conn.name));
    }
  };
  let ticking = Promise.resolve();
  const check = () => {
    ticking = ticking.then(tick).catch((e: unknown) => opts.log(`scheduler: ${String(e)}`));
  };
  // The first check at once, so that the next pull of each connection is known from the start.
  check();
  const timer = setInterval(check, opts.tickMs ?? 30_000);
  timer.unref();
  return {
    runNow: (name) => queue(() => run(store, opts, name)),
    stopped: () => stopped,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking;
      await chain;
    },
  };
}

const QUEUE_PREFIX = "trueup-pull-";

async function startPgBoss(store: Store, opts: SchedulerOptions, url: string): Promise<Scheduler> {
  const { default: PgBoss } = await import("pg-boss");
  const boss = new PgBoss({ connectionString: url, schema: "trueup_jobs" });
  boss.on("error", (e: Error) => opts.log(`pg-boss: ${e.message}`));
  await boss.start();
  const working = new Set<string>();
  let stopped = false;
  const ensure = async (conn: Connection) => {
    const queue = QUEUE_PREFIX + conn.name;
    if (working.has(queue)) return queue;
    // Two processes starting together may create the same queue at once: PostgreSQL then aborts one
    // of them (a deadlock between pg-boss's insert and its partition attach); the queue exists after.
    for (let attempt = 1; !(await boss.getQueue(queue)); attempt++) {
      try {
        await boss.createQueue(queue, { name: queue, policy: "singleton" });
      } catch (e) {
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
    // The outcome is the job's output: runNow may be waiting in another process than this worker.
    await boss.work<{ connection: string }>(queue, { pollingIntervalSeconds: 1 }, async ([job]) =>
      job ? run(store, opts, job.data.connection) : undefined,
    );
    working.add(queue);
    return queue;
  };
  const sync = async () => {
    const config = await store.loadConfig();
    const wanted = pulledConnections(config);
    for (const conn of wanted) {
      const queue = await ensure(conn);
      const schedule = conn.schedule ?? DEFAULT_SCHEDULE;
      await boss.schedule(queue, schedule, { connection: conn.name }, { tz: "UTC" });
      await store.setNextPull(conn.name, nextRun(schedule, new Date()));
    }
    for (const s of await boss.getSchedules())
      if (s.name.startsWith(QUEUE_PREFIX) && !wanted.some((c) => QUEUE_PREFIX + c.name === s.name))
        await boss.unschedule(s.name);
  };
  await sync();
  const timer = setInterval(() => {
    sync().catch((e: unknown) => opts.log(`scheduler: ${String(e)}`));
  }, opts.tickMs ?? 30_000);
  timer.unref();
  return {
    async runNow(name) {
      const config = await store.loadConfig();
      const conn = config.connections.find((c) => c.name === name);
      if (!conn) throw new Error(`no connection "${name}"`);
      const queue = await ensure(conn);
      const id = await boss.send(queue, { connection: name });
      if (!id) throw new Error(`the pull of ${name} could not be queued`);
      for (;;) {
        const job = await boss.getJobById<{ connection: string }>(queue, id, { includeArchive: true });
        if (job?.state === "completed") return job.output as unknown as PullOutcome;
        if (!job || job.state === "failed" || job.state === "cancelled") {
          const why = (job?.output as { message?: string } | undefined)?.message ?? job?.state ?? "gone";
          throw new Error(`the pull of ${name} did not end: ${why}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stopped: () => stopped,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await boss.stop({ graceful: true, wait: true });
    },
  };
}
