import type { Margin, WhatIf } from "./margin-types.ts";
import type {
  ApplyResult,
  AuditEntry,
  Catalogue,
  ChangeDecision,
  ClientDetail,
  ClientRow,
  ConnectionView,
  Dashboard,
  DetachedSource,
  FindingFilter,
  FindingStatus,
  FindingTotals,
  FindingView,
  ImportPreview,
  ImportView,
  Issue,
  Mapping,
  MappingQueue,
  MspSettings,
  Paged,
  PricingPlan,
  PullOutcome,
  Role,
  RunDiff,
  RunView,
  Session,
  SourceView,
  StatementLink,
  SyncEventView,
  SyncHistoryFilter,
  SyncPlanSummary,
  SyncPlanView,
  UserView,
} from "./types.ts";

// A small typed client of the HTTP API (docs/api.md). The session is a cookie; every request that
// changes something carries the CSRF token that login and /api/auth/me hand out. Every failure
// becomes an ApiError whose message a billing manager can read.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrf: string | null = null;
let onUnauthenticated: () => void = () => {};

export function setCsrf(token: string | null): void {
  csrf = token;
}

/** Called when the server answers 401 to anything but login: the session ended. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface ErrorBody {
  error?: string;
  message?: string;
  issues?: Issue[];
}

async function send(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  // A file goes as its bytes, whatever its encoding (the server detects it), never decoded here.
  const raw = body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = raw ? "application/octet-stream" : "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  try {
    return await fetch(path, {
      method,
      credentials: "include",
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "Cannot reach the Trueup server. Check your connection and try again.");
  }
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (text === "") return undefined;
  if (!(res.headers.get("Content-Type") ?? "").includes("json")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorFrom(res: Response, body: unknown): ApiError {
  const b: ErrorBody = typeof body === "object" && body !== null ? (body as ErrorBody) : {};
  const code = b.error ?? `http_${res.status}`;
  const issues = Array.isArray(b.issues) ? b.issues : [];
  const retry = Number(res.headers.get("Retry-After"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  return new ApiError(
    res.status,
    code,
    describe(res.status, code, b.message, retryAfter),
    issues,
    retryAfter,
  );
}

function describe(status: number, code: string, message: string | undefined, retryAfter?: number): string {
  if (status === 429) {
    const wait = retryAfter ? ` Try again in ${waitText(retryAfter)}.` : " Try again later.";
    return `Too many attempts.${wait}`;
  }
  if (code === "csrf") return "The page's security token is out of date. Reload the page and try again.";
  if (code === "forbidden") return "Your role may not do this.";
  if (code === "password_change_required") return "Choose your own password first.";
  if (status === 401) return "Your session has ended. Sign in again.";
  if (code === "invalid") return message ?? "The server found errors; nothing was saved.";
  if (status === 400) return message ?? "The server refused the request as malformed.";
  if (status === 404) return message ?? "Not found: it may have been removed.";
  // An outside system (a PSA, an RMM) failed or refused: its own words, without secrets.
  if (code === "connection_failed")
    return message ?? "The outside system did not answer as expected. Try again later.";
  if (status >= 500)
    return `The server failed (HTTP ${status}). Try again; if it keeps failing, tell your administrator.`;
  return message ?? `The request failed (HTTP ${status}).`;
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  retried = false,
): Promise<T> {
  const res = await send(method, path, body, signal);
  const data = await readBody(res);
  if (res.ok) return data as T;
  const err = errorFrom(res, data);
  // A stale CSRF token (another tab signed in again): fetch the current one and try once more.
  if (err.code === "csrf" && !retried) {
    const me = await send("GET", "/api/auth/me");
    if (me.ok) {
      setCsrf(((await me.json()) as Session).csrf);
      return request<T>(method, path, body, signal, true);
    }
  }
  if (res.status === 401 && !path.startsWith("/api/auth/")) onUnauthenticated();
  throw err;
}

/** A GET whose answer is T; `useGet` loads it. */
export interface Query<T> {
  readonly path: string;
  /** Carries T for the type checker only. */
  readonly _type?: T;
}

