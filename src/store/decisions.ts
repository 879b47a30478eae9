import { sql } from "kysely";
import { isIsoDate } from "../workspace/reader.ts";
import { writeAudit } from "./audit.ts";
import type { Context } from "./context.ts";
import { iso } from "./context.ts";
import { StoreError } from "./errors.ts";
import { findingFigures, findingsWithKey, latestRunId } from "./findings.ts";
import { decisionsChanged, holds, todayOf } from "./overlay.ts";
import type { DecisionView, Store } from "./store.ts";

// People's decisions on findings. A decision is taken on a finding of the latest run and holds for
// the finding with its key, in this run and later ones, while the figures (expected, actual, impact)
// are those it was taken on: when they change the finding is open again. Opening a finding removes
// its decision, and for an unmapped item ignored in the mappings, the ignore (it is queued again).
// A dismissal may hold until a date: from that day on the finding is open again by itself (the
// decision is kept, for the record, and no longer read).

function checkedUntil(ctx: Context, status: string, until: string | undefined): string | null {
  const date = until?.trim() || null;
  if (date === null) return null;
  if (status !== "dismissed") throw new StoreError("invalid", "only a dismissal can hold until a date");
  if (!isIsoDate(date)) throw new StoreError("invalid", `until must be a date as YYYY-MM-DD, not "${date}"`);
  if (date <= todayOf(ctx))
    throw new StoreError("invalid", `until ${date} is not after today (${todayOf(ctx)})`);
  return date;
}

export function decisionRepository(ctx: Context): Pick<Store, "decide" | "decisions"> {
  return {
    async decisions() {
      const today = todayOf(ctx);
      const rows = await ctx.db.selectFrom("decisions").selectAll().orderBy("key").execute();
      return rows
        .filter((d) => holds(d, today))
        .map((d) => {
          const view: DecisionView = {
            key: d.key,
            status: d.status,
            figures: d.figures,
            decidedBy: d.decided_by,
            decidedAt: iso(d.decided_at),
          };
          if (d.reason !== null) view.reason = d.reason;
          if (d.until !== null) view.until = d.until;
          return view;
        });
    },

    async decide(key, decision, actor) {
      const runId = await latestRunId(ctx);
      const [finding] = runId === undefined ? [] : await findingsWithKey(ctx, runId, key);
      if (!finding) throw new StoreError("not_found", `no finding "${key}" in the latest run`);
      const reason = decision.reason?.trim() || null;
      if (decision.status === "dismissed" && reason === null)
        throw new StoreError("invalid", "a dismissal needs a reason");
      const until = checkedUntil(ctx, decision.status, decision.until);
      const figures = findingFigures(finding.expected, finding.actual, finding.monthlyImpact);
      await ctx.db.transaction().execute(async (trx) => {
        if (decision.status === "open") {
          await trx.deleteFrom("decisions").where("key", "=", key).execute();
          await trx
            .deleteFrom("ignored")
            .where(sql<boolean>`kind || ':' || value = ${finding.subject.toLowerCase()}`)
            .execute();
        } else {
          const row = {
            status: decision.status,
            reason,
            figures,
            decided_by: actor.name,
            decided_at: ctx.now(),
            until,
          };
          await trx
            .insertInto("decisions")
            .values({ key, ...row })
            .onConflict((oc) => oc.column("key").doUpdateSet(row))
            .execute();
        }
        await decisionsChanged(trx, ctx);
        await writeAudit(trx, ctx, actor, "finding.decide", `finding:${key}`, {
          status: decision.status,
          reason,
          figures,
          until,
          runId,
        });
      });
    },
  };
}
