import type { SandboxBook } from "../connectors/types.ts";
import type { Explanation } from "../core/explain.ts";
import type { TotalKey } from "../core/findings.ts";
import type { Change, LeftAsAgreed, Plan } from "../sync/plan.ts";
import type { Config, SourceKind } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import type { Issue } from "../workspace/issues.ts";
import type { ReadWorkspace } from "./read-workspace.ts";
import type { Catalogue, MarginJson, WhatIfJson } from "./run-engine.ts";
import type { StatementStore } from "./statements.ts";

// The application's data, as the server and the CLI use it. `createStore(db)` (store/index.ts)
// implements it over Kysely; every change is one transaction and writes an audit entry.
// Expected refusals throw a StoreError (store/errors.ts: code not_found | conflict | invalid, with its
// HTTP statusCode); stored data that cannot be reconciled throw a WorkspaceError with every issue.
// Returned issues may be warnings only: something was stored when no issue is an error.

export type Role = "admin" | "billing" | "viewer";
export type FindingStatus = "open" | "accepted" | "dismissed";

export interface Page {
  limit: number;
  offset: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Actor {
  /** The account's email, or "cli" / "system". */
  name: string;
}

export interface UserView {
  id: number;
  email: string;
  role: Role;
  createdAt: string;
}

export interface SessionView {
  user: UserView;
  csrf: string;
  expiresAt: string;
  /** The account signed in with a generated one-time password and must choose its own first. */
  mustChangePassword: boolean;
}

export interface SourceView {
  id: number;
  kind: string;
  format: string;
  file: string;
  vendor?: string;
  deployment?: string;
  client?: string;
  lastImport?: ImportView;
}

/** A source with imported data that a catalogue save would retire (its imports kept as history). */
export interface DetachedSource {
  id: number;
  kind: string;
  format: string;
  file: string;
  connection?: string;
  lastImport?: ImportView;
}

export interface ImportView {
  id: number;
  sourceId: number;
  fileName: string;
  format: string;
  rowCount: number;
  importedBy: string;
  importedAt: string;
}

export interface ImportPreview {
  header: string[];
  /** The first rows, as read. */
  rows: string[][];
  rowCount: number;
  /** Every error with its line; when there is one, nothing may be stored. */
  issues: Issue[];
}

export interface RunView {
  id: number;
  asOf: string;
  createdAt: string;
  createdBy: string;
  /** The report's totals, money as two-place strings. */
  totals: Record<string, string | number>;
}

export interface FindingView {
  runId: number;
  clientId: string;
  clientName: string;
  type: string;
  subject: string;
  expected: string | number | null;
  actual: string | number | null;
  monthlyImpact: string;
  evidence: string[];
  /** client|type|subject: the same finding across runs. */
  key: string;
  status: FindingStatus;
  reason?: string;
  decidedBy?: string;
  /** A dismissal that holds until this date (YYYY-MM-DD): from that day on the finding is open again. */
  until?: string;
}

/** A stored decision that holds today (an expired dismissal is left out). */
export interface DecisionView {
  key: string;
  status: "accepted" | "dismissed";
  reason?: string;
  /** expected|actual|monthlyImpact of the finding it was taken on: it holds while they are the same. */
  figures: string;
  decidedBy: string;
  decidedAt: string;
  until?: string;
}

/** Findings of a run by status: how many, and their monthly impact. */
export type FindingTotals = Record<FindingStatus, { impact: string; findings: number }>;

export interface FindingFilter extends Page {
  runId?: number;
  clientId?: string;
  type?: string;
  status?: FindingStatus;
  /** Words that must all appear (any case) in the client's id or name, the subject or its name, or the evidence. */
  q?: string;
  /** Only the findings that count towards this total of the dashboard (PRICE_MISMATCH by its direction). */
  total?: TotalKey;
  /** subject -> catalogue name, for `q` (bundle:gold-user is found as "Gold"). */
  names?: ReadonlyMap<string, string>;
  /** The order of the list; the report's order without it. Ties keep the report's order. */
  sort?: FindingSort;
  order?: "asc" | "desc";
}

export const FINDING_SORTS = [
  "impact",
  "client",
  "type",
  "subject",
  "expected",
  "actual",
  "evidence",
  "status",
] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

/** What the findings totals can be narrowed by. */
export type TotalsFilter = Pick<FindingFilter, "runId" | "clientId" | "type" | "q" | "names" | "total">;

export interface RunDiff {
  from: number;
  to: number;
  appeared: FindingView[];
  fixed: FindingView[];
  changed: { before: FindingView; after: FindingView }[];
}

export interface UnmappedItem {
  kind: "account" | "sku" | "product";
  /** account: the system (psa, rmm, microsoft, a vendor or deployment); sku: the vendor. */
  system: string;
  value: string;
  /** file:line of the rows that carry it in the latest run. */
  evidence: string[];
  /** The money on its rows a month: what nobody reconciles while it is unmapped. */
  monthly: string;
  /** The rows behind it, as read now, most money first. */
  rows: UnmappedRow[];
}

/** A source row of an unmapped item: what it is, and the money on it. */
export interface UnmappedRow {
  /** file:line */
  ref: string;
  kind: "billing" | "licences" | "users" | "devices" | "deployments";
  account?: string;
  agreement?: string;
  product?: string;
  sku?: string;
  vendor?: string;
  /** A user's UPN or a device's hostname. */
  name?: string;
  quantity?: number;
  unitPrice?: string;
  unitCost?: string;
  /** billing: quantity x unitPrice; licences: quantity x unitCost (0 where the row gives none); else 0. */
  monthly: string;
}

export type Mapping =
  | { kind: "account"; system: string; value: string; clientId: string }
  | {
      /**
       * An account of a client that has left: recorded on the client (`clientId`, created with `name`
       * when there is none) with `ended` (YYYY-MM-DD), so that the next run shows what still runs.
       */
      kind: "former";
      system: string;
      value: string;
      clientId: string;
      name?: string;
      ended: string;
    }
  | { kind: "sku"; system: string; value: string; serviceId: string }
  | { kind: "product"; value: string; target: { kind: "bundle" | "service"; id: string } }
  | { kind: "ignore"; item: "account" | "sku" | "product"; system: string; value: string };

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  details: Record<string, unknown>;
}

