import { type Context, type Executor, iso } from "./context.ts";
import type { Actor, AuditEntry, Page, Paged, Store } from "./store.ts";

// The audit log: one row per change, written in the change's own transaction. Details never hold a
// password, a session token or a CSRF value.

export async function writeAudit(
  ex: Executor,
  ctx: Context,
  actor: Actor | string,
  action: string,
  entity: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await ex
    .insertInto("audit_log")
    .values({
      at: ctx.now(),
      actor: typeof actor === "string" ? actor : actor.name,
      action,
      entity,
      details: JSON.stringify(details),
    })
    .execute();
}

export function auditRepository(ctx: Context): Pick<Store, "audit"> {
  return {
    async audit(page: Page): Promise<Paged<AuditEntry>> {
      const [rows, count] = await Promise.all([
        ctx.db
          .selectFrom("audit_log")
          .selectAll()
          .orderBy("id", "desc")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        ctx.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map((r) => ({
          id: r.id,
          at: iso(r.at),
          actor: r.actor,
          action: r.action,
          entity: r.entity,
          details: r.details,
        })),
        total: Number(count.n),
        limit: page.limit,
        offset: page.offset,
      };
    },
  };
}
