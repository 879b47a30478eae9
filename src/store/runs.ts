import { sql } from "kysely";
import type { ReconcileInput } from "../core/types.ts";
import { margin } from "../margin/margin.ts";
import { marginToJson } from "../margin/render.ts";
import { inputWith, whatIf } from "../margin/whatif.ts";
import { whatIfToJson } from "../margin/whatif-render.ts";
import { isIsoDate } from "../workspace/reader.ts";
import { writeAudit } from "./audit.ts";
import { ClientRows } from "./client-rows.ts";
import { type Context, changed, iso, nextTurn } from "./context.ts";
import { StoreError } from "./errors.ts";
import { findingFigures, findingsOfRun, findingsWithKey, findingTotals, listFindings } from "./findings.ts";
import { type InputSources, inputSources } from "./input.ts";
import { onInput, sendRecords } from "./input-engine.ts";
import {
  forgetOlderRuns,
  forgetRun,
  keepRunLoading,
  latestRun,
  RUN_COLUMNS,
  runData,
  toRunView,
} from "./run-data.ts";
import { receiveRun } from "./run-engine.ts";
import { type EngineTasks, runTasks } from "./run-worker.ts";
import { runInput } from "./statements.ts";
import type { FindingView, RunDiff, Store } from "./store.ts";

// Reconciliation runs: the core's report of the stored data, kept with one row per finding. Runs are
// history: a run is written once and never changed.

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

const SENDING = new WeakMap<Context, { key: string; done: Promise<void> }>();

/** Gives the engine the records of the current imports, unless it has them (it keeps the input of the latest data). */
async function sendInput(ctx: Context, tasks: EngineTasks, sources: InputSources): Promise<void> {
  const sending = SENDING.get(ctx);
  if (sending?.key === sources.key) return sending.done;
  const done = (async () => {
    if (!(await tasks.has(sources.key))) await sendRecords(ctx, tasks, sources);
  })();
  SENDING.set(ctx, { key: sources.key, done });
  try {
    await done;
  } catch (e) {
    if (SENDING.get(ctx)?.done === done) SENDING.delete(ctx);
    throw e;
  }
}

const CUTTING = new WeakMap<Context, { key: string; rows: Promise<ClientRows> }>();

/**
 * Each client's rows of the current imports, packed (client-rows.ts): from the engine when it holds
 * their input (a run of this process built it), or else built in a thread of their own, stopped once
 * done, so that no thread keeps the whole input for the client pages. Requests that ask together
 * share one cut; the last cut is kept until the configuration or an import changes.
 */
async function clientRowsOf(ctx: Context, sources: InputSources): Promise<ClientRows> {
  const kept = ctx.cache.clientRows;
  if (kept?.key === sources.key) return kept.rows;
  let cutting = CUTTING.get(ctx);
  if (cutting?.key !== sources.key) {
    const rows = cutRows(ctx, sources);
    const mine = { key: sources.key, rows };
    cutting = mine;
    CUTTING.set(ctx, mine);
    rows.then(
      (made) => {
        if (CUTTING.get(ctx) === mine) CUTTING.delete(ctx);
        ctx.cache.clientRows = { key: sources.key, rows: made };
      },
      () => {
        if (CUTTING.get(ctx) === mine) CUTTING.delete(ctx);
      },
    );
  }
  return cutting.rows;
}

async function cutRows(ctx: Context, sources: InputSources): Promise<ClientRows> {
  const packed = await onInput(ctx, sources, (engine, key) => engine.clientRows(key));
  return new ClientRows(sources.present, packed);
}

/**
 * Works out something of the latest run's data in the engine's thread, which holds the input of the
 * current imports: the latest run's, unless an import came after it. Then (rarely) the run's imports
 * are read again and the work is done here.
 */