export interface SyncChangeView {
  seq: number;
  change: Change;
  decision: "pending" | "approved" | "rejected";
  decidedBy?: string;
  decidedAt?: string;
  state: "planned" | "applying" | "applied" | "conflict" | "failed";
  attempts: number;
  result?: string;
}

export interface SyncPlanView {
  id: number;
  connection: string;
  effective: string;
  includePrices: boolean;
  createdAt: string;
  createdBy: string;
  status: "open" | "superseded";
  monthlyImpact: string;
  /** Differences a person dismissed (figures unchanged): no change was proposed for them. */
  leftAsAgreed: LeftAsAgreed[];
  changes: SyncChangeView[];
}

export interface SyncEventView {
  id: number;
  planId: number;
  connection: string;
  seq?: number;
  at: string;
  actor: string;
  kind: string;
  details: Record<string, unknown>;
}

export interface ConnectionStatusView {
  connection: string;
  lastPullAt?: string;
  lastSuccessAt?: string;
  counts: Record<string, number>;
  lastError?: string;
  nextPullAt?: string;
}

/** A pull's rows for the sources that read the connection: canonical CSV records, header first. */
export type PulledRecords = Partial<Record<SourceKind, CsvRecord[]>>;

export interface Store extends StatementStore {
  // Catalogue and clients (the workspace's trueup.yaml).
  loadConfig(): Promise<Config>;
  /**
   * Replaces the catalogue, clients, rules and source list after validating them as `validate` does.
   * Sources keep their id (and imports) across edits; a removed source is retired, never deleted.
   */
  saveConfig(config: Config, actor: Actor): Promise<{ issues: Issue[] }>;
  /** trueup.yaml text of the current configuration, and a save from edited text (errors with YAML lines). */
  configYaml(): Promise<string>;
  /** `keepConnections`: refuse (403) a text whose `connections:` differ from the stored ones. */
  saveConfigYaml(
    text: string,
    actor: Actor,
    opts?: { keepConnections?: boolean },
  ): Promise<{ issues: Issue[] }>;
  /** Checks trueup.yaml text and says which sources with imported data saving it would retire; stores nothing. */
  checkConfigYaml(text: string): Promise<{ issues: Issue[]; detached: DetachedSource[] }>;

