// The JSON shapes of the HTTP API (docs/api.md; src/store/store.ts defines most of them). Kept by
// hand because the web build must not pull the server's Node modules into the browser; when the
// API changes, change these with it. Money is always a decimal string ("1234.50").

export type Role = "admin" | "billing" | "viewer";
export type FindingStatus = "open" | "accepted" | "dismissed";

export interface Paged<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface UserView {
  id: number;
  email: string;
  role: Role;
  createdAt: string;
}

export interface Session {
  user: UserView;
  csrf: string;
  /** Signed in with a generated one-time password: the account must choose its own first. */
  mustChangePassword: boolean;
  /** The workspace's currency (trueup.yaml `currency`): every amount is in it. */
  currency: string;
}

/** A problem pinned to a place: a file line (CSV header is line 1) or a YAML line. */
export interface Issue {
  severity?: "error" | "warning";
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  /** For 400 bad_request: the request field. */
  path?: string;
  message: string;
}

export interface RunView {
  id: number;
  asOf: string;
  createdAt: string;
  createdBy: string;
  totals: Record<string, string | number>;
}

/** Findings people dismissed: out of the totals beside it, with their monthly impact and number. */
export interface Dismissed {
  impact: string;
  findings: number;
}

/** Of a billing total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH). */
export interface Split {
  quantity: string;
  price: string;
}

/** The split of the billing totals, and the net a month and a year. */
export interface Figures {
  split: { underBilled: Split; overBilled: Split };
  /** under-billed + licence waste − over-billed − licence shortfall: what fixing every finding gains a month. */
  net: string;
  /** The net times 12. */
  annual: string;
}

export interface Totals extends Figures {
  underBilled: string;
  overBilled: string;
  licenceWaste: string;
  licenceShortfall: string;
  /** Money on rows of accounts, SKUs and products no client or service claims (contract 2). */
  unmapped: string;
  coverageGaps: number;
  findings: number;
  dismissed: Dismissed;
}

export interface Dashboard {
  run: RunView | null;
  totals: Totals;
  byClient: (Figures & {
    clientId: string;
    name: string;
    underBilled: string;
    overBilled: string;
    licenceWaste: string;
    licenceShortfall: string;
    impact: string;
    dismissed: Dismissed;
  })[];
  byType: { type: string; count: number; impact: string }[];
  /** By month, oldest first: the latest run of each month (by as-of date). */
  trend: {
    /** YYYY-MM */
    month: string;
    runId: number;
    asOf: string;
    createdAt: string;
    underBilled: string;
    overBilled: string;
    licenceWaste: string;
    licenceShortfall: string;
    coverageGaps: number;
  }[];
}

export interface ClientRow extends Figures {
  id: string;
  name: string;
  counts: { billableUsers: number; currentDevices: number; staleDevices: number };
  underBilled: string;
  overBilled: string;
  licenceWaste: string;
  licenceShortfall: string;
  impact: string;
  findings: number;
  coverageGaps: number;
  dismissed: Dismissed;
}

export interface Line {
  subject: string;
  name?: string;
  required: number | null;
  billed: number | null;
  purchased: number | null;
  deployed: number | null;
  price: string | null;
}

export interface DeviceView {
  hostname: string;
  type: string;
  lastSeen: string;
  current: boolean;
  plan: string | null;
  deployments: Record<string, boolean>;
  /** The deployments its plan includes: only these can be missing. */
  inPlan: string[];
}

/** docs/api.md writes `ClientRow & {...}`, but there `findings` is the list, not ClientRow's count. */
export interface ClientDetail extends Omit<ClientRow, "findings"> {
  plans: Record<string, unknown>[];
  lines: Line[];
  findings: FindingView[];
  users: { upn: string; plan: string | null }[];
  devices: DeviceView[];
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
  /** The first 50 items; `evidenceTotal` says how many there are (GET /api/findings/evidence pages the rest). */
  evidence: string[];
  evidenceTotal: number;
  /** The catalogue name of a bundle:… or service:… subject. */
  subjectName?: string;
  /** What the finding means in one sentence, as the CLI table prints it. */
  why: string;
  key: string;
  status: FindingStatus;
  reason?: string;
  decidedBy?: string;
  /** A dismissal that holds until this date: from that day on the finding is open again. */
  until?: string;
}

export type FindingTotals = Record<FindingStatus, Dismissed>;

