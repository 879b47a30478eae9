import { formatMoney, type Money, money, ZERO } from "../core/money.ts";
import type { Context } from "./context.ts";
import { searched, sorted } from "./finding-order.ts";
import { type RunStatus, runStatus } from "./overlay.ts";
import { latestRun, positions, runData } from "./run-data.ts";
import type {
  FindingFilter,
  FindingStatus,
  FindingTotals,
  FindingView,
  Paged,
  TotalsFilter,
} from "./store.ts";

// One row per finding of a run, and its status: a decision holds for the finding with its key while
// the finding's figures are those it was taken on; an unmapped item ignored in the mappings shows as
// dismissed. A run's findings are read once and kept (run-data.ts), their status laid over them
// (overlay.ts): lists are filtered and paged in memory, in the report's order.

type Figure = string | number | null;

export interface ReportJson {
  asOf: string;
  clients: {
    id: string;
    name: string;
    findings: {
      type: string;
      subject: string;
      expected: Figure;
      actual: Figure;
      monthlyImpact: string;
      evidence: string[];
    }[];
  }[];
}

export const findingKey = (clientId: string, type: string, subject: string) =>
  `${clientId}|${type}|${subject}`;

export const findingFigures = (expected: Figure, actual: Figure, impact: string) =>
  `${expected ?? ""}|${actual ?? ""}|${impact}`;

/** The rows of a run's findings, in the report's order. */
export function findingRows(runId: number, report: ReportJson) {
  let position = 0;
  return report.clients.flatMap((c) =>
    c.findings.map((f) => ({
      run_id: runId,
      position: position++,
      client_id: c.id,
      client_name: c.name,
      type: f.type,
      subject: f.subject,
      expected: f.expected === null ? null : JSON.stringify(f.expected),
      actual: f.actual === null ? null : JSON.stringify(f.actual),
      monthly_impact: f.monthlyImpact,
      evidence: JSON.stringify(f.evidence),
      key: findingKey(c.id, f.type, f.subject),
      figures: findingFigures(f.expected, f.actual, f.monthlyImpact),
    })),
  );
}

export async function latestRunId(ctx: Context): Promise<number | undefined> {
  return (await latestRun(ctx))?.id;
}

export async function listFindings(ctx: Context, filter: FindingFilter): Promise<Paged<FindingView>> {
  const { limit, offset, status, clientId, type } = filter;
  const runId = filter.runId ?? (await latestRunId(ctx));
  const run = runId === undefined ? undefined : await runData(ctx, runId);
  if (!run) return { items: [], total: 0, limit, offset };
  const statuses = await runStatus(ctx, run);
  let matching = positions(run, clientId, type);
  if (status === "open") matching = matching.filter((p) => !statuses.decided.has(p));
  else if (status !== undefined) {
    // Decided findings are few: taken from the decisions, not from every finding.
    matching = [...statuses.decided]
      .filter(([p, d]) => {
        const f = run.findings[p];
        return (
          d.status === status &&
          f !== undefined &&
          (clientId === undefined || f.clientId === clientId) &&
          (type === undefined || f.type === type)
        );
      })
      .map(([p]) => p)
      .sort((a, b) => a - b);
  }
  const listed = sorted(run, statuses, searched(run, matching, filter), filter);
  const items = listed.slice(offset, offset + limit).map((p) => statuses.view(p));
  return { items, total: listed.length, limit, offset };
}

/** Every finding of a run, in the report's order. */
export async function findingsOfRun(ctx: Context, runId: number): Promise<FindingView[]> {
  const run = await runData(ctx, runId);
  if (!run) return [];
  const statuses = await runStatus(ctx, run);
  return run.all.map((p) => statuses.view(p));
}

/** The findings of a run with this key (more than one only for PRICE_MISMATCH, one per PSA line). */
export async function findingsWithKey(ctx: Context, runId: number, key: string): Promise<FindingView[]> {
  const run = await runData(ctx, runId);
  if (!run) return [];
  const statuses = await runStatus(ctx, run);
  return (run.byKey.get(key) ?? []).map((p) => statuses.view(p));
}

const TOTALS = new WeakMap<RunStatus, Map<string, FindingTotals>>();

/** How many findings of a run (and what monthly impact) are open, accepted and dismissed. */
export async function findingTotals(ctx: Context, filter: TotalsFilter): Promise<FindingTotals> {
  const runId = filter.runId ?? (await latestRunId(ctx));
  const run = runId === undefined ? undefined : await runData(ctx, runId);
  const sums: Record<FindingStatus, { impact: Money; findings: number }> = {
    open: { impact: ZERO, findings: 0 },
    accepted: { impact: ZERO, findings: 0 },
    dismissed: { impact: ZERO, findings: 0 },
  };
  const format = (): FindingTotals => ({
    open: { impact: formatMoney(sums.open.impact), findings: sums.open.findings },
    accepted: { impact: formatMoney(sums.accepted.impact), findings: sums.accepted.findings },
    dismissed: { impact: formatMoney(sums.dismissed.impact), findings: sums.dismissed.findings },
  });
  if (!run) return format();
  const statuses = await runStatus(ctx, run);
  // Kept with the statuses they were counted under: a new decision makes new statuses.
  const kept = TOTALS.get(statuses) ?? new Map<string, FindingTotals>();
  TOTALS.set(statuses, kept);
  // A search is not kept: people type many.
  const key = filter.q?.trim()
    ? undefined
    : `${filter.clientId ?? ""}\u0000${filter.type ?? ""}\u0000${filter.total ?? ""}`;
  const known = key === undefined ? undefined : kept.get(key);
  if (known) return known;
  for (const p of searched(run, positions(run, filter.clientId, filter.type), filter)) {
    const sum = sums[statuses.statusOf(p)];
    sum.impact = sum.impact.plus(money(run.findings[p]?.monthlyImpact ?? "0"));
    sum.findings += 1;
  }
  const totals = format();
  if (key !== undefined) kept.set(key, totals);
  return totals;
}
