import { sql } from "kysely";
import { formatMoney, money } from "../core/money.ts";
import type { Context, Executor } from "./context.ts";
import type { FindingFilter, FindingStatus, FindingView, Paged } from "./store.ts";

// One row per finding of a run, and its status: a decision holds for the finding with its key while
// the finding's figures are those it was taken on; an unmapped item ignored in the mappings shows as
// dismissed.

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

const STATUS = sql<FindingStatus>`coalesce(d.status, case when i.kind is null then 'open' else 'dismissed' end)`;

const DECIDED = (status?: string) =>
  sql`exists (select 1 from decisions d where d.key = findings.key and d.figures = findings.figures${
    status ? sql` and d.status = ${status}` : sql``
  })`;
const IGNORED = sql`(findings.type like 'UNMAPPED%' and exists (select 1 from ignored i
  where lower(findings.subject) = i.kind || ':' || i.value))`;

/** The same condition as STATUS, written so that the planner need not join every finding. */
function hasStatus(status: FindingStatus) {
  if (status === "open") return sql<boolean>`not ${DECIDED()} and not ${IGNORED}`;
  if (status === "accepted") return sql<boolean>`${DECIDED("accepted")}`;
  return sql<boolean>`(${DECIDED("dismissed")} or (not ${DECIDED()} and ${IGNORED}))`;
}

type Where = Omit<FindingFilter, "limit" | "offset" | "status"> & { runId: number; key?: string };

function runFindings(ex: Executor, where: Where) {
  let q = ex.selectFrom("findings").selectAll().where("run_id", "=", where.runId);
  if (where.clientId !== undefined) q = q.where("client_id", "=", where.clientId);
  if (where.type !== undefined) q = q.where("type", "=", where.type);
  if (where.key !== undefined) q = q.where("key", "=", where.key);
  return q;
}

/** Findings with the decision that holds for them and the ignore that covers them. */
function withStatus(ex: Executor, findings: ReturnType<typeof runFindings>) {
  return ex
    .selectFrom(findings.as("f"))
    .leftJoin("decisions as d", (j) => j.onRef("d.key", "=", "f.key").onRef("d.figures", "=", "f.figures"))
    .leftJoin("ignored as i", (j) => j.on(sql<boolean>`lower(f.subject) = i.kind || ':' || i.value`));
}

function selectView(q: ReturnType<typeof withStatus>) {
  return q
    .select([
      "f.run_id",
      "f.client_id",
      "f.client_name",
      "f.type",
      "f.subject",
      "f.expected",
      "f.actual",
      sql<string>`f.monthly_impact::text`.as("monthly_impact"),
      "f.evidence",
      "f.key",
      "d.reason",
      "d.decided_by",
      "i.ignored_by",
      STATUS.as("status"),
    ])
    .orderBy("f.position");
}

type ViewRow = Awaited<ReturnType<ReturnType<typeof selectView>["execute"]>>[number];

const figure = (text: string | null): Figure => (text === null ? null : (JSON.parse(text) as Figure));

function toView(r: ViewRow): FindingView {
  const view: FindingView = {
    runId: r.run_id,
    clientId: r.client_id,
    clientName: r.client_name,
    type: r.type,
    subject: r.subject,
    expected: figure(r.expected),
    actual: figure(r.actual),
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
}

export async function latestRunId(ex: Executor): Promise<number | undefined> {
  const row = await ex.selectFrom("runs").select("id").orderBy("id", "desc").limit(1).executeTakeFirst();
  return row?.id;
}

export async function listFindings(ctx: Context, filter: FindingFilter): Promise<Paged<FindingView>> {
  const { limit, offset, status, ...rest } = filter;
  const runId = filter.runId ?? (await latestRunId(ctx.db));
  if (runId === undefined) return { items: [], total: 0, limit, offset };
  const where = { ...rest, runId };
  if (status === undefined) {
    // The page first, then the status of its rows only.
    const page = runFindings(ctx.db, where).orderBy("position").limit(limit).offset(offset);
    const [rows, n] = await Promise.all([
      selectView(withStatus(ctx.db, page)).execute(),
      runFindings(ctx.db, where)
        .clearSelect()
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toView), total: Number(n.n), limit, offset };
  }
  const q = withStatus(ctx.db, runFindings(ctx.db, where).where(hasStatus(status)));
  const [rows, n] = await Promise.all([
    selectView(q).limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toView), total: Number(n.n), limit, offset };
}

/** Every finding of a run, in the report's order. */
export async function findingsOfRun(ex: Executor, runId: number): Promise<FindingView[]> {
  const rows = await selectView(withStatus(ex, runFindings(ex, { runId }))).execute();
  return rows.map(toView);
}

/** The findings of a run with this key (more than one only for PRICE_MISMATCH, one per PSA line). */
export async function findingsWithKey(ex: Executor, runId: number, key: string): Promise<FindingView[]> {
  const rows = await selectView(withStatus(ex, runFindings(ex, { runId, key }))).execute();
  return rows.map(toView);
}
