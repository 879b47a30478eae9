import { bindingTag, secretBinding } from "../connectors/binding.ts";
import type { Connection } from "../connectors/types.ts";
import type { SourceConfig } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import type { Issue } from "../workspace/issues.ts";
import { loadSources, sortIssues } from "../workspace/load.ts";
import { writeAudit } from "./audit.ts";
import { currentConfig } from "./catalogue.ts";
import { type Context, type Executor, iso } from "./context.ts";
import { StoreError } from "./errors.ts";
import { insertImport } from "./import-rows.ts";
import { seal, secretKey, unseal } from "./secrets.ts";
import type { Store } from "./store.ts";

// Connections in the app: their secrets (sealed), and each pull stored as the new import of every
// source that reads the connection, all in one transaction with the connection's status.

type ConnectionRepo = Pick<
  Store,
  | "setSecret"
  | "storedSecrets"
  | "secretNames"
  | "storePull"
  | "recordPullError"
  | "setNextPull"
  | "connectionStatus"
>;

export function connectionRepository(ctx: Context, env: NodeJS.ProcessEnv = process.env): ConnectionRepo {
  return {
    async setSecret(connection, name, value, actor) {
      const conn = await configured(ctx, connection);
      if (!conn) throw new StoreError("not_found", `no connection ${connection}`);
      const key = secretKey(env.TRUEUP_SECRET_KEY);
      const sealed = `${bindingTag(conn)}.${seal(value, key, aad(conn, name))}`;
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("connection_secrets")
          .values({ connection, name, sealed, updated_by: actor.name, updated_at: ctx.now() })
          .onConflict((oc) =>
            oc
              .columns(["connection", "name"])
              .doUpdateSet({ sealed, updated_by: actor.name, updated_at: ctx.now() }),
          )
          .execute();
        await writeAudit(trx, ctx, actor, "connection.secret", `connection:${connection}`, { name });
      });
    },

    async storedSecrets(connection) {
      const [rows, conn] = await Promise.all([secretRows(ctx, connection), configured(ctx, connection)]);
      const usable = conn ? rows.filter((r) => isBound(r.sealed, conn)) : [];
      if (!conn || usable.length === 0) return {};
      const key = secretKey(env.TRUEUP_SECRET_KEY);
      return Object.fromEntries(
        usable.map((r) => [
          r.name,
          unseal(sealedPart(r.sealed), key, aad(conn, r.name), `${connection}/${r.name}`),
        ]),
      );
    },

    async secretNames(connection) {
      const [rows, conn] = await Promise.all([secretRows(ctx, connection), configured(ctx, connection)]);
      return rows.map((r) => ({ name: r.name, usable: conn !== undefined && isBound(r.sealed, conn) }));
    },

    async storePull(connection, pulled, counts, actor) {
      const { config, sourceIds } = await currentConfig(ctx);
      const sources = config.sources.filter((s) => s.connection === connection);
      const issues: Issue[] = [];
      const check = { ...config, sources };
      await loadSources(check, (s) => replay(pulled[s.kind] ?? []), issues);
      for (const s of sources) if (!pulled[s.kind]) issues.push(notProvided(s, connection));
      sortIssues(issues);
      if (issues.some((i) => i.severity === "error")) {
        const first = issues.find((i) => i.severity === "error");
        await saveStatus(ctx.db, ctx, connection, {
          error: `the pull's rows do not read: ${first?.message}`,
        });
        return { issues, imports: 0 };
      }
      await ctx.db.transaction().execute(async (trx) => {
        for (const s of sources) {
          const records = pulled[s.kind] ?? [];
          const sourceId = sourceIds[s.index] as number;
          await insertImport(
            trx,
            ctx,
            { sourceId, fileName: s.file, format: s.format, actor: actor.name },
            records,
          );
        }
        await saveStatus(trx, ctx, connection, { counts });
        await writeAudit(trx, ctx, actor, "connection.pull", `connection:${connection}`, { counts });
      });
      return { issues, imports: sources.length };
    },

    async recordPullError(connection, error) {
      await saveStatus(ctx.db, ctx, connection, { error });
    },

    async setNextPull(connection, at) {
      await ctx.db
        .insertInto("connection_status")
        .values({ connection, counts: JSON.stringify({}), next_pull_at: at ?? null })
        .onConflict((oc) => oc.column("connection").doUpdateSet({ next_pull_at: at ?? null }))
        .execute();
    },

    async connectionStatus() {
      const rows = await ctx.db.selectFrom("connection_status").selectAll().orderBy("connection").execute();
      return rows.map((r) => ({
        connection: r.connection,
        lastPullAt: r.last_pull_at ? iso(r.last_pull_at) : undefined,
        lastSuccessAt: r.last_success_at ? iso(r.last_success_at) : undefined,
        counts: r.counts,
        lastError: r.last_error ?? undefined,
        nextPullAt: r.next_pull_at ? iso(r.next_pull_at) : undefined,
      }));
    },
  };
}

/**
 * Secrets the app keeps for itself rather than for a catalogue connection (the SMTP password of
 * statement e-mails): sealed the same way, bound to this fixed owner. Only an admin sets them.
 */
const APP_SECRET_OWNERS: Record<string, Connection> = {
  smtp: { name: "smtp", kind: "smtp" as Connection["kind"], url: "app:smtp", settings: {}, secretEnv: {} },
};

export async function configured(ctx: Context, name: string): Promise<Connection | undefined> {
  const conn = (await currentConfig(ctx)).config.connections.find((c) => c.name === name);
  return conn ?? APP_SECRET_OWNERS[name];
}

function secretRows(ctx: Context, connection: string) {
  return ctx.db
    .selectFrom("connection_secrets")
    .select(["name", "sealed"])
    .where("connection", "=", connection)
    .orderBy("name")
    .execute();
}

/** The associated data of a sealed secret: its connection, name, kind and addresses. */
export function aad(conn: Connection, name: string): string {
  return `${conn.name}/${name}/${secretBinding(conn)}`;
}

/** `tag.sealed`; a value sealed before secrets were bound has no tag and is never used. */
export function isBound(stored: string, conn: Connection): boolean {
  const dot = stored.indexOf(".");
  return dot > 0 && stored.slice(0, dot) === bindingTag(conn);
}

export function sealedPart(stored: string): string {
  return stored.slice(stored.indexOf(".") + 1);
}

async function saveStatus(
  ex: Executor,
  ctx: Context,
  connection: string,
  o: { counts?: Record<string, number>; error?: string },
): Promise<void> {
  const now = ctx.now();
  const ok = o.error === undefined;
  const values = {
    last_pull_at: now,
    ...(ok ? { last_success_at: now, counts: JSON.stringify(o.counts ?? {}) } : {}),
    last_error: o.error ?? null,
  };
  await ex
    .insertInto("connection_status")
    .values({ connection, counts: JSON.stringify(o.counts ?? {}), ...values })
    .onConflict((oc) => oc.column("connection").doUpdateSet(values))
    .execute();
}

async function* replay(records: readonly CsvRecord[]): AsyncGenerator<CsvRecord> {
  yield* records;
}

function notProvided(s: SourceConfig, connection: string): Issue {
  return {
    severity: "error",
    file: s.file,
    message: `connection ${connection} gives no ${s.kind} rows (sources[${s.index}])`,
  };
}