export interface FindingFilter {
  runId?: string;
  clientId?: string;
  type?: string;
  status?: string;
  /** Words that must all appear in the client, the subject (id or name) or the evidence. */
  q?: string;
  /** Only the findings that count towards this total of the dashboard. */
  total?: string;
  sort?: FindingSort;
  order?: "asc" | "desc";
}

export type FindingSort =
  | "impact"
  | "client"
  | "type"
  | "subject"
  | "expected"
  | "actual"
  | "evidence"
  | "status";

export interface RunDiff {
  from: number;
  to: number;
  appeared: FindingView[];
  fixed: FindingView[];
  changed: { before: FindingView; after: FindingView }[];
}

export interface ServiceView {
  id: string;
  name: string;
  unit: string;
  cost: string;
  price: string;
  psaProduct?: string;
  vendorSkus: { vendor: string; sku: string }[];
  deployment?: string;
}

export interface BundleView {
  id: string;
  name: string;
  per: string;
  price: string;
  psaProduct?: string;
  deviceTypes?: string[];
  includes: { service: string; deviceTypes?: string[] }[];
  devicesPerUser?: number;
  extraDevice?: string;
}

export interface Catalogue {
  yaml: string;
  services: ServiceView[];
  bundles: BundleView[];
  clients: { id: string; name: string }[];
}

export interface UnmappedItem {
  kind: "account" | "sku" | "product";
  system: string;
  value: string;
  evidence: string[];
  /** The money on its rows a month. */
  monthly: string;
  rows: UnmappedRow[];
}

export interface UnmappedRow {
  ref: string;
  kind: "billing" | "licences" | "users" | "devices" | "deployments";
  account?: string;
  agreement?: string;
  product?: string;
  sku?: string;
  vendor?: string;
  name?: string;
  quantity?: number;
  unitPrice?: string;
  unitCost?: string;
  monthly: string;
}

export interface Named {
  id: string;
  name: string;
}

export interface MappingQueue {
  items: UnmappedItem[];
  clients: Named[];
  services: Named[];
  bundles: Named[];
}

export type Mapping =
  | { kind: "account"; system: string; value: string; clientId: string }
  | { kind: "former"; system: string; value: string; clientId: string; name?: string; ended: string }
  | { kind: "sku"; system: string; value: string; serviceId: string }
  | { kind: "product"; value: string; target: { kind: "bundle" | "service"; id: string } }
  | { kind: "ignore"; item: "account" | "sku" | "product"; system: string; value: string };

export interface ImportView {
  id: number;
  sourceId: number;
  fileName: string;
  format: string;
  rowCount: number;
  importedBy: string;
  importedAt: string;
}