export function get<T>(q: Query<T>, signal?: AbortSignal): Promise<T> {
  return request<T>("GET", q.path, undefined, signal);
}

function query<T>(path: string, params: Record<string, string | number | undefined> = {}): Query<T> {
  const qs = searchString(params);
  return { path: qs ? `${path}?${qs}` : path };
}

export function searchString(params: Record<string, string | number | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") s.set(k, String(v));
  return s.toString();
}

export interface PageArgs {
  limit?: number;
  offset?: number;
}

export const queries = {
  me: () => query<Session>("/api/auth/me"),
  dashboard: () => query<Dashboard>("/api/dashboard"),
  margin: () => query<Margin>("/api/margin"),
  clients: (p: PageArgs = {}) => query<Paged<ClientRow>>("/api/clients", { ...p }),
  client: (id: string) => query<ClientDetail>(`/api/clients/${encodeURIComponent(id)}`),
  findings: (f: FindingFilter & PageArgs) => query<Paged<FindingView>>("/api/findings", { ...f }),
  findingTotals: (f: Omit<FindingFilter, "status">) => query<FindingTotals>("/api/findings/totals", { ...f }),
  evidence: (f: { runId: number; key: string; offset: number; limit?: number }) =>
    query<Paged<string>>("/api/findings/evidence", { ...f }),
  catalogue: () => query<Catalogue>("/api/catalogue"),
  mappings: () => query<MappingQueue>("/api/mappings"),
  sources: () => query<SourceView[]>("/api/sources"),
  imports: (p: PageArgs = {}) => query<Paged<ImportView>>("/api/imports", { ...p }),
  runs: (p: PageArgs = {}) => query<Paged<RunView>>("/api/runs", { ...p }),
  msp: () => query<MspSettings | null>("/api/settings/msp"),
  statementLinks: (clientId: string) =>
    query<StatementLink[]>(`/api/clients/${encodeURIComponent(clientId)}/statement-links`),
  run: (id: number) => query<{ run: RunView; report: unknown }>(`/api/runs/${id}`),
  diff: (from: number, to: number) => query<RunDiff>("/api/runs/diff", { from, to }),
  users: () => query<UserView[]>("/api/users"),
  audit: (p: PageArgs = {}) => query<Paged<AuditEntry>>("/api/audit", { ...p }),
  connections: () => query<ConnectionView[]>("/api/connections"),
  syncPlans: (p: PageArgs & { connection?: string } = {}) =>
    query<Paged<SyncPlanSummary>>("/api/sync/plans", { ...p }),
  syncPlan: (id: number) => query<SyncPlanView>(`/api/sync/plans/${id}`),
  pricingPlan: () => query<PricingPlan>("/api/pricing/plan"),
  syncHistory: (f: SyncHistoryFilter & PageArgs) =>
    query<Paged<SyncEventView>>("/api/sync/history", { ...f }),
};

/** The CSV export of the findings list, with the same filters (a plain link: the cookie goes with it). */
export function findingsCsvUrl(f: FindingFilter): string {
  const qs = searchString({ ...f });
  return qs ? `/api/findings.csv?${qs}` : "/api/findings.csv";
}

export interface ImportFile {
  sourceId: number;
  fileName: string;
  /** The file as chosen: sent as its bytes. */
  file: Blob;
}

const fileQuery = (f: ImportFile) => searchString({ sourceId: f.sourceId, fileName: f.fileName });

