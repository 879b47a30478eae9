import type { Money } from "./money.ts";

// The core's input: a fully resolved workspace (catalogue, clients, source rows). The workspace
// layer builds it from trueup.yaml and the CSV files; the core never reads files.

export const DEVICE_TYPES = ["workstation", "laptop", "server", "mobile", "other"] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export type Unit = "user" | "device";

export interface VendorSku {
  vendor: string;
  sku: string;
}

export interface Service {
  id: string;
  name: string;
  unit: Unit;
  cost: Money;
  price: Money;
  psaProduct?: string;
  vendorSkus: VendorSku[];
  deployment?: string;
}

export interface Component {
  service: string;
  deviceTypes?: DeviceType[];
}

export interface Bundle {
  id: string;
  name: string;
  per: Unit;
  /** The device types the bundle takes (already defaulted by the workspace layer). */
  deviceTypes: DeviceType[];
  price: Money;
  psaProduct?: string;
  includes: Component[];
  devicesPerUser?: number;
  extraDevice?: string;
}

export interface BundlePlan {
  kind: "bundle";
  bundle: string;
  /** The user filter (4.3): holds one of these SKUs. */
  licencesAny?: string[];
  /** Is in one of these groups (names compare without regard to case). */
  groupsAny?: string[];
  /** Is in none of these groups. */
  excludeGroups?: string[];
  price?: Money;
  /** The contracted price applies from this date (yyyy-mm-dd); before it, `previousPrice` does. */
  priceFrom?: string;
  /** The price before `priceFrom` (none: the catalogue's). */
  previousPrice?: Money;
  minimum?: number;
}

export interface ServicePlan {
  kind: "service";
  service: string;
  quantity?: number;
  price?: Money;
  /** As for a bundle plan: `price` from this date, `previousPrice` before it. */
  priceFrom?: string;
  previousPrice?: Money;
  minimum?: number;
}

export type Plan = BundlePlan | ServicePlan;

/** One external id, or several (a client billed under two PSA companies, or with two tenants). */
export type ExternalIds = string | readonly string[];

export interface Client {
  id: string;
  name: string;
  /** External ids by system (psa, microsoft, rmm, a vendor, a deployment name). */
  ids: Record<string, ExternalIds>;
  plans: Plan[];
  /** Services whose licences the client buys itself: no licence finding of any kind (4.5). */
  clientPaid?: string[];
  /** A former client from this date (yyyy-mm-dd) on: owed nothing (4.6). */
  ended?: string;
  /** The contract's first day (yyyy-mm-dd): its anniversaries are when an uplift falls due. */
  contractStart?: string;
  /** The yearly price rise the contract allows (src/pricing, docs/pricing.md). */
  uplift?: Uplift;
}

/** A yearly price rise: `percent`, at most `cap` percent and `capAmount` per unit; `exclude`d plans keep their price. */
export interface Uplift {
  percent: Money;
  cap?: Money;
  capAmount?: Money;
  /** Bundle or service ids whose price never rises this way (licences passed through at cost). */
  exclude: string[];
}

export interface Rules {
  staleDeviceDays: number;
  requireLicence: boolean;
  excludeUsers: string[];
  /** A user last active more than this many days before asOf is not billable (4.1). */
  inactiveUserDays?: number;
  /** The margin (a fraction of revenue, 0.35 = 35 %) below which a client or bundle is flagged. */
  targetMargin?: Money;
  /** Month-over-month alerts: a change must be worth at least this much a month (default 50.00)... */
  changeAmount?: Money;
  /** ...and move its figure by at least this percentage (default 20). */
  changePercent?: Money;
}

/** Where a row came from, for evidence: "data/psa.csv:17". */
export type RowRef = string;

/** A source row's owner: a client id, or the raw account value when no client matches. */
export type Owner = { client: string } | { account: string; system: string };

export interface UserRow {
  ref: RowRef;
  owner: Owner;
  upn: string;
  enabled: boolean;
  licences: string[];
  guest: boolean;
  /** The vendor whose SKUs the licences are (default microsoft). */
  vendor: string;
  /** Group names (transitive membership where the source knows it). */
  groups?: string[];
  /** Last sign-in as a UTC instant, ISO 8601; absent when the source does not give it. */
  lastActive?: string;
}

export interface DeviceRow {
  ref: RowRef;
  owner: Owner;
  hostname: string;
  serial: string;
  type: DeviceType;
  /** Last contact as a UTC instant, ISO 8601 (2026-10-31T01:15:00.000Z); a bare date is its midnight. */
  lastSeen: string;
  primaryUser: string;
}

export interface DeploymentRow {
  ref: RowRef;
  owner: Owner;
  deployment: string;
  hostname: string;
  serial: string;
}

export interface LicenceRow {
  ref: RowRef;
  owner: Owner;
  vendor: string;
  sku: string;
  quantity: number;
  /** Cost per unit per month, when the row gives one (the money on an unmapped row). */
  unitCost?: Money;
  /** End of the term within which the quantity cannot be reduced (yyyy-mm-dd). */
  commitmentEnd?: string;
  /** Length of that term in months (12 for "1-Year"), when the source gives it: the next term ends that much later. */
  commitmentTermMonths?: number;
}

export interface BillingRow {
  ref: RowRef;
  owner: Owner;
  product: string;
  quantity: number;
  unitPrice: Money;
  agreement: string;
}

/** Which kinds of source the workspace has: a comparison runs only where its source exists. */
export interface SourcePresence {
  users: boolean;
  devices: boolean;
  billing: boolean;
  /** Vendors that have a licences source. */
  licenceVendors: Set<string>;
  /** Deployment names that have a deployments source. */
  deployments: Set<string>;
}

export interface ReconcileInput {
  currency: string;
  asOf: string;
  rules: Rules;
  services: Service[];
  bundles: Bundle[];
  clients: Client[];
  users: UserRow[];
  devices: DeviceRow[];
  deploymentRows: DeploymentRow[];
  licences: LicenceRow[];
  billing: BillingRow[];
  sources: SourcePresence;
}
