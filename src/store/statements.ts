import { createHash, randomBytes } from "node:crypto";
import type { ReconcileInput } from "../core/types.ts";
import { checkLogo } from "../statements/logo.ts";
import type { Logo } from "../statements/render.ts";
import type { Config, SourceConfig } from "../workspace/config.ts";
import { writeAudit } from "./audit.ts";
import { currentConfig } from "./catalogue.ts";
import { type Context, iso } from "./context.ts";
import { StoreError } from "./errors.ts";
import type { ImportRow } from "./import-rows.ts";
import { buildFromRows } from "./input.ts";
import type { Actor } from "./store.ts";

// Client statements in the app (issue 14): the input of a past run rebuilt from the imports it read
// (run history gives the previous month's statement), links that share one issued statement
// read-only with the client, and the SMTP settings for sending them.

export interface StatementLinkView {
  id: number;
  clientId: string;
  month: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  views: number;
}

export interface SharedStatement {
  link: StatementLinkView;
  statement: Record<string, unknown>;
}

export interface MailSettings {
  host: string;
  port: number;
  /** TLS from the start (465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  from: string;
}

export interface RunInput {
  runId: number;
  config: Config;
  input: ReconcileInput;
}

export interface StatementStore {
  /** The input of the latest run whose as-of date is in `month` (YYYY-MM), or of the latest run. */
  runInput(month?: string): Promise<RunInput | undefined>;
  /** Creates a link to an issued statement; the token is returned once and stored only hashed. */
  createStatementLink(
    link: { clientId: string; month: string; statement: Record<string, unknown>; expiresAt: Date },
    actor: Actor,
  ): Promise<{ link: StatementLinkView; token: string }>;
  listStatementLinks(clientId?: string): Promise<StatementLinkView[]>;
  statementLink(id: number): Promise<SharedStatement | undefined>;
  revokeStatementLink(id: number, actor: Actor): Promise<void>;
  /** The statement of a live link (not revoked, not expired), the view counted and audited; else undefined. */
  openStatementLink(token: string, from: string): Promise<SharedStatement | undefined>;
  acknowledgeStatementLink(token: string, name: string, from: string): Promise<SharedStatement | undefined>;
  /** Audits that a link was e-mailed (to whom). */
  noteStatementSent(id: number, to: string, actor: Actor): Promise<void>;
  mailSettings(): Promise<MailSettings | undefined>;
  saveMailSettings(settings: MailSettings, actor: Actor): Promise<void>;
  /** The MSP's logo printed on the app's statements and evidence, if one was uploaded. */
  mspLogo(): Promise<(Logo & { updatedBy: string; updatedAt: string }) | undefined>;
  /** Replaces the logo; refuses (invalid) anything but a readable PNG or JPEG of at most 512 KB. */
  setMspLogo(bytes: Buffer, actor: Actor): Promise<void>;
  /** Removes the logo; removing none changes nothing. */
  removeMspLogo(actor: Actor): Promise<void>;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

type LinkRow = {
  id: number;
  client_id: string;
  month: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  views: number;
};

function toView(r: LinkRow): StatementLinkView {
  return {
    id: r.id,
    clientId: r.client_id,
    month: r.month,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    revokedAt: r.revoked_at ? iso(r.revoked_at) : null,
    acknowledgedAt: r.acknowledged_at ? iso(r.acknowledged_at) : null,
    acknowledgedBy: r.acknowledged_by,
    views: r.views,
  };
}

const LINK_COLUMNS = [
  "id",
  "client_id",
  "month",
  "created_by",
  "created_at",
  "expires_at",
  "revoked_at",
  "acknowledged_at",
  "acknowledged_by",
  "views",
] as const;

/** The latest run (of a month) as the core's input: its imports read again, the current configuration. */
export async function runInput(ctx: Context, month?: string): Promise<RunInput | undefined> {
  let q = ctx.db.selectFrom("runs").select(["id", "as_of", "imports"]).orderBy("id", "desc").limit(1);
  if (month !== undefined) q = q.where("as_of", "like", `${month}-%`);
  const run = await q.executeTakeFirst();
  if (!run) return undefined;
  const { config, sourceIds } = await currentConfig(ctx);
  const ids = run.imports;
  const imports =
    ids.length === 0 ? [] : await ctx.db.selectFrom("imports").selectAll().where("id", "in", ids).execute();
  const importOf = (s: SourceConfig): ImportRow | undefined =>
    imports.find((i) => i.source_id === sourceIds[s.index]) as ImportRow | undefined;
  const sources = config.sources.filter((s) => importOf(s) !== undefined);
  const input = await buildFromRows(ctx, { ...config, sources }, importOf);
  return { runId: run.id, config, input: { ...input, asOf: run.as_of } };
}

export function statementRepository(ctx: Context): StatementStore {
  const live = async (token: string) => {
    const row = await ctx.db
      .selectFrom("statement_links")
      .select([...LINK_COLUMNS, "statement"])
      .where("token_hash", "=", hashToken(token))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.expires_at.getTime() <= ctx.now().getTime()) return undefined;
    return row;
  };
  return {
    runInput: (month) => runInput(ctx, month),

    async createStatementLink(link, actor) {
      // 128 bits from the system's CSPRNG; only its hash is stored.
      const token = randomBytes(16).toString("base64url");
      const row = await ctx.db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto("statement_links")
          .values({
            token_hash: hashToken(token),
            client_id: link.clientId,
            month: link.month,
            statement: JSON.stringify(link.statement),
            created_by: actor.name,
            created_at: ctx.now(),
            expires_at: link.expiresAt,
          })
          .returning(LINK_COLUMNS)
          .executeTakeFirstOrThrow();
        await writeAudit(trx, ctx, actor, "statement.share", `client:${link.clientId}`, {
          link: r.id,
          month: link.month,
          expiresAt: link.expiresAt.toISOString(),
        });
        return r;
      });
      return { link: toView(row), token };
    },

    async listStatementLinks(clientId) {
      let q = ctx.db.selectFrom("statement_links").select(LINK_COLUMNS).orderBy("id", "desc");
      if (clientId !== undefined) q = q.where("client_id", "=", clientId);
      return (await q.execute()).map(toView);
    },

    async statementLink(id) {
      const row = await ctx.db
        .selectFrom("statement_links")
        .select([...LINK_COLUMNS, "statement"])
        .where("id", "=", id)
        .executeTakeFirst();
      return row && { link: toView(row), statement: row.statement };
    },

    async revokeStatementLink(id, actor) {
      await ctx.db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable("statement_links")
          .set({ revoked_at: ctx.now() })
          .where("id", "=", id)
          .where("revoked_at", "is", null)
          .returning(["client_id"])
          .executeTakeFirst();
        if (!r) {
          // Revoking a revoked link changes nothing; an unknown one is an error.
          const known = await trx
            .selectFrom("statement_links")
            .select("id")
            .where("id", "=", id)
            .executeTakeFirst();
          if (!known) throw new StoreError("not_found", `no statement link ${id}`);
          return;
        }
        await writeAudit(trx, ctx, actor, "statement.revoke", `client:${r.client_id}`, { link: id });
      });
    },

    async openStatementLink(token, from) {
      const row = await live(token);
      if (!row) return undefined;
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("statement_links")
          .set((eb) => ({ views: eb("views", "+", 1) }))
          .where("id", "=", row.id)
          .execute();
        await writeAudit(trx, ctx, `client (${from})`, "statement.view", `client:${row.client_id}`, {
          link: row.id,
          month: row.month,
        });
      });
      return { link: toView({ ...row, views: row.views + 1 }), statement: row.statement };
    },

    async acknowledgeStatementLink(token, name, from) {
      const row = await live(token);
      if (!row) return undefined;
      const at = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("statement_links")
          .set({ acknowledged_at: at, acknowledged_by: name })
          .where("id", "=", row.id)
          .execute();
        await writeAudit(trx, ctx, `client (${from})`, "statement.acknowledge", `client:${row.client_id}`, {
          link: row.id,
          month: row.month,
          name,
        });
      });
      return {
        link: toView({ ...row, acknowledged_at: at, acknowledged_by: name }),
        statement: row.statement,
      };
    },

    async noteStatementSent(id, to, actor) {
      const row = await ctx.db
        .selectFrom("statement_links")
        .select("client_id")
        .where("id", "=", id)
        .executeTakeFirst();
      await writeAudit(ctx.db, ctx, actor, "statement.send", `client:${row?.client_id ?? "?"}`, {
        link: id,
        to,
      });
    },

    async mailSettings() {
      const row = await ctx.db
        .selectFrom("settings")
        .select("value")
        .where("key", "=", "mail")
        .executeTakeFirst();
      return row?.value as MailSettings | undefined;
    },

    async saveMailSettings(settings, actor) {
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("settings")
          .values({ key: "mail", value: JSON.stringify(settings) })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(settings) }))
          .execute();
        await writeAudit(trx, ctx, actor, "mail.settings", "settings:mail", {
          host: settings.host,
          port: settings.port,
        });
      });
    },

    async mspLogo() {
      const row = await ctx.db.selectFrom("msp_logo").selectAll().where("id", "=", 1).executeTakeFirst();
      return (
        row && {
          bytes: Buffer.from(row.data),
          mime: row.mime,
          updatedBy: row.updated_by,
          updatedAt: iso(row.updated_at),
        }
      );
    },

    async setMspLogo(bytes, actor) {
      const checked = await checkLogo(bytes);
      if ("problem" in checked) throw new StoreError("invalid", `logo: ${checked.problem}`);
      const { mime } = checked.logo;
      const values = { mime, data: bytes, updated_by: actor.name, updated_at: ctx.now() };
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("msp_logo")
          .values({ id: 1, ...values })
          .onConflict((oc) => oc.column("id").doUpdateSet(values))
          .execute();
        await writeAudit(trx, ctx, actor, "msp.logo", "settings:msp", { mime, bytes: bytes.length });
      });
    },

    async removeMspLogo(actor) {
      await ctx.db.transaction().execute(async (trx) => {
        const gone = await trx.deleteFrom("msp_logo").where("id", "=", 1).returning("id").executeTakeFirst();
        if (gone) await writeAudit(trx, ctx, actor, "msp.logo.remove", "settings:msp");
      });
    },
  };
}
