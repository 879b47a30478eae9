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
  row_count: number;
  imported_by: string;
  imported_at: Timestamp;
}

export interface ImportRowsTable {
  import_id: number;
  line: number;
  fields: JSONColumnType<string[]>;
}

export interface RunsTable {
  id: Generated<number>;
  as_of: string;
  created_at: Timestamp;
  created_by: string;
  /** The ids of the imports the run read (the latest of each source). */
  imports: JSONColumnType<number[]>;
  totals: JSONColumnType<Record<string, unknown>>;
  report: JSONColumnType<Record<string, unknown>>;
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

export interface Schema {
  settings: SettingsTable;
  catalogue: CatalogueTable;
  sources: SourcesTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  runs: RunsTable;
  findings: FindingsTable;
  decisions: DecisionsTable;
  ignored: IgnoredTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditTable;
}
