import { sql } from "kysely";
import type { Change, LeftAsAgreed } from "../sync/plan.ts";
import { writeAudit } from "./audit.ts";
import { type Context, type Executor, iso } from "./context.ts";
import { isExclusive } from "./db.ts";
import { StoreError } from "./errors.ts";
import type { Store, SyncChangeView, SyncPlanView } from "./store.ts";

// PSA sync plans: a plan and its changes are saved before anything is sent; each change then moves
// planned -> applying -> applied | conflict | failed, every step with its event in one transaction,
// so that after a crash the next apply knows what was attempted (and reads the PSA before any write).

type SyncRepo = Pick<
  Store,
  | "saveSyncPlan"
  | "syncPlan"
  | "latestSyncPlan"
  | "listSyncPlans"
  | "decideChanges"
  | "updateChange"
  | "logSyncEvent"
  | "syncHistory"
  | "withApplyLock"
>;

/** Connections being applied by this process (the embedded database has no other). */
const APPLYING = new Set<string>();

const busy = (connection: string) =>
  new StoreError(
    "conflict",
    `${connection} is being applied already (by this or another process): wait for it to end`,
  );

export function syncRepository(ctx: Context): SyncRepo {
  const event = (
    ex: Executor,
    planId: number,
    seq: number | undefined,
    e: { kind: string; actor: string; details: Record<string, unknown> },
  ) =>
    ex
      .insertInto("sync_events")
      .values({
        plan_id: planId,
        seq: seq ?? null,
        at: ctx.now(),
        actor: e.actor,
        kind: e.kind,
        details: JSON.stringify(e.details),
      })
      .execute();

  const repo: SyncRepo = {
    async saveSyncPlan(connection, plan, actor) {
      const id = await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("sync_plans")
          .set({ status: "superseded" })
          .where("connection", "=", connection)
          .where("status", "=", "open")
          .execute();
        const row = await trx
          .insertInto("sync_plans")
          .values({
            connection,
            effective: plan.effective,
            include_prices: plan.includePrices,
            created_at: ctx.now(),
            created_by: actor.name,
            status: "open",
            monthly_impact: plan.monthlyImpact,
            left_as_agreed: JSON.stringify(plan.leftAsAgreed),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        if (plan.changes.length > 0) {
          await trx
            .insertInto("sync_changes")
            .values(
              plan.changes.map((c) => {
                // A change fixing an accepted finding is approved by the person who accepted it; a
                // change waiting for an agreement to be chosen cannot be approved yet.
                const pre = c.preApproved && c.action !== "choose" ? c.preApproved : undefined;
                return {
                  plan_id: row.id,
                  seq: c.seq,
                  change: JSON.stringify(c),
                  decision: pre ? ("approved" as const) : ("pending" as const),
                  decided_by: pre?.by ?? null,
                  decided_at: pre ? ctx.now() : null,
                  state: "planned" as const,
                  attempts: 0,
                };
              }),
            )
            .execute();
        }
        const details = {
          changes: plan.changes.length,
          effective: plan.effective,
          monthlyImpact: plan.monthlyImpact,
          preApproved: plan.changes.filter((c) => c.preApproved && c.action !== "choose").length,
          leftAsAgreed: plan.leftAsAgreed.length,
        };
        await event(trx, row.id, undefined, { kind: "plan", actor: actor.name, details });
        await writeAudit(trx, ctx, actor, "sync.plan", `sync-plan:${row.id}`, { connection, ...details });
        return row.id;
      });
      return (await repo.syncPlan(id)) as SyncPlanView;
    },

    async syncPlan(id) {
      const plan = await ctx.db.selectFrom("sync_plans").selectAll().where("id", "=", id).executeTakeFirst();
      if (!plan) return undefined;
      const changes = await ctx.db
        .selectFrom("sync_changes")
        .selectAll()
        .where("plan_id", "=", id)
        .orderBy("seq")
        .execute();
      return { ...planView(plan), changes: changes.map(changeView) };
    },

    async latestSyncPlan(connection) {
      const row = await ctx.db
        .selectFrom("sync_plans")
        .select("id")
        .where("connection", "=", connection)
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      return row ? repo.syncPlan(row.id) : undefined;
    },

    async listSyncPlans(page) {
      let q = ctx.db.selectFrom("sync_plans");
      if (page.connection !== undefined) q = q.where("connection", "=", page.connection);
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy("id", "desc").limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(planView), total: Number(count.n), limit: page.limit, offset: page.offset };
    },

    async decideChanges(planId, seqs, decision, actor) {
      await ctx.db.transaction().execute(async (trx) => {
        const plan = await trx
          .selectFrom("sync_plans")
          .selectAll()
          .where("id", "=", planId)
          .forUpdate()
          .executeTakeFirst();
        if (!plan) throw new StoreError("not_found", `no sync plan ${planId}`);
        if (plan.status !== "open")
          throw new StoreError("conflict", `plan ${planId} was replaced by a newer plan: review that one`);
        let q = trx
          .updateTable("sync_changes")
          .set({ decision, decided_by: actor.name, decided_at: ctx.now() })
          .where("plan_id", "=", planId)
          .where("state", "in", ["planned", "failed"]);
        // "all" is every change a person can approve: a change waiting for an agreement is not one.
        if (seqs === "all") q = q.where(sql<string>`change->>'action'`, "<>", "choose");
        else q = q.where("seq", "in", seqs.length > 0 ? seqs : [-1]);
        const res = await q.executeTakeFirst();
        const n = Number(res.numUpdatedRows);
        if (seqs !== "all" && n !== seqs.length)
          throw new StoreError(
            "conflict",
            "a change is unknown or is already being applied: reload the plan",
          );
        const details = { seqs, decision, changes: n };
        await event(trx, planId, seqs !== "all" && seqs.length === 1 ? seqs[0] : undefined, {
          kind: decision === "pending" ? "reopen" : decision === "approved" ? "approve" : "reject",
          actor: actor.name,
          details,
        });
        await writeAudit(trx, ctx, actor, `sync.${decision}`, `sync-plan:${planId}`, details);
      });
    },

    async updateChange(planId, seq, patch, e) {
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("sync_changes")
          .set({
            state: patch.state,
            ...(patch.result !== undefined ? { result: patch.result } : {}),
            ...(patch.attempt ? { attempts: sql<number>`attempts + 1` } : {}),
          })
          .where("plan_id", "=", planId)
          .where("seq", "=", seq)
          .execute();
        await event(trx, planId, seq, e);
        if (["applied", "conflict", "failed"].includes(patch.state))
          await writeAudit(trx, ctx, e.actor, `sync.${patch.state}`, `sync-plan:${planId}#${seq}`, e.details);
      });
    },

    async withApplyLock(connection, f) {
      if (isExclusive(ctx.db)) {
        if (APPLYING.has(connection)) throw busy(connection);
        APPLYING.add(connection);
        try {
          return await f();
        } finally {
          APPLYING.delete(connection);
        }
      }
      return ctx.db.connection().execute(async (session) => {
        const key = sql<number>`hashtextextended(${`trueup-apply:${connection}`}, 0)`;
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${key}) as ok`.execute(session);
        if (!got.rows[0]?.ok) throw busy(connection);
        try {
          return await f();
        } finally {
          await sql`select pg_advisory_unlock(${key})`.execute(session);
        }
      });
    },

    async logSyncEvent(planId, seq, e) {
      await event(ctx.db, planId, seq, e);
    },

    async syncHistory(filter) {
      let q = ctx.db
        .selectFrom("sync_events")
        .innerJoin("sync_plans", "sync_plans.id", "sync_events.plan_id")
        .select([
          "sync_events.id",
          "sync_events.plan_id",
          "sync_events.seq",
          "sync_events.at",
          "sync_events.actor",
          "sync_events.kind",
          "sync_events.details",
          "sync_plans.connection",
        ]);
      if (filter.connection !== undefined) q = q.where("sync_plans.connection", "=", filter.connection);
      if (filter.planId !== undefined) q = q.where("sync_events.plan_id", "=", filter.planId);
      const [rows, count] = await Promise.all([
        q.orderBy("sync_events.id", "asc").limit(filter.limit).offset(filter.offset).execute(),
        q
          .clearSelect()
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map((r) => ({
          id: r.id,
          planId: r.plan_id,
          connection: r.connection,
          seq: r.seq ?? undefined,
          at: iso(r.at),
          actor: r.actor,
          kind: r.kind,
          details: r.details,
        })),
        total: Number(count.n),
        limit: filter.limit,
        offset: filter.offset,
      };
    },
  };
  return repo;
}

function planView(p: {
  id: number;
  connection: string;
  effective: string;
  include_prices: boolean;
  created_at: Date;
  created_by: string;
  status: "open" | "superseded";
  monthly_impact: string;
  left_as_agreed: Record<string, unknown>[];
}): Omit<SyncPlanView, "changes"> {
  return {
    id: p.id,
    connection: p.connection,
    effective: p.effective,
    includePrices: p.include_prices,
    createdAt: iso(p.created_at),
    createdBy: p.created_by,
    status: p.status,
    monthlyImpact: p.monthly_impact,
    leftAsAgreed: p.left_as_agreed as unknown as LeftAsAgreed[],
  };
}

function changeView(c: {
  seq: number;
  change: Record<string, unknown>;
  decision: SyncChangeView["decision"];
  decided_by: string | null;
  decided_at: Date | null;
  state: SyncChangeView["state"];
  attempts: number;
  result: string | null;
}): SyncChangeView {
  return {
    seq: c.seq,
    change: c.change as unknown as Change,
    decision: c.decision,
    decidedBy: c.decided_by ?? undefined,
    decidedAt: c.decided_at ? iso(c.decided_at) : undefined,
    state: c.state,
    attempts: c.attempts,
    result: c.result ?? undefined,
  };
}
