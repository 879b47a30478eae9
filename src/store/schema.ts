import type { ColumnType, Generated, JSONColumnType } from "kysely";

// The database's tables, as Kysely sees them. Money is `numeric` and travels as a string; dates are
// ISO text; timestamps are timestamptz.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SettingsTable {
  key: string;
  value: JSONColumnType<object>;
}

/** The catalogue and clients: one row each, the YAML item kept whole as JSON (order by position). */
export interface CatalogueTable {
  kind: "service" | "bundle" | "client";
  id: string;
  position: number;
  item: JSONColumnType<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface SourcesTable {
  id: Generated<number>;
  /** Index in trueup.yaml's sources; -1 for a source no longer listed (its imports are kept). */
  position: number;
  /** The source entry as in trueup.yaml (kind, format, file, vendor, deployment, client). */
  spec: JSONColumnType<Record<string, unknown>>;
}

/** One load of one source's file: a dated snapshot of its rows (its header, then each record's fields). */
export interface ImportsTable {
  id: Generated<number>;
  source_id: number;
  file_name: string;
  format: string;
  header: JSONColumnType<string[]>;
  /** The file's separator (`,` `;` or tab): a `;` file's amounts may have decimal commas. */
  delimiter: Generated<string>;
  row_count: number;
  imported_by: string;
  imported_at: Timestamp;
}

export interface ImportChunksTable {
  import_id: number;
  first_line: number;
  /** The JSON text of the chunk's records as `[line, fields]` pairs, in line order (import-rows.ts). */
  records: string;
}

export interface RunsTable {
  id: Generated<number>;
  as_of: string;
  created_at: Timestamp;
  created_by: string;
  /** The ids of the imports the run read (the latest of each source). */
  imports: JSONColumnType<number[]>;
  totals: JSONColumnType<Record<string, unknown>>;
  /** The report's JSON text as the run wrote it (spec section 6), parsed when read. */
  report: string;
}

export interface FindingsTable {
  run_id: number;
  client_id: string;
  type: string;
  subject: string;
  expected: string | null;
  actual: string | null;
  monthly_impact: string;
  evidence: JSONColumnType<string[]>;
  /** client|type|subject: the same finding across runs. */
  key: string;
  /** expected|actual|impact: a decision holds while these do not change. */
  figures: string;
  /** Order of the finding in the run's report. */
  position: ColumnType<number, number | undefined, number>;
  /** The client's name as of the run. */
  client_name: ColumnType<string, string | undefined, string>;
}

export interface DecisionsTable {
  key: string;
  status: "accepted" | "dismissed";
  reason: string | null;
  figures: string;
  decided_by: string;
  decided_at: Timestamp;
  /** A dismissal that holds until this date (YYYY-MM-DD, UTC): from that day on the finding is open. */
  until: string | null;
}

export interface IgnoredTable {
  kind: "account" | "sku" | "product";
  value: string;
  ignored_by: string;
  ignored_at: Timestamp;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: "admin" | "billing" | "viewer";
  created_at: Timestamp;
  /** Set for a generated one-time password, cleared when the account chooses its own. */
  must_change_password: Generated<boolean>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string;
  at: Timestamp;
}

export interface AuditTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  action: string;
  entity: string;
  details: JSONColumnType<Record<string, unknown>>;
}

/** A connection's secret, AES-256-GCM under TRUEUP_SECRET_KEY (secrets.ts): never stored in clear. */
export interface ConnectionSecretsTable {
  connection: string;
  name: string;
  /** base64 of iv (12 bytes) + tag (16 bytes) + ciphertext. */
  sealed: string;
  updated_by: string;
  updated_at: Timestamp;
}

/** The last pull of each connection, for the connections page. */
export interface ConnectionStatusTable {
  connection: string;
  last_pull_at: Timestamp | null;
  last_success_at: Timestamp | null;
  counts: JSONColumnType<Record<string, number>>;
  last_error: string | null;
  next_pull_at: Timestamp | null;
}

export interface SyncPlansTable {
  id: Generated<number>;
  connection: string;
  effective: string;
  include_prices: boolean;
  created_at: Timestamp;
  created_by: string;
  /** open: may be applied; superseded: a newer plan of the connection replaced it. */
  status: "open" | "superseded";
  monthly_impact: string;
  /** The changes left out because a person dismissed their finding (sync/plan.ts LeftAsAgreed[]). */
  left_as_agreed: ColumnType<Record<string, unknown>[], string | undefined, string>;
}

/** One change of a plan: the plan's Change as JSON, its approval and its application. */
export interface SyncChangesTable {
  plan_id: number;
  seq: number;
  change: JSONColumnType<Record<string, unknown>>;
  decision: "pending" | "approved" | "rejected";
  decided_by: string | null;
  decided_at: Timestamp | null;
  /** planned -> applying -> applied | conflict | failed (failed is retried by the next apply). */
  state: "planned" | "applying" | "applied" | "conflict" | "failed";
  attempts: number;
  result: string | null;
}

/** The sync's own log: every approval, attempt, request, answer and outcome. */
export interface SyncEventsTable {
  id: Generated<number>;
  plan_id: number;
  seq: number | null;
  at: Timestamp;
  actor: string;
  kind: string;
  details: JSONColumnType<Record<string, unknown>>;
}

/** A read-only link to one issued statement (issue 14): the token is kept only as its SHA-256. */
export interface StatementLinksTable {
  id: Generated<number>;
  token_hash: string;
  client_id: string;
  month: string;
  /** The statement as issued (statements/statement.ts), frozen: the client sees what was sent. */
  statement: JSONColumnType<Record<string, unknown>>;
  created_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  acknowledged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  acknowledged_by: string | null;
  views: Generated<number>;
}

/** The MSP's logo (0007): a single row, id 1. */
export interface MspLogoTable {
  id: number;
  mime: string;
  /** Buffer from node-postgres, Uint8Array from PGlite. */
  data: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
  updated_by: string;
  updated_at: Timestamp;
}

/** The sandbox PSA's lines (0008); seed_* are null for a line the sync created (a reset removes it). */
export interface SandboxLinesTable {
  id: Generated<number>;
  connection: string;
  account: string;
  agreement: string;
  product: string;
  description: string;
  quantity: string;
  unit_price: string;
  start_date: string;
  seed_quantity: string | null;
  seed_unit_price: string | null;
}

export interface Schema {
  sandbox_lines: SandboxLinesTable;
  msp_logo: MspLogoTable;
  statement_links: StatementLinksTable;
  connection_secrets: ConnectionSecretsTable;
  connection_status: ConnectionStatusTable;
  sync_plans: SyncPlansTable;
  sync_changes: SyncChangesTable;
  sync_events: SyncEventsTable;
  settings: SettingsTable;
  catalogue: CatalogueTable;
  sources: SourcesTable;
  imports: ImportsTable;
  import_chunks: ImportChunksTable;
  runs: RunsTable;
  findings: FindingsTable;
  decisions: DecisionsTable;
  ignored: IgnoredTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditTable;
}