/** A source with imported data that a catalogue save would start afresh (POST /api/catalogue/check). */
export interface DetachedSource {
  id: number;
  kind: string;
  format: string;
  file: string;
  connection?: string;
  lastImport?: ImportView;
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

export interface ImportPreview {
  header: string[];
  rows: string[][];
  rowCount: number;
  issues: Issue[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  details: Record<string, unknown>;
  /** The entry as a sentence, with client and catalogue names. */
  sentence: string;
}

// Connections and PSA sync (src/server/sync-schemas.ts, src/sync/plan.ts, src/sync/apply.ts).

/** Where a connection's secret comes from: stored encrypted in the database, an environment variable, or nowhere. */
/** unbound: stored for another kind or address (unusable); refused: the variable is not allowed. */
export type SecretSource = "stored" | "environment" | "missing" | "unbound" | "refused";

export interface ConnectionSecret {
  name: string;
  source: SecretSource;
  /** The environment variable trueup.yaml names for it (`privateKeyEnv: TRUEUP_CONN_CW_PRIVATE`), if any. */
  variable?: string;
  /** Why it is unbound or refused. */
  note?: string;
}

export interface ConnectionView {
  name: string;
  kind: string;
  /** The system's name, e.g. "ConnectWise PSA". */
  title: string;
  url?: string;
  /** cron, UTC */
  schedule: string;
  /** What the connector can read (source kinds). */
  provides: string[];
  /** The source kinds that read this connection. */
  sources: string[];
  psa: boolean;
  secrets: ConnectionSecret[];
  lastPullAt?: string;
  lastSuccessAt?: string;
  /** Rows of the last successful pull, by kind. */
  counts: Record<string, number>;
  lastError?: string;
  nextPullAt?: string;
}

export interface PullOutcome {
  connection: string;
  ok: boolean;
  counts: Record<string, number>;
  error?: string;
  runId?: number;
}

export interface PsaAgreement {
  id: string;
  account: string;
  name: string;
}

export interface PsaLine {
  id: string;
  account: string;
  agreement: string;
  agreementName: string;
  product: string;
  quantity: string;
  unitPrice: string;
  startDate?: string;
  ref: Record<string, string>;
}

/** set: change a line's quantity; create: add a line; choose: a line is needed but a person must pick the agreement. */
export type ChangeAction = "set" | "create" | "choose";

export interface SyncChange {
  seq: number;
  action: ChangeAction;
  client: string;
  clientName: string;
  account: string;
  subject: string;
  product: string;
  agreement?: string;
  agreementName?: string;
  /** set only: the PSA line as read when planning. */
  line?: PsaLine;
  /** Quantities as decimal text; create starts from "0". */
  from: string;
  to: string;
  fromPrice?: string;
  toPrice?: string;
  unitPrice: string;
  /** Signed money. */
  monthlyImpact: string;
  why: string;
  /** choose: the client's agreements to pick from. */
  candidates?: PsaAgreement[];
  /** Every finding it fixes was accepted: saved approved, by the one who accepted. */
  preApproved?: { by: string };
}

/** A difference a person dismissed: the plan proposes no change for it. */
export interface LeftAsAgreed {
  client: string;
  clientName: string;
  account: string;
  type: string;
  subject: string;
  product: string;
  lineId?: string;
  expected: string | number | null;
  actual: string | number | null;
  monthlyImpact: string;
  reason: string;
  decidedBy: string;
  until?: string;
}

export type ChangeDecision = "pending" | "approved" | "rejected";
export type ChangeState = "planned" | "applying" | "applied" | "conflict" | "failed";

export interface SyncChangeView {
  seq: number;
  change: SyncChange;
  decision: ChangeDecision;
  decidedBy?: string;
  decidedAt?: string;
  state: ChangeState;
  attempts: number;
  result?: string;
}

export interface SyncPlanSummary {
  id: number;
  connection: string;
  effective: string;
  includePrices: boolean;
  createdAt: string;
  createdBy: string;
  status: "open" | "superseded";
  monthlyImpact: string;
}

export interface SyncPlanView extends SyncPlanSummary {
  leftAsAgreed: LeftAsAgreed[];
  changes: SyncChangeView[];
}

export interface ApplyResult {
  applied: number;
  /** Already at the target when read (applied earlier, or by someone else). */
  alreadyDone: number;
  conflicts: number;
  failed: number;
  /** Not approved, rejected, or needing an agreement chosen. */
  notApproved: number;
  /** Applied or in conflict before this apply. */
  finished: number;
}

/**
 * One entry of a plan's history. kind: plan, approve, reject, reopen, attempt, exchange (details:
 * method, path, requestBody, status, responseBody, ms, attempt), no-answer (details.error), verified,
 * applied, conflict, error.
 */
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

export interface SyncHistoryFilter {
  connection?: string;
  planId?: number;
}

/** A shared statement link (never its token). */
export interface StatementLink {
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

/** The MSP's details printed on statements (trueup.yaml `msp:`). */
export interface MspSettings {
  name: string;
  address: string[];
  /** A file name in trueup.yaml (the CLI's); the app's logo is uploaded instead. */
  logo?: string;
  paper: "A4" | "Letter";
}

/** GET /api/pricing/plan: the price rises due by each client's next contract anniversary. */
export interface PricingPlan {
  asOf: string;
  windowDays: number;
  currency: string;
  due: {
    client: string;
    clientName: string;
    contractStart: string;
    anniversary: string;
    percent: string;
    cap?: string;
    capAmount?: string;
    appliedPercent: string;
    rises: {
      plan: number;
      subject: string;
      name: string;
      oldPrice: string;
      newPrice: string;
      increase: string;
      quantity: number;
      monthlyEffect: string;
      from: string;
    }[];
    excluded: { subject: string; name: string; price: string }[];
    monthlyEffect: string;
  }[];
  later: { client: string; clientName: string; anniversary: string; applied: boolean }[];
  monthlyEffect: string;
}