  // Sources and imports.
  listSources(): Promise<SourceView[]>;
  /**
   * Reads a file for a source and reports every error; stores nothing. Unknown source: not_found.
   * `content` (here and in importFile) is handed to the store's reader thread when it is a buffer of
   * its own, as an uploaded body is: it is empty afterwards.
   */
  previewImport(sourceId: number, fileName: string, content: Buffer): Promise<ImportPreview>;
  /** Stores the file as the source's new snapshot, all or nothing; refuses a file with any error. */
  importFile(
    sourceId: number,
    fileName: string,
    content: Buffer,
    actor: Actor,
  ): Promise<{ import?: ImportView; issues: Issue[] }>;
  listImports(page: Page): Promise<Paged<ImportView>>;
  /**
   * A whole workspace folder in one transaction (nothing is written if any part fails). `read`: the
   * folder already being read (readWorkspaceFolder), so that the reading need not wait for the
   * database to open.
   */
  importWorkspace(
    dir: string,
    actor: Actor,
    read?: Promise<ReadWorkspace>,
  ): Promise<{ issues: Issue[]; imports: number; rows: number }>;
  /** Writes the database back as a workspace folder (trueup.yaml + the latest snapshot of each source). */
  exportWorkspace(dir: string): Promise<void>;

  // Reconciliation runs (history: a run is never rewritten).
  reconcile(opts: { asOf?: string; today: string }, actor: Actor): Promise<RunView>;
  listRuns(page: Page): Promise<Paged<RunView>>;
  latestRun(): Promise<RunView | undefined>;
  /** The run's full report (spec section 6 JSON). */
  runReport(runId: number): Promise<Record<string, unknown> | undefined>;
  /**
   * Forgets the runs kept in memory but the newest (read again from the database when next asked):
   * 40 MB each with 2,000 clients. What a server idle for a minute does (server/idle-collect.ts).
   */
  forgetOlderRuns(): void;
  diffRuns(from: number, to: number): Promise<RunDiff>;
  listFindings(filter: FindingFilter): Promise<Paged<FindingView>>;
  /** The findings of a run (the latest by default) by status: how many, and their monthly impact. */
  findingTotals(filter: TotalsFilter): Promise<FindingTotals>;
  /** The findings of a run with this key, evidence complete (several only for PRICE_MISMATCH). */
  findingsWithKey(runId: number, key: string): Promise<FindingView[]>;
  /** The billable users and devices behind a client's counts, from the current data (core/explain.ts). */
  explainClient(clientId: string, asOf?: string): Promise<Explanation | undefined>;
  /**
   * Makes ready, before anyone asks, what the first client page needs: each client's rows of the
   * current data (2.6-4 s with 2,000 clients, in a thread of its own). False when no run has been
   * made yet (no client page to show).
   */
  prepareClientPages(): Promise<boolean>;
  /**
   * What the current data is made of, the configuration's revision and the imports read: the same
   * text while the data is the same (what is made from it may be kept under it).
   */
  dataVersion(): Promise<string>;
  /**
   * The margin of the latest run's data (margin/margin.ts), as the API gives it, worked out in the
   * engine's thread; undefined before the first run.
   */
  latestRunMargin(): Promise<MarginJson | undefined>;
  /** What a catalogue change would do to the latest run's data (margin/whatif.ts), as the API gives it. */
  latestRunWhatIf(before: Catalogue, after: Catalogue): Promise<WhatIfJson | undefined>;

  // Decisions on findings: a dismissal holds in later runs until the finding's figures change. The key
  // must be a finding of the latest run (else not_found); dismissing needs a reason (else invalid);
  // "open" removes the decision (and, for an ignored unmapped item, the ignore). A dismissal may hold
  // `until` a date after today (else invalid): from that day on the finding is open again by itself.
  decide(
    key: string,
    decision: { status: "accepted" | "dismissed" | "open"; reason?: string; until?: string },
    actor: Actor,
  ): Promise<void>;
  /** The decisions that hold today (the sync plan reads them), by key. */
  decisions(): Promise<DecisionView[]>;

  // Mappings of unmapped accounts, SKUs and products (they take effect on the next run).
  unmapped(): Promise<UnmappedItem[]>;
  applyMapping(mapping: Mapping, actor: Actor): Promise<{ issues: Issue[] }>;

