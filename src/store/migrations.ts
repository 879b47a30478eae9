import { type Kysely, type Migration, Migrator, sql } from "kysely";
import { StoreError } from "./errors.ts";

// Migrations live in code, run on every start, and are the same for PGlite and PostgreSQL. They only
// go forward (no down steps): a release adds migrations after the last one and never edits one.

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("settings")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "jsonb", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("catalogue")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("item", "jsonb", (c) => c.notNull())
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint("catalogue_pk", ["kind", "id"])
      .execute();
    await db.schema
      .createTable("sources")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("spec", "jsonb", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("imports")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("source_id", "integer", (c) => c.notNull().references("sources.id").onDelete("cascade"))
      .addColumn("file_name", "text", (c) => c.notNull())
      .addColumn("format", "text", (c) => c.notNull())
      .addColumn("header", "jsonb", (c) => c.notNull())
      .addColumn("row_count", "integer", (c) => c.notNull())
      .addColumn("imported_by", "text", (c) => c.notNull())
      .addColumn("imported_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable("import_rows")
      .addColumn("import_id", "integer", (c) => c.notNull().references("imports.id").onDelete("cascade"))
      .addColumn("line", "integer", (c) => c.notNull())
      .addColumn("fields", "jsonb", (c) => c.notNull())
      .addPrimaryKeyConstraint("import_rows_pk", ["import_id", "line"])
      .execute();
    await db.schema
      .createTable("runs")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("as_of", "text", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("imports", "jsonb", (c) => c.notNull())
      .addColumn("totals", "jsonb", (c) => c.notNull())
      .addColumn("report", "jsonb", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("findings")
      .addColumn("run_id", "integer", (c) => c.notNull().references("runs.id").onDelete("cascade"))
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("expected", "text")
      .addColumn("actual", "text")
      .addColumn("monthly_impact", "numeric", (c) => c.notNull())
      .addColumn("evidence", "jsonb", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("figures", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("findings_run")
      .on("findings")
      .columns(["run_id", "client_id", "type"])
      .execute();
    await db.schema
      .createTable("decisions")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("reason", "text")
      .addColumn("figures", "text", (c) => c.notNull())
      .addColumn("decided_by", "text", (c) => c.notNull())
      .addColumn("decided_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable("ignored")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("ignored_by", "text", (c) => c.notNull())
      .addColumn("ignored_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint("ignored_pk", ["kind", "value"])
      .execute();
    await db.schema
      .createTable("users")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("email", "text", (c) => c.notNull().unique())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable("sessions")
      .addColumn("token_hash", "text", (c) => c.primaryKey())
      .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("csrf", "text", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable("login_attempts")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("ip", "text", (c) => c.notNull())
      .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable("audit_log")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("entity", "text", (c) => c.notNull())
      .addColumn("details", "jsonb", (c) => c.notNull())
      .execute();
  },
};

// Findings keep the report's order and the client's name as of the run; look-ups by key, by source and
// by time get indexes.
const findingsOrder: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("findings")
      .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("findings")
      .addColumn("client_name", "text", (c) => c.notNull().defaultTo(""))
      .execute();
    await db.schema
      .createIndex("findings_run_position")
      .on("findings")
      .columns(["run_id", "position"])
      .execute();
    await db.schema.createIndex("findings_key").on("findings").columns(["key", "run_id"]).execute();
    await db.schema.createIndex("imports_source").on("imports").columns(["source_id", "id"]).execute();
    await db.schema
      .createIndex("login_attempts_email")
      .on("login_attempts")
      .columns(["email", "at"])
      .execute();
    await db.schema.createIndex("login_attempts_ip").on("login_attempts").columns(["ip", "at"]).execute();
    await db.schema.createIndex("sessions_user").on("sessions").columns(["user_id"]).execute();
  },
};

// Connections (encrypted secrets, pull status) and the PSA sync (plans, changes, their log).
const sync: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("connection_secrets")
      .addColumn("connection", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("sealed", "text", (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .addColumn("updated_at", "timestamptz", (c) => c.notNull())
      .addPrimaryKeyConstraint("connection_secrets_pk", ["connection", "name"])
      .execute();
    await db.schema
      .createTable("connection_status")
      .addColumn("connection", "text", (c) => c.primaryKey())
      .addColumn("last_pull_at", "timestamptz")
      .addColumn("last_success_at", "timestamptz")
      .addColumn("counts", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn("last_error", "text")
      .addColumn("next_pull_at", "timestamptz")
      .execute();
    await db.schema
      .createTable("sync_plans")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("connection", "text", (c) => c.notNull())
      .addColumn("effective", "text", (c) => c.notNull())
      .addColumn("include_prices", "boolean", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("monthly_impact", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("sync_changes")
      .addColumn("plan_id", "integer", (c) => c.notNull().references("sync_plans.id").onDelete("cascade"))
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("change", "jsonb", (c) => c.notNull())
      .addColumn("decision", "text", (c) => c.notNull())
      .addColumn("decided_by", "text")
      .addColumn("decided_at", "timestamptz")
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("result", "text")
      .addPrimaryKeyConstraint("sync_changes_pk", ["plan_id", "seq"])
      .execute();
    await db.schema
      .createTable("sync_events")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("plan_id", "integer", (c) => c.notNull().references("sync_plans.id").onDelete("cascade"))
      .addColumn("seq", "integer")
      .addColumn("at", "timestamptz", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("details", "jsonb", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("sync_events_plan").on("sync_events").columns(["plan_id", "id"]).execute();
    await db.schema
      .createIndex("sync_plans_connection")
      .on("sync_plans")
      .columns(["connection", "id"])
      .execute();
  },
};

// An account created with a generated one-time password must choose its own at first sign-in.
// Accounts that exist already keep the passwords they have (nothing tells which were generated).
const mustChangePassword: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("users")
      .addColumn("must_change_password", "boolean", (c) => c.notNull().defaultTo(false))
      .execute();
  },
};

// Decisions drive the money (issue 10): a dismissal may hold until a date, and a sync plan keeps the
// changes it left out because a person agreed to the difference.
const decisionsDriveMoney: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("decisions").addColumn("until", "text").execute();
    await db.schema
      .alterTable("sync_plans")
      .addColumn("left_as_agreed", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .execute();
  },
};

// Shared client statements (issue 14): links by token hash, each holding the statement as issued.
const statementLinks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("statement_links")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("month", "text", (c) => c.notNull())
      .addColumn("statement", "jsonb", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("revoked_at", "timestamptz")
      .addColumn("acknowledged_at", "timestamptz")
      .addColumn("acknowledged_by", "text")
      .addColumn("views", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex("statement_links_client")
      .on("statement_links")
      .columns(["client_id", "id"])
      .execute();
  },
};

// The MSP's logo for statements made in the app (issue 14), which has no workspace folder to read a
// file from: one row at most, the image's bytes as uploaded.
const mspLogo: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("msp_logo")
      .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn("mime", "text", (c) => c.notNull())
      .addColumn("data", "bytea", (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .addColumn("updated_at", "timestamptz", (c) => c.notNull())
      .execute();
  },
};

// The sandbox PSA (issue 13 item 6): a pretend PSA whose lines the app keeps itself, for the demo's
// sync. The seed columns keep each line as it was set up, so that a reset brings the sandbox back.
const sandboxPsa: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("sandbox_lines")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("connection", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("agreement", "text", (c) => c.notNull())
      .addColumn("product", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("quantity", "text", (c) => c.notNull())
      .addColumn("unit_price", "text", (c) => c.notNull())
      .addColumn("start_date", "text", (c) => c.notNull())
      .addColumn("seed_quantity", "text")
      .addColumn("seed_unit_price", "text")
      .execute();
    await db.schema
      .createIndex("sandbox_lines_connection")
      .on("sandbox_lines")
      .columns(["connection", "id"])
      .execute();
  },
};

/** An import keeps its file's separator: a `;` file reads decimal commas ("165,00") as Excel writes them. */
const importDelimiter: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("imports")
      .addColumn("delimiter", "text", (c) => c.notNull().defaultTo(","))
      .execute();
  },
};

/**
 * An import's records are stored in chunks of some thousands, each the JSON text of its `[line, fields]`
 * pairs, rather than one row per record: a 400,000-row workspace is written in 82 rows instead of
 * 400,000 (the embedded database took five seconds for those), and read back as text that the
 * store's worker parses, not the thread that answers requests.
 */
const importChunks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("import_chunks")
      .addColumn("import_id", "integer", (c) => c.notNull().references("imports.id").onDelete("cascade"))
      .addColumn("first_line", "integer", (c) => c.notNull())
      .addColumn("records", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("import_chunks_pk", ["import_id", "first_line"])
      .execute();
    await sql`insert into import_chunks (import_id, first_line, records)
      select import_id, min(line), jsonb_agg(jsonb_build_array(line, fields) order by line)::text
      from (select import_id, line, fields, (row_number() over (partition by import_id order by line) - 1) / 5000 as chunk
            from import_rows) numbered
      group by import_id, chunk`.execute(db);
    await db.schema.dropTable("import_rows").execute();
  },
};

/**
 * A run's report is kept as the JSON text the run wrote, not as jsonb: nothing queries inside it, and
 * the embedded database's memory (WebAssembly's, which never shrinks) reached what turning 9 MB of
 * JSON into jsonb and back took. With 2,000 clients, reading one report back as jsonb touched 47 MB of
 * it and writing one 62 MB more; as text, 8 MB. It is read back with the report's own key order.
 */
const runReportText: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table runs alter column report type text using report::text`.execute(db);
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_findings_order": findingsOrder,
  "0003_connections_sync": sync,
  "0004_must_change_password": mustChangePassword,
  "0005_decisions_drive_money": decisionsDriveMoney,
  "0006_statement_links": statementLinks,
  "0007_msp_logo": mspLogo,
  "0008_sandbox_psa": sandboxPsa,
  "0009_import_delimiter": importDelimiter,
  "0010_import_chunks": importChunks,
  "0011_run_report_text": runReportText,
};

/** The migrations this version knows, in order: only forward, never edited once released. */
export const MIGRATION_NAMES = Object.keys(MIGRATIONS);

export interface MigrationState {
  applied: string[];
  /** Known here, not yet applied. */
  pending: string[];
  /** Applied to the database by a newer version of Trueup: this one must not use it. */
  unknown: string[];
}

/** What the database has applied, read without changing anything (none on a new database). */
export async function migrationState(
  db: Kysely<unknown>,
  known: readonly string[] = MIGRATION_NAMES,
): Promise<MigrationState> {
  const found = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
    where table_schema = current_schema() and table_name = 'kysely_migration'`.execute(db);
  const applied =
    (found.rows[0]?.n ?? 0) > 0
      ? (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map(
          (r) => r.name,
        )
      : [];
  return {
    applied,
    pending: known.filter((n) => !applied.includes(n)),
    unknown: applied.filter((n) => !known.includes(n)),
  };
}

export function newerDatabaseMessage(unknown: readonly string[]): string {
  return (
    `the database was upgraded by a newer version of Trueup (migration${unknown.length === 1 ? "" : "s"} ` +
    `${unknown.join(", ")} unknown to this one): run that version, or restore a backup made before the ` +
    "upgrade. Nothing was changed."
  );
}

/**
 * Brings the schema up to date, one migration per transaction: a migration that fails leaves no trace,
 * and those before it stay applied. Refuses a database that a newer version has migrated.
 */
export async function migrate(
  db: Kysely<unknown>,
  migrations: Record<string, Migration> = MIGRATIONS,
): Promise<void> {
  const { unknown, pending } = await migrationState(db, Object.keys(migrations));
  if (unknown.length > 0) throw new StoreError("conflict", newerDatabaseMessage(unknown));
  if (pending.length === 0) return;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  for (;;) {
    const { error, results } = await migrator.migrateUp();
    const failed = results?.find((r) => r.status === "Error");
    if (error) throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
    if (!results || results.length === 0) return;
  }
}