async function onLatestRun<T>(
  ctx: Context,
  ask: (tasks: EngineTasks, key: string, asOf: string) => Promise<T | undefined>,
  here: (input: ReconcileInput) => T,
): Promise<T | undefined> {
  const latest = await ctx.db
    .selectFrom("runs")
    .select(["as_of", "imports"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!latest) return undefined;
  const sources = await inputSources(ctx);
  if (latest.imports.join(",") === sources.importIds.join(",")) {
    const tasks = runTasks(ctx).engine;
    await sendInput(ctx, tasks, sources);
    const answer = await ask(tasks, sources.key, latest.as_of);
    if (answer !== undefined) return answer;
  }
  const run = await runInput(ctx);
  return run && here(run.input);
}

export function runRepository(
  ctx: Context,
): Pick<
  Store,
  | "reconcile"
  | "listRuns"
  | "latestRun"
  | "runReport"
  | "forgetOlderRuns"
  | "diffRuns"
  | "listFindings"
  | "findingTotals"
  | "findingsWithKey"
  | "explainClient"
  | "prepareClientPages"
  | "dataVersion"
  | "latestRunMargin"
  | "latestRunWhatIf"
> {
  return {
    latestRun: () => latestRun(ctx),

    async reconcile(opts, actor) {
      if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
        throw new StoreError("invalid", `asOf must be a date as YYYY-MM-DD, not "${opts.asOf}"`);
      const tasks = runTasks(ctx).engine;
      let sources = await inputSources(ctx);
      let asOf = opts.asOf ?? sources.config.asOf ?? opts.today;
      await sendInput(ctx, tasks, sources);
      let result = await tasks.run(sources.key, asOf);
      // Another reconciliation sent newer data meanwhile (an import came between): this one too.
      for (let tries = 1; !result && tries < 5; tries++) {
        sources = await inputSources(ctx);
        asOf = opts.asOf ?? sources.config.asOf ?? opts.today;
        await sendInput(ctx, tasks, sources);
        result = await tasks.run(sources.key, asOf);
      }
      if (!result) throw new StoreError("conflict", "the data changed during the reconciliation: try again");
      const { importIds } = sources;
      const done = result;
      let written: number | undefined;
      try {
        const made = await ctx.db.transaction().execute(async (trx) => {
          const run = await trx
            .insertInto("runs")
            .values({
              as_of: asOf,
              created_at: ctx.now(),
              created_by: actor.name,
              imports: JSON.stringify(importIds),
              totals: done.totalsText,
              report: done.reportText,
            })
            .returning(RUN_COLUMNS)
            .executeTakeFirstOrThrow();
          written = run.id;
          // The engine hands the report over while the findings are written: the first request
          // that sees the run (once committed) waits for it, and never reads 9 MB back.
          keepRunLoading(
            ctx,
            run.id,
            receiveRun((start, count) => tasks.reportPart(done.ticket, start, count), run.id),
          );
          // Each batch goes as the JSON text the engine made: this thread neither parses nor binds
          // its rows (the embedded database's thread, or the PostgreSQL server, reads them).
          for (const batch of done.rowBatches) {
            await sql`insert into findings (run_id, position, client_id, client_name, type, subject,
                expected, actual, monthly_impact, evidence, key, figures)
              select ${run.id}, r.position, r.client_id, r.client_name, r.type, r.subject, r.expected,
                r.actual, r.monthly_impact::numeric, r.evidence::jsonb, r.key, r.figures
              from jsonb_to_recordset(${batch}::jsonb) as r(position int, client_id text,
                client_name text, type text, subject text, expected text, actual text,
                monthly_impact text, evidence text, key text, figures text)`.execute(trx);
            await nextTurn();
          }
          await writeAudit(trx, ctx, actor, "run.create", `run:${run.id}`, {
            asOf,
            imports: importIds,
            findings: done.findings,
          });
          // Marked changed once the findings are written, just before the commit: until then the
          // caches keep answering from the previous run, and requests do not queue behind the
          // transaction, which holds the embedded database (issue 12: stalls of 1.3 s during runs).
          changed(ctx, "runs");
          return toRunView(run);
        });
        await runData(ctx, made.id);
        return made;
      } catch (e) {
        if (written !== undefined) forgetRun(ctx, written);
        throw e;
      }
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
      return (await runData(ctx, runId))?.report;
    },

    forgetOlderRuns() {
      forgetOlderRuns(ctx);
    },

    async diffRuns(from, to) {
      for (const id of [from, to])
        if (!(await runExists(ctx, id))) throw new StoreError("not_found", `no run ${id}`);
      const [before, after] = await Promise.all([findingsOfRun(ctx, from), findingsOfRun(ctx, to)]);
      return { from, to, ...diffFindings(before, after) };
    },

    findingTotals(filter) {
      return findingTotals(ctx, filter);
    },

    listFindings(filter) {
      return listFindings(ctx, filter);
    },

    findingsWithKey(runId, key) {
      return findingsWithKey(ctx, runId, key);
    },

    latestRunMargin: () =>
      onLatestRun(
        ctx,
        (tasks, key, asOf) => tasks.margin(key, asOf),
        (input) => marginToJson(margin(input)),
      ),

    latestRunWhatIf: (before, after) =>
      onLatestRun(
        ctx,
        (tasks, key, asOf) => tasks.whatIf(key, asOf, before, after),
        (input) => whatIfToJson(whatIf(inputWith(input, before), inputWith(input, after))),
      ),

    async explainClient(clientId, asOf) {
      if (asOf !== undefined && !isIsoDate(asOf))
        throw new StoreError("invalid", `asOf must be a date as YYYY-MM-DD, not "${asOf}"`);
      const sources = await inputSources(ctx);
      const latest = asOf ? undefined : await latestRun(ctx);
      const date = asOf ?? latest?.asOf ?? sources.config.asOf ?? iso(ctx.now()).slice(0, 10);
      return (await clientRowsOf(ctx, sources)).explain(clientId, date);
    },

    async prepareClientPages() {
      if (!(await latestRun(ctx))) return false;
      await clientRowsOf(ctx, await inputSources(ctx));
      return true;
    },

    dataVersion: async () => (await inputSources(ctx)).key,
  };
}
