import { explainClient } from "../core/explain.ts";
import { reconcile } from "../core/reconcile.ts";
import { reportToJson } from "../core/report.ts";
import { isIsoDate } from "../workspace/reader.ts";
import { writeAudit } from "./audit.ts";
import { batches, type Context, iso } from "./context.ts";
import { StoreError } from "./errors.ts";
import { findingFigures, findingRows, findingsOfRun, listFindings, type ReportJson } from "./findings.ts";
import { storedInput } from "./input.ts";
import type { FindingView, RunDiff, RunView, Store } from "./store.ts";

// Reconciliation runs: the core's report of the stored data, kept with one row per finding. Runs are
// history: a run is written once and never changed.

interface RunRow {
  id: number;
  as_of: string;
  created_at: Date;
  created_by: string;
  totals: Record<string, unknown>;
}

function toRunView(r: RunRow): RunView {
  return {
    id: r.id,
    asOf: r.as_of,
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
    totals: r.totals as Record<string, string | number>,
  };
}

const RUN_COLUMNS = ["id", "as_of", "created_at", "created_by", "totals"] as const;

async function runExists(ctx: Context, id: number): Promise<boolean> {
  return (await ctx.db.selectFrom("runs").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}

/**
 * From one run to another, findings are matched by key: a key in one run only appeared or was fixed;
 * a key in both whose figures differ changed. PRICE_MISMATCH may have several findings under one key
 * (one per PSA line): those with the same figures pair first, the rest in order.
 */
export function diffFindings(before: FindingView[], after: FindingView[]): Omit<RunDiff, "from" | "to"> {
  const figures = (f: FindingView) => findingFigures(f.expected, f.actual, f.monthlyImpact);
  const byKey = new Map<string, { olds: FindingView[]; news: FindingView[] }>();
  const group = (key: string) => {
    const g = byKey.get(key) ?? { olds: [], news: [] };
    byKey.set(key, g);
    return g;
  };
  for (const f of before) group(f.key).olds.push(f);
  for (const f of after) group(f.key).news.push(f);
  const diff: Omit<RunDiff, "from" | "to"> = { appeared: [], fixed: [], changed: [] };
  for (const { olds, news } of byKey.values()) {
    const left = olds.filter((o) => {
      const i = news.findIndex((n) => figures(n) === figures(o));
      if (i >= 0) news.splice(i, 1);
      return i < 0;
    });
    const paired = Math.min(left.length, news.length);
    for (let i = 0; i < paired; i++)
      diff.changed.push({ before: left[i] as FindingView, after: news[i] as FindingView });
    diff.fixed.push(...left.slice(paired));
    diff.appeared.push(...news.slice(paired));
  }
  const order = (list: FindingView[]) => new Map(list.map((f, i) => [f, i]));
  const inAfter = order(after);
  const inBefore = order(before);
  diff.appeared.sort((a, b) => (inAfter.get(a) ?? 0) - (inAfter.get(b) ?? 0));
  diff.fixed.sort((a, b) => (inBefore.get(a) ?? 0) - (inBefore.get(b) ?? 0));
  diff.changed.sort((a, b) => (inAfter.get(a.after) ?? 0) - (inAfter.get(b.after) ?? 0));
  return diff;
}

export function runRepository(
  ctx: Context,
): Pick<
  Store,
  "reconcile" | "listRuns" | "latestRun" | "runReport" | "diffRuns" | "listFindings" | "explainClient"
> {
  async function latestRun(): Promise<RunView | undefined> {
    const row = await ctx.db
      .selectFrom("runs")
      .select(RUN_COLUMNS)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row && toRunView(row);
  }

  return {
    latestRun,

    async reconcile(opts, actor) {
      if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
        throw new StoreError("invalid", `asOf must be a date as YYYY-MM-DD, not "${opts.asOf}"`);
      const { config, input, importIds } = await storedInput(ctx);
      const asOf = opts.asOf ?? config.asOf ?? opts.today;
      const report = reportToJson(reconcile({ ...input, asOf })) as ReportJson & { totals: object };
      return ctx.db.transaction().execute(async (trx) => {
        const run = await trx
          .insertInto("runs")
          .values({
            as_of: asOf,
            created_at: ctx.now(),
            created_by: actor.name,
            imports: JSON.stringify(importIds),
            totals: JSON.stringify(report.totals),
            report: JSON.stringify(report),
          })
          .returning(RUN_COLUMNS)
          .executeTakeFirstOrThrow();
        for (const batch of batches(findingRows(run.id, report))) {
          await trx.insertInto("findings").values(batch).execute();
        }
        await writeAudit(trx, ctx, actor, "run.create", `run:${run.id}`, {
          asOf,
          imports: importIds,
          findings: report.clients.reduce((n, c) => n + c.findings.length, 0),
        });
        return toRunView(run);
      });
    },

    async listRuns(page) {
      const [rows, count] = await Promise.all([
        ctx.db
          .selectFrom("runs")
          .select(RUN_COLUMNS)
          .orderBy("id", "desc")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        ctx.db
          .selectFrom("runs")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toRunView), total: Number(count.n), limit: page.limit, offset: page.offset };
    },

    async runReport(runId) {
      const row = await ctx.db.selectFrom("runs").select("report").where("id", "=", runId).executeTakeFirst();
      return row?.report;
    },

    async diffRuns(from, to) {
      for (const id of [from, to])
        if (!(await runExists(ctx, id))) throw new StoreError("not_found", `no run ${id}`);
      const [before, after] = await Promise.all([findingsOfRun(ctx.db, from), findingsOfRun(ctx.db, to)]);
      return { from, to, ...diffFindings(before, after) };
    },

    listFindings(filter) {
      return listFindings(ctx, filter);
    },

    async explainClient(clientId, asOf) {
      if (asOf !== undefined && !isIsoDate(asOf))
        throw new StoreError("invalid", `asOf must be a date as YYYY-MM-DD, not "${asOf}"`);
      const { config, input } = await storedInput(ctx);
      const latest = asOf ? undefined : await latestRun();
      const date = asOf ?? latest?.asOf ?? config.asOf ?? iso(ctx.now()).slice(0, 10);
      return explainClient({ ...input, asOf: date }, clientId);
    },
  };
}
