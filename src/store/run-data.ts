import { formatMoney, money } from "../core/money.ts";
import { type Context, iso, version } from "./context.ts";
import { findingFigures, findingKey, type ReportJson } from "./findings.ts";
import type { FindingView, RunView } from "./store.ts";

// Runs are history: a run's report and its findings never change once written, so each is read once
// and kept (the last few runs read) with the findings indexed by client, type, key and subject. What
// does change, the decisions and ignores that give each finding its status, is laid over them
// (overlay.ts). The latest run is asked of the database each time, unless the database is exclusive.

/** A finding of a run as its row holds it: the view without its status. */
export type RunFinding = Omit<FindingView, "status" | "reason" | "decidedBy"> & {
  /** expected|actual|impact as the report wrote them: a decision holds while they do not change. */
  figures: string;
};

export interface RunData {
  runId: number;
  /** The report as stored (spec section 6 JSON): read-only. */
  report: Record<string, unknown>;
  /** In the report's order (a finding's index is its position). */
  findings: RunFinding[];
  /** Every position; and those of the findings of a client, a type, both, a key, a subject in lower case. */
  all: number[];
  byClient: Map<string, number[]>;
  byType: Map<string, number[]>;
  byClientType: Map<string, number[]>;
  byKey: Map<string, number[]>;
  bySubject: Map<string, number[]>;
}

export const RUN_COLUMNS = ["id", "as_of", "created_at", "created_by", "totals"] as const;

export function toRunView(r: {
  id: number;
  as_of: string;
  created_at: Date;
  created_by: string;
  totals: Record<string, unknown>;
}): RunView {
  return {
    id: r.id,
    asOf: r.as_of,
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
    totals: r.totals as Record<string, string | number>,
  };
}

const LATEST = new WeakMap<Context, { version: string; run: RunView | undefined }>();

/** The newest run; in an exclusive database kept until this process makes a run. */
export async function latestRun(ctx: Context): Promise<RunView | undefined> {
  const seen = version(ctx, "runs");
  const kept = LATEST.get(ctx);
  if (ctx.exclusive && kept?.version === seen) return kept.run;
  const row = await ctx.db
    .selectFrom("runs")
    .select(RUN_COLUMNS)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const run = row && toRunView(row);
  if (ctx.exclusive && version(ctx, "runs") === seen) LATEST.set(ctx, { version: seen, run });
  return run;
}

/** Runs kept in memory: the latest, the one before it (diffs, trends), and one more. */
const KEPT_RUNS = 3;
const RUNS = new WeakMap<Context, Map<number, Promise<RunData | undefined>>>();

/** A run's report and findings, read once (concurrent callers share the read); undefined: no such run. */
export function runData(ctx: Context, runId: number): Promise<RunData | undefined> {
  let runs = RUNS.get(ctx);
  if (!runs) {
    runs = new Map();
    RUNS.set(ctx, runs);
  }
  let loading = runs.get(runId);
  if (loading) {
    // Most recently used last.
    runs.delete(runId);
    runs.set(runId, loading);
    return loading;
  }
  loading = readRun(ctx, runId);
  runs.set(runId, loading);
  const kept = runs;
  const current = loading;
  // A run that does not exist (yet) or a failed read is not kept.
  loading.then(
    (data) => {
      if (!data && kept.get(runId) === current) kept.delete(runId);
    },
    () => {
      if (kept.get(runId) === current) kept.delete(runId);
    },
  );
  for (const old of [...runs.keys()].slice(0, -KEPT_RUNS)) runs.delete(old);
  return loading;
}

/**
 * Keeps a run this process is writing, as the engine hands it over (run-engine.ts receiveRun): a
 * request that sees the new run once it is committed waits for the hand-over rather than reading the
 * report back from the database. Nothing is kept if the hand-over gives nothing or fails.
 */
export function keepRunLoading(ctx: Context, runId: number, loading: Promise<RunData | undefined>): void {
  const runs = RUNS.get(ctx) ?? new Map<number, Promise<RunData | undefined>>();
  RUNS.set(ctx, runs);
  runs.delete(runId);
  runs.set(runId, loading);
  const forget = () => {
    if (runs.get(runId) === loading) runs.delete(runId);
  };
  loading.then((data) => data ?? forget(), forget);
  for (const old of [...runs.keys()].slice(0, -KEPT_RUNS)) runs.delete(old);
}

/** Forgets a run kept for this process (its write failed). */
export function forgetRun(ctx: Context, runId: number): void {
  RUNS.get(ctx)?.delete(runId);
}

/** Forgets every run kept for this process but the newest (the one being written, if any). */
export function forgetOlderRuns(ctx: Context): void {
  const runs = RUNS.get(ctx);
  if (!runs || runs.size < 2) return;
  const newest = Math.max(...runs.keys());
  for (const id of [...runs.keys()]) if (id !== newest) runs.delete(id);
}

async function readRun(ctx: Context, runId: number): Promise<RunData | undefined> {
  const row = await ctx.db.selectFrom("runs").select("report").where("id", "=", runId).executeTakeFirst();
  return row && indexRun(runId, JSON.parse(row.report) as Record<string, unknown>);
}

function push(index: Map<string, number[]>, key: string, position: number): void {
  const list = index.get(key);
  if (list) list.push(position);
  else index.set(key, [position]);
}

/** The findings of a report as the run's finding rows hold them (findings.ts findingRows). */
export function indexRun(runId: number, report: Record<string, unknown>): RunData {
  const data = emptyRun(runId, report);
  addClients(data, (report as unknown as ReportJson).clients);
  return data;
}

/** A run's data with no finding indexed yet: `addClients` indexes them, a part at a time. */
export function emptyRun(runId: number, report: Record<string, unknown>): RunData {
  return {
    runId,
    report,
    findings: [],
    all: [],
    byClient: new Map(),
    byType: new Map(),
    byClientType: new Map(),
    byKey: new Map(),
    bySubject: new Map(),
  };
}

/** Indexes the findings of these clients of the run's report, after those indexed already. */
export function addClients(data: RunData, clients: ReportJson["clients"]): void {
  const { runId } = data;
  for (const c of clients) {
    for (const f of c.findings) {
      const position = data.findings.length;
      const key = findingKey(c.id, f.type, f.subject);
      data.findings.push({
        runId,
        clientId: c.id,
        clientName: c.name,
        type: f.type,
        subject: f.subject,
        expected: f.expected,
        actual: f.actual,
        monthlyImpact: formatMoney(money(f.monthlyImpact)),
        evidence: f.evidence,
        key,
        figures: findingFigures(f.expected, f.actual, f.monthlyImpact),
      });
      data.all.push(position);
      push(data.byClient, c.id, position);
      push(data.byType, f.type, position);
      push(data.byClientType, `${c.id}\u0000${f.type}`, position);
      push(data.byKey, key, position);
      push(data.bySubject, f.subject.toLowerCase(), position);
    }
  }
}

const NONE: readonly number[] = [];

/** Positions of the findings of a client and of a type (either may be left out), in order. */
export function positions(run: RunData, clientId?: string, type?: string): readonly number[] {
  if (clientId !== undefined && type !== undefined)
    return run.byClientType.get(`${clientId}\u0000${type}`) ?? NONE;
  if (clientId !== undefined) return run.byClient.get(clientId) ?? NONE;
  if (type !== undefined) return run.byType.get(type) ?? NONE;
  return run.all;
}
