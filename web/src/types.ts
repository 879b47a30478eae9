// The JSON shapes of the HTTP API, named for the pages. They are taken from web/src/api.gen.ts, which
// `npm run web-types` writes from the OpenAPI document of the routes' zod schemas (a test fails when it
// drifts), so a route's answer and what the browser reads cannot part. The few shapes written here by
// hand are marked: their routes declare no answer schema, or the UI's own filters. Money is always a
// decimal string ("1234.50").

import type { Answers, Queries, Schemas } from "./api.gen.ts";

export type Role = Schemas["UserView"]["role"];
export type FindingStatus = Schemas["FindingView"]["status"];

export interface Paged<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type UserView = Schemas["UserView"];
export type Session = Answers["GET /api/auth/me"];
/**
 * A problem pinned to a place: a file line (CSV header is line 1) or a YAML line; or, in a 400
 * bad_request, the request field (`path`).
 */
export type Issue = Omit<Schemas["Issue"], "severity" | "file"> &
  Partial<Pick<Schemas["Issue"], "severity" | "file">> & { path?: string };
export type RunView = Schemas["RunView"];

export type Dashboard = Answers["GET /api/dashboard"];
export type Totals = Dashboard["totals"];
/** Findings people dismissed: out of the totals beside it, with their monthly impact and number. */
export type Dismissed = Totals["dismissed"];
/** Of a billing total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH). */
export type Split = Totals["split"]["underBilled"];
/** The split of the billing totals, and the net a month and a year. */
export type Figures = Pick<Totals, "split" | "net" | "annual">;

export type ClientRow = Answers["GET /api/clients"]["items"][number];
export type ClientDetail = Answers["GET /api/clients/{id}"];
export type Line = ClientDetail["lines"][number];
export type DeviceView = ClientDetail["devices"][number];

export type FindingView = Schemas["FindingView"];
export type FindingTotals = Answers["GET /api/findings/totals"];
export type FindingSort = NonNullable<Queries["GET /api/findings"]["sort"]>;

/** The findings page's filter as the address bar holds it (hand-written: the UI's own). */
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

export type RunDiff = Schemas["RunDiff"];

/** Hand-written: GET /api/catalogue sends the YAML's items as they are (a record per item). */
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

export type Catalogue = Omit<Answers["GET /api/catalogue"], "services" | "bundles"> & {
  services: ServiceView[];
  bundles: BundleView[];
};

export type UnmappedItem = Schemas["UnmappedItem"];
export type UnmappedRow = UnmappedItem["rows"][number];
export type MappingQueue = Answers["GET /api/mappings"];
export type Named = MappingQueue["clients"][number];
export type Mapping = Schemas["Mapping"];

export type ImportView = Schemas["ImportView"];
/** A source with imported data that a catalogue save would start afresh (POST /api/catalogue/check). */
export type DetachedSource = Schemas["DetachedSource"];
export type SourceView = Schemas["SourceView"];
export type ImportPreview = Omit<Schemas["ImportPreview"], "issues"> & { issues: Issue[] };
export type AuditEntry = Schemas["AuditEntry"];

// Connections and PSA sync (src/server/sync-schemas.ts, src/sync/plan.ts, src/sync/apply.ts).

export type ConnectionView = Schemas["ConnectionView"];
export type ConnectionSecret = ConnectionView["secrets"][number];
/** stored, environment, missing; unbound: stored for another kind or address; refused: the variable is not allowed. */
export type SecretSource = ConnectionSecret["source"];
export type PullOutcome = Schemas["PullOutcome"];

export type SyncChange = Schemas["Change"];
export type PsaLine = NonNullable<SyncChange["line"]>;
export type PsaAgreement = NonNullable<SyncChange["candidates"]>[number];
/** set: change a line's quantity; create: add a line; choose: a person must pick the agreement. */
export type ChangeAction = SyncChange["action"];
/** A difference a person dismissed: the plan proposes no change for it. */
export type LeftAsAgreed = Schemas["LeftAsAgreed"];
export type SyncChangeView = Schemas["SyncChangeView"];
export type ChangeDecision = SyncChangeView["decision"];
export type ChangeState = SyncChangeView["state"];
export type SyncPlanSummary = Schemas["SyncPlanSummary"];
export type SyncPlanView = Schemas["SyncPlanView"];
export type ApplyResult = Schemas["ApplyResult"];
/** One entry of a plan's history (kind: plan, approve, reject, reopen, attempt, exchange, ...). */
export type SyncEventView = Schemas["SyncEventView"];

export interface SyncHistoryFilter {
  connection?: string;
  planId?: number;
}

/** A shared statement link (never its token). */
export type StatementLink = Answers["GET /api/clients/{id}/statement-links"][number];

/** The MSP's details printed on statements (trueup.yaml `msp:`). Hand-written: the route declares no answer schema. */
export interface MspSettings {
  name: string;
  address: string[];
  /** A file name in trueup.yaml (the CLI's); the app's logo is uploaded instead. */
  logo?: string;
  paper: "A4" | "Letter";
}

/** GET /api/pricing/plan: the price rises due by each client's next contract anniversary. */
export type PricingPlan = Answers["GET /api/pricing/plan"];
