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

export interface Totals {
  underBilled: string;
  overBilled: string;
  licenceWaste: string;
  licenceShortfall: string;
  coverageGaps: number;
  findings: number;
}

export interface Dashboard {
  run: RunView | null;
  totals: Totals;
  byClient: {
    clientId: string;
    name: string;
    underBilled: string;
    overBilled: string;
    licenceWaste: string;
    licenceShortfall: string;
    impact: string;
  }[];
  byType: { type: string; count: number; impact: string }[];
  trend: {
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

export interface ClientRow {
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
  evidence: string[];
  key: string;
  status: FindingStatus;
  reason?: string;
  decidedBy?: string;
}

export interface FindingFilter {
  runId?: string;
  clientId?: string;
  type?: string;
  status?: string;
}

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
}
