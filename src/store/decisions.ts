import { sql } from "kysely";
import { writeAudit } from "./audit.ts";
import type { Context } from "./context.ts";
import { StoreError } from "./errors.ts";
import { findingFigures, findingsWithKey, latestRunId } from "./findings.ts";
import { decisionsChanged } from "./overlay.ts";
import type { Store } from "./store.ts";

// People's decisions on findings. A decision is taken on a finding of the latest run and holds for
// the finding with its key, in this run and later ones, while the figures (expected, actual, impact)
// are those it was taken on: when they change the finding is open again. Opening a finding removes
// its decision, and for an unmapped item ignored in the mappings, the ignore (it is queued again).

export function decisionRepository(ctx: Context): Pick<Store, "decide"> {
  return {
    async decide(key, decision, actor) {
      const runId = await latestRunId(ctx);
      const [finding] = runId === undefined ? [] : await findingsWithKey(ctx, runId, key);
      if (!finding) throw new StoreError("not_found", `no finding "${key}" in the latest run`);
      const reason = decision.reason?.trim() || null;
      if (decision.status === "dismissed" && reason === null)
        throw new StoreError("invalid", "a dismissal needs a reason");
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
          runId,
        });
      });
    },
  };
}
