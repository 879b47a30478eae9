import type { SourceKind } from "../workspace/config.ts";

// What every outside system looks like to the rest of Trueup: a connection (settings + where its
// secrets come from) and a connector (the code that speaks that system's API). Vendor specifics stay
// inside each connector's folder; everything here is the same for every system.

export const CONNECTION_KINDS = [
  "connectwise",
  "autotask",
  "halopsa",
  "msgraph",
  "pax8",
  "ninjaone",
  "datto-rmm",
  "sentinelone",
  "huntress",
  "sandbox",
] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** A connection as configured: `connections.NAME` in trueup.yaml or a row of the database. */
export interface Connection {
  name: string;
  kind: ConnectionKind;
  /** API base URL; each connector has a default where the system has one fixed address. */
  url?: string;
  /** Non-secret settings (companyId, region, tenants...), as written. */
  settings: Record<string, string | string[]>;
  /** Secret name (privateKey) -> environment variable that holds it (TRUEUP_CONN_CW_PRIVATE). */
  secretEnv: Record<string, string>;
  /** Cron expression of scheduled pulls in the app (UTC); default nightly. */
  schedule?: string;
}

/** A canonical CSV record (trueup-users, trueup-devices, ...): column name -> text. */
export type CanonicalRow = Record<string, string>;

export interface PullResult {
  /** Rows per source kind, in the columns of the trueup-KIND format. */
  rows: Partial<Record<SourceKind, CanonicalRow[]>>;
  /** What was read, for the connection's status (companies: 12, devices: 340, requests: 31). */
  counts: Record<string, number>;
}

/** One HTTP exchange as the audit log keeps it: never a header, so never a credential. */
export interface Exchange {
  method: string;
  /** Path and query, without the host. */
  path: string;
  requestBody?: unknown;
  status?: number;
  responseBody?: unknown;
  /** Set when no answer came (timeout, dropped connection): the outcome is unknown. */
  error?: string;
  ms: number;
  attempt: number;
}

export interface ConnectorContext {
  /** The value of a secret; throws ConnectionError naming the variable when it is not set. */
  secret(name: string): string;
  sleep(ms: number): Promise<void>;
  now(): Date;
  /** Every HTTP exchange, for logs (method, path, status, ms) and for the audit of writes. */
  exchange(e: Exchange): void;
  /** A line of progress for long pulls ("devices: page 12"). */
  progress(message: string): void;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Registers a value (a token) to be replaced by *** wherever it would leave the connector. */
  redact(value: string): void;
  /** Replaces every secret and registered value in a text by ***. */
  scrub(text: string): string;
  /** The app's own sandbox PSA (kind `sandbox`): lines kept in Trueup's database, never outside. */
  sandbox?: SandboxBook;
}

/** A line of the sandbox PSA as its table keeps it. */
export interface SandboxLine {
  id: string;
  account: string;
  agreement: string;
  product: string;
  description: string;
  quantity: string;
  unitPrice: string;
  startDate: string;
}

/** Where the sandbox PSA keeps its lines: the store, per connection name. */
export interface SandboxBook {
  lines(connection: string): Promise<SandboxLine[]>;
  /** Sets a line's quantity (and unit price when given); false when there is no such line. */
  update(connection: string, id: string, quantity: string, unitPrice?: string): Promise<boolean>;
  insert(connection: string, line: Omit<SandboxLine, "id">): Promise<string>;
}

export interface FieldSpec {
  name: string;
  /** Secrets are never written in trueup.yaml: the workspace gives `${name}Env: VARIABLE`. */
  secret?: boolean;
  required?: boolean;
  list?: boolean;
  help: string;
}

export interface Connector {
  kind: ConnectionKind;
  title: string;
  /** Source kinds a pull of this system fills. */
  provides: readonly SourceKind[];
  fields: readonly FieldSpec[];
  defaultUrl?: string;
  /** The connector finds its address itself when no url is given (Autotask's zone lookup). */
  urlOptional?: boolean;
  pull(conn: Connection, ctx: ConnectorContext): Promise<PullResult>;
}

/** One recurring billing line of a PSA, as Trueup needs it to plan and to write. */
export interface PsaLine {
  /** The PSA's own id of the line (ConnectWise addition, Autotask contract service, Halo line). */
  id: string;
  /** The PSA's company id: the client's `ids.psa`. */
  account: string;
  agreement: string;
  agreementName: string;
  product: string;
  /** Decimal strings, as the PSA gives them. */
  quantity: string;
  unitPrice: string;
  /** ISO date the line started, to find the newest line of a product. */
  startDate?: string;
  /** Connector-specific ids needed to write (Autotask serviceID, bundle or service, ...). */
  ref: Record<string, string>;
}

export interface PsaAgreement {
  id: string;
  account: string;
  name: string;
}

export interface PsaBilling {
  agreements: PsaAgreement[];
  /** Active lines of active agreements only. */
  lines: PsaLine[];
  counts: Record<string, number>;
}

export interface LineTarget {
  quantity: string;
  /** Only when prices are included in the plan. */
  unitPrice?: string;
  /** ISO date from which the new quantity bills. */
  effective: string;
}

export interface NewLine extends LineTarget {
  account: string;
  agreement: string;
  product: string;
  unitPrice: string;
}

/**
 * A PSA: reads billing lines and writes quantities. Writes are not retried here on an unknown
 * outcome: the sync layer reads the line again before any second attempt (read-before-write).
 */
export interface PsaConnector extends Connector {
  /**
   * Lines as they bill on `on` (ISO date; default today): the plan reads them as of its effective
   * date, so that a change already applied for next month is not planned again.
   */
  readBilling(conn: Connection, ctx: ConnectorContext, on?: string): Promise<PsaBilling>;
  /** The line as it stands now for `effective` (Autotask: the units of that period); undefined if gone. */
  readLine(
    conn: Connection,
    ctx: ConnectorContext,
    line: PsaLine,
    effective: string,
  ): Promise<PsaLine | undefined>;
  /** Active lines of one product in one agreement (to make creating a line idempotent). */
  findLines(
    conn: Connection,
    ctx: ConnectorContext,
    agreement: string,
    product: string,
    effective: string,
  ): Promise<PsaLine[]>;
  /** Sets the quantity (and price when given); Autotask sends `to - current` as an adjustment. */
  writeLine(
    conn: Connection,
    ctx: ConnectorContext,
    line: PsaLine,
    current: PsaLine,
    target: LineTarget,
  ): Promise<void>;
  createLine(conn: Connection, ctx: ConnectorContext, line: NewLine): Promise<void>;
}

export function isPsa(c: Connector): c is PsaConnector {
  return "readBilling" in c;
}