  // Accounts and sessions.
  countUsers(): Promise<number>;
  /**
   * Creates an account; returns the generated one-time password when none is given (the account must
   * then change it at first sign-in). Taken email: conflict.
   */
  addUser(
    email: string,
    role: Role,
    actor: Actor,
    password?: string,
  ): Promise<{ user: UserView; password: string }>;
  listUsers(): Promise<UserView[]>;
  /** Unknown user: not_found; demoting the last admin: conflict. */
  setRole(userId: number, role: Role, actor: Actor): Promise<void>;
  /** Checks a password (scrypt); undefined when wrong or rate-limited (see `loginBlocked`). */
  login(
    email: string,
    password: string,
    ip: string,
  ): Promise<{ token: string; session: SessionView } | undefined>;
  /** True when this email or IP failed too often recently (login rate limiting). */
  loginBlocked(email: string, ip: string): Promise<boolean>;
  session(token: string): Promise<SessionView | undefined>;
  logout(token: string): Promise<void>;
  /**
   * Replaces an account's password after checking the current one (invalid when wrong, or when the
   * new one is shorter than 12 characters, the current one or the email), clears the must-change
   * flag and ends the account's sessions but `keepToken`'s (the session asking). Audited, without
   * either password.
   */
  /** A wrong `current` counts as a failed login of the account from `ip` (see loginBlocked). */
  changePassword(
    userId: number,
    current: string,
    next: string,
    keepToken?: string,
    ip?: string,
  ): Promise<void>;

  audit(page: Page): Promise<Paged<AuditEntry>>;

  // The sandbox PSA (connections of kind sandbox): its lines are kept here (store/sandbox.ts).
  /** The sandbox PSA's lines, for the connector's context. */
  sandboxBook(): SandboxBook;
  /**
   * Adds connection `name` (kind sandbox) holding the billing source's latest import as its lines,
   * and makes that billing source read it (a pull then brings the lines in). Taken name: conflict.
   */
  setupSandbox(name: string, actor: Actor): Promise<{ lines: number }>;
  /** Puts every line back as set up; removes lines the sync created. Not a sandbox: not_found. */
  resetSandbox(name: string, actor: Actor): Promise<{ reset: number; removed: number }>;

  // Connections: secrets (encrypted with TRUEUP_SECRET_KEY) and pulls.
  /**
   * Stores a secret of a connection, bound to its kind and addresses as they are now; refuses
   * (invalid) without TRUEUP_SECRET_KEY, (not_found) for a connection not configured.
   */
  setSecret(connection: string, name: string, value: string, actor: Actor): Promise<void>;
  /** The decrypted stored secrets of a connection (name -> value) still bound to its kind and addresses. */
  storedSecrets(connection: string): Promise<Record<string, string>>;
  /**
   * Names of the stored secrets of a connection (never their values); `usable` is false for one stored
   * for another kind or address (or before secrets were bound): an admin must enter it again.
   */
  secretNames(connection: string): Promise<{ name: string; usable: boolean }[]>;
  /**
   * Stores a pull as the new import of every source reading the connection, with its status, in one
   * transaction; a pull whose rows do not read (issues) stores no row, only the error in the status.
   */
  storePull(
    connection: string,
    pulled: PulledRecords,
    counts: Record<string, number>,
    actor: Actor,
  ): Promise<{ issues: Issue[]; imports: number }>;
  recordPullError(connection: string, error: string): Promise<void>;
  setNextPull(connection: string, at: Date | undefined): Promise<void>;
  connectionStatus(): Promise<ConnectionStatusView[]>;

  // PSA sync: plans, approvals, application, history.
  /** Saves a plan (before anything is sent), superseding the connection's open plans. */
  saveSyncPlan(connection: string, plan: Plan, actor: Actor): Promise<SyncPlanView>;
  syncPlan(id: number): Promise<SyncPlanView | undefined>;
  latestSyncPlan(connection: string): Promise<SyncPlanView | undefined>;
  listSyncPlans(page: Page & { connection?: string }): Promise<Paged<Omit<SyncPlanView, "changes">>>;
  /**
   * Approves or rejects changes of an open plan ("all": every change but those waiting for an
   * agreement to be chosen); a change being applied or done cannot be decided (conflict).
   */
  decideChanges(
    planId: number,
    seqs: number[] | "all",
    decision: "approved" | "rejected" | "pending",
    actor: Actor,
  ): Promise<void>;
  /** Moves a change on and logs why, in one transaction. */
  updateChange(
    planId: number,
    seq: number,
    patch: { state: SyncChangeView["state"]; result?: string; attempt?: boolean },
    event: { kind: string; actor: string; details: Record<string, unknown> },
  ): Promise<void>;
  logSyncEvent(
    planId: number,
    seq: number | undefined,
    event: { kind: string; actor: string; details: Record<string, unknown> },
  ): Promise<void>;
  syncHistory(filter: Page & { connection?: string; planId?: number }): Promise<Paged<SyncEventView>>;
  /**
   * Runs `f` while no other apply of the connection runs, in any process: a PostgreSQL advisory lock
   * held by a session (released if the process dies), or in-process for the embedded database.
   * Refuses (conflict) when the connection is being applied already.
   */
  withApplyLock<T>(connection: string, f: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