export const api = {
  async login(email: string, password: string): Promise<Session> {
    const s = await request<Session>("POST", "/api/auth/login", { email, password });
    setCsrf(s.csrf);
    return s;
  },
  async me(): Promise<Session> {
    const s = await get(queries.me());
    setCsrf(s.csrf);
    return s;
  },
  async logout(): Promise<void> {
    await request<void>("POST", "/api/auth/logout");
    setCsrf(null);
  },
  /** Changes the signed-in account's password; its other sessions end, this one stays. */
  changePassword: (current: string, next: string) =>
    request<void>("POST", "/api/auth/password", { current, next }),
  decide: (key: string, status: FindingStatus, reason?: string, until?: string) =>
    request<void>("POST", "/api/findings/decision", {
      key,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(until === undefined ? {} : { until }),
    }),
  whatIf: (yaml: string) => request<WhatIf>("POST", "/api/margin/whatif", { yaml }),
  saveCatalogue: (yaml: string) => request<{ issues: Issue[] }>("PUT", "/api/catalogue", { yaml }),
  checkCatalogue: (yaml: string) =>
    request<{ issues: Issue[]; detached: DetachedSource[] }>("POST", "/api/catalogue/check", { yaml }),
  map: (mapping: Mapping) => request<{ issues: Issue[] }>("POST", "/api/mappings", mapping),
  previewImport: (f: ImportFile) =>
    request<ImportPreview>("POST", `/api/imports/file/preview?${fileQuery(f)}`, f.file),
  importFile: (f: ImportFile) =>
    request<{ import: ImportView }>("POST", `/api/imports/file?${fileQuery(f)}`, f.file),
  startRun: (asOf?: string) => request<RunView>("POST", "/api/runs", asOf ? { asOf } : {}),
  addUser: (email: string, role: Role) =>
    request<{ user: UserView; password: string }>("POST", "/api/users", { email, role }),
  setRole: (id: number, role: Role) => request<void>("PATCH", `/api/users/${id}`, { role }),
  storeSecret: (connection: string, secret: string, value: string) =>
    request<void>(
      "PUT",
      `/api/connections/${encodeURIComponent(connection)}/secrets/${encodeURIComponent(secret)}`,
      { value },
    ),
  pull: (connection: string) =>
    request<PullOutcome>("POST", `/api/connections/${encodeURIComponent(connection)}/pull`),
  plan: (p: { connection: string; effective?: string; includePrices: boolean }) =>
    request<SyncPlanView>("POST", "/api/sync/plans", p),
  decideChanges: (planId: number, seqs: number[] | "all", decision: ChangeDecision) =>
    request<void>("POST", `/api/sync/plans/${planId}/decisions`, { seqs, decision }),
  applyPlan: (planId: number) => request<ApplyResult>("POST", `/api/sync/plans/${planId}/apply`),
  applyPricing: () =>
    request<{ applied: string[]; plan: PricingPlan; runId?: number }>("POST", "/api/pricing/apply", {}),
  resetSandbox: (connection: string) =>
    request<{ connection: string; reset: number; removed: number; runId?: number }>(
      "POST",
      `/api/sync/sandbox/${encodeURIComponent(connection)}/reset`,
    ),
  shareStatement: (clientId: string, days: number) =>
    request<{ link: StatementLink; url: string }>(
      "POST",
      `/api/clients/${encodeURIComponent(clientId)}/statement-links`,
      { days },
    ),
  revokeStatementLink: (id: number) => request<void>("DELETE", `/api/statement-links/${id}`),
  sendStatementLink: (id: number, to: string, url: string) =>
    request<void>("POST", `/api/statement-links/${id}/send`, { to, url }),
  saveMsp: (msp: MspSettings) => request<void>("PUT", "/api/settings/msp", msp),
  /** `logo` is the image's bytes in base64. */
  uploadMspLogo: (logo: string) => request<void>("PUT", "/api/settings/msp/logo", { logo }),
  removeMspLogo: () => request<void>("DELETE", "/api/settings/msp/logo"),
};

/** The MSP's logo as uploaded in the app (404 when none); `version` defeats the browser's cache. */
export function mspLogoUrl(version: number): string {
  return `/api/settings/msp/logo?v=${version}`;
}

/** A client's documents: statement, evidence (plain links: the cookie goes with them). */
export function statementUrl(clientId: string, format: "html" | "pdf" | "csv"): string {
  return `/api/clients/${encodeURIComponent(clientId)}/statement?format=${format}`;
}

export function evidenceUrl(clientId: string, format: "pdf" | "csv"): string {
  return `/api/clients/${encodeURIComponent(clientId)}/evidence?format=${format}`;
}

export function breakdownUrl(groupBy: "service" | "bundle" | "client", format: "csv" | "xlsx"): string {
  return `/api/reports/breakdown?groupBy=${groupBy}&format=${format}`;
}
