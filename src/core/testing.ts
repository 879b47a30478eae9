import { money } from "./money.ts";
import { reconcile } from "./reconcile.ts";
import { reportToJsonText } from "./report.ts";
import type { JsonFinding, JsonLine, JsonClient as ReportJsonClient } from "./report-json.ts";
import type {
  BillingRow,
  Bundle,
  BundlePlan,
  Client,
  Component,
  DeploymentRow,
  DeviceRow,
  DeviceType,
  ExternalIds,
  LicenceRow,
  Owner,
  ReconcileInput,
  Rules,
  Service,
  ServicePlan,
  SourcePresence,
  UserRow,
  VendorSku,
} from "./types.ts";

// A small builder of ReconcileInput values for the core's tests: every part has a sensible
// default, so that a test states only what matters to it. Rows belong to the client "acme" unless
// told otherwise; a row without a ref gets "<kind>.csv:<line>" (line 1 being the header).

export const AS_OF = "2026-11-01";
export const CLIENT = "acme";

/** Where a row belongs: a client id, or an account that no client claims. */
export interface RowOwner {
  client?: string;
  account?: { system: string; value: string };
}

function ownerOf(o: RowOwner): Owner {
  if (o.account) return { account: o.account.value, system: o.account.system };
  return { client: o.client ?? CLIENT };
}

export function service(
  id: string,
  o: Partial<Omit<Service, "cost" | "price">> & { cost?: string; price?: string } = {},
): Service {
  const s: Service = {
    id,
    name: o.name ?? id,
    unit: o.unit ?? "device",
    cost: money(o.cost ?? "1.00"),
    price: money(o.price ?? "2.00"),
    psaProduct: "psaProduct" in o ? o.psaProduct : id.toUpperCase(),
    vendorSkus: o.vendorSkus ?? [],
  };
  if (o.deployment !== undefined) s.deployment = o.deployment;
  return s;
}

export function sku(vendor: string, name: string): VendorSku {
  return { vendor, sku: name };
}

export function bundle(
  id: string,
  o: Partial<Omit<Bundle, "price" | "includes">> & {
    price?: string;
    includes?: (string | Component)[];
  } = {},
): Bundle {
  const b: Bundle = {
    id,
    name: o.name ?? id,
    per: o.per ?? "user",
    // What the workspace layer fills in when trueup.yaml gives no deviceTypes (spec 4.3).
    deviceTypes: o.deviceTypes ?? ["workstation", "laptop"],
    price: money(o.price ?? "100.00"),
    psaProduct: "psaProduct" in o ? o.psaProduct : id.toUpperCase(),
    includes: (o.includes ?? []).map((c) => (typeof c === "string" ? { service: c } : c)),
  };
  if (o.devicesPerUser !== undefined) b.devicesPerUser = o.devicesPerUser;
  if (o.extraDevice !== undefined) b.extraDevice = o.extraDevice;
  return b;
}

export function bundlePlan(
  bundleId: string,
  o: {
    licencesAny?: string[];
    groupsAny?: string[];
    excludeGroups?: string[];
    price?: string;
    minimum?: number;
  } = {},
): BundlePlan {
  const p: BundlePlan = { kind: "bundle", bundle: bundleId };
  if (o.licencesAny !== undefined) p.licencesAny = o.licencesAny;
  if (o.groupsAny !== undefined) p.groupsAny = o.groupsAny;
  if (o.excludeGroups !== undefined) p.excludeGroups = o.excludeGroups;
  if (o.price !== undefined) p.price = money(o.price);
  if (o.minimum !== undefined) p.minimum = o.minimum;
  return p;
}

export function servicePlan(
  serviceId: string,
  o: { quantity?: number; price?: string; minimum?: number } = {},
): ServicePlan {
  const p: ServicePlan = { kind: "service", service: serviceId };
  if (o.quantity !== undefined) p.quantity = o.quantity;
  if (o.price !== undefined) p.price = money(o.price);
  if (o.minimum !== undefined) p.minimum = o.minimum;
  return p;
}

export function client(
  id: string,
  plans: (BundlePlan | ServicePlan)[] = [],
  o: { name?: string; ids?: Record<string, ExternalIds>; clientPaid?: string[]; ended?: string } = {},
): Client {
  const c: Client = { id, name: o.name ?? id, ids: o.ids ?? {}, plans };
  if (o.clientPaid !== undefined) c.clientPaid = o.clientPaid;
  if (o.ended !== undefined) c.ended = o.ended;
  return c;
}

export function user(
  upn: string,
  o: RowOwner & {
    ref?: string;
    enabled?: boolean;
    licences?: string[];
    guest?: boolean;
    vendor?: string;
    groups?: string[];
    lastActive?: string;
  } = {},
): UserRow {
  const u: UserRow = {
    ref: o.ref ?? "",
    owner: ownerOf(o),
    upn,
    enabled: o.enabled ?? true,
    licences: o.licences ?? ["SPB"],
    guest: o.guest ?? false,
    vendor: o.vendor ?? "microsoft",
  };
  if (o.groups !== undefined) u.groups = o.groups;
  if (o.lastActive !== undefined) u.lastActive = o.lastActive;
  return u;
}

export function device(
  hostname: string,
  o: RowOwner & {
    ref?: string;
    serial?: string;
    type?: DeviceType;
    lastSeen?: string;
    primaryUser?: string;
  } = {},
): DeviceRow {
  return {
    ref: o.ref ?? "",
    owner: ownerOf(o),
    hostname,
    serial: o.serial ?? "",
    type: o.type ?? "workstation",
    lastSeen: o.lastSeen ?? AS_OF,
    primaryUser: o.primaryUser ?? "",
  };
}

export function agent(
  deploymentName: string,
  hostname: string,
  o: RowOwner & { ref?: string; serial?: string } = {},
): DeploymentRow {
  return {
    ref: o.ref ?? "",
    owner: ownerOf(o),
    deployment: deploymentName,
    hostname,
    serial: o.serial ?? "",
  };
}

export function licence(
  vendor: string,
  skuName: string,
  quantity: number,
  o: RowOwner & { ref?: string; unitCost?: string; commitmentEnd?: string } = {},
): LicenceRow {
  const l: LicenceRow = { ref: o.ref ?? "", owner: ownerOf(o), vendor, sku: skuName, quantity };
  if (o.unitCost !== undefined) l.unitCost = money(o.unitCost);
  if (o.commitmentEnd !== undefined) l.commitmentEnd = o.commitmentEnd;
  return l;
}

export function billing(
  product: string,
  quantity: number,
  unitPrice: string,
  o: RowOwner & { ref?: string; agreement?: string } = {},
): BillingRow {
  return {
    ref: o.ref ?? "",
    owner: ownerOf(o),
    product,
    quantity,
    unitPrice: money(unitPrice),
    agreement: o.agreement ?? "Managed",
  };
}

export interface Spec {
  asOf?: string;
  currency?: string;
  rules?: Partial<Rules>;
  services?: Service[];
  bundles?: Bundle[];
  /** Default: one client "acme" with no plans. */
  clients?: Client[];
  /** Shorthand for `clients: [client("acme", plans)]`. */
  plans?: (BundlePlan | ServicePlan)[];
  users?: UserRow[];
  devices?: DeviceRow[];
  agents?: DeploymentRow[];
  licences?: LicenceRow[];
  billing?: BillingRow[];
  /**
   * Which sources the workspace has. Default: users and devices; billing when there are billing
   * rows; the vendors of the licence rows; the deployments of the agent rows.
   */
  sources?: Partial<SourcePresence>;
}

function withRefs<T extends { ref: string }>(rows: T[] | undefined, file: string): T[] {
  return (rows ?? []).map((r, i) => (r.ref ? r : { ...r, ref: `${file}:${i + 2}` }));
}

export function build(spec: Spec): ReconcileInput {
  const licences = withRefs(spec.licences, "licences.csv");
  const agents = withRefs(spec.agents, "deployments.csv");
  const bills = withRefs(spec.billing, "billing.csv");
  return {
    currency: spec.currency ?? "USD",
    asOf: spec.asOf ?? AS_OF,
    rules: { staleDeviceDays: 30, requireLicence: true, excludeUsers: [], ...spec.rules },
    services: spec.services ?? [],
    bundles: spec.bundles ?? [],
    clients: spec.clients ?? [client(CLIENT, spec.plans ?? [])],
    users: withRefs(spec.users, "users.csv"),
    devices: withRefs(spec.devices, "devices.csv"),
    deploymentRows: agents,
    licences,
    billing: bills,
    sources: {
      users: true,
      devices: true,
      billing: bills.length > 0,
      licenceVendors: new Set(licences.map((l) => l.vendor.toLowerCase())),
      deployments: new Set(agents.map((a) => a.deployment)),
      ...spec.sources,
    },
  };
}

// The report as the JSON of spec 6, which is what the tests compare: money as exact strings.

export type { JsonFinding, JsonLine };

export interface JsonClient extends ReportJsonClient {
  counts: { billableUsers: number; currentDevices: number; staleDevices: number };
}

export interface JsonReport {
  asOf: string;
  currency: string;
  totals: {
    underBilled: string;
    overBilled: string;
    licenceWaste: string;
    licenceShortfall: string;
    unmapped: string;
    coverageGaps: number;
    findings: number;
  };
  clients: JsonClient[];
}

/** Reconciles the spec's input and returns the report's JSON, parsed. */
export function run(spec: Spec): JsonReport {
  return JSON.parse(reportToJsonText(reconcile(build(spec)))) as JsonReport;
}

export function clientOf(r: JsonReport, id: string = CLIENT): JsonClient {
  const c = r.clients.find((x) => x.id === id);
  if (!c) throw new Error(`no client ${id} in the report`);
  return c;
}

/** The findings of one type (all types when omitted) of one client. */
export function findingsOf(r: JsonReport, type?: string, id: string = CLIENT): JsonFinding[] {
  return clientOf(r, id).findings.filter((f) => type === undefined || f.type === type);
}

/** The one finding of a type and subject; throws when there is none or more than one. */
export function findingOf(r: JsonReport, type: string, subject: string, id: string = CLIENT): JsonFinding {
  const found = findingsOf(r, type, id).filter((f) => f.subject === subject);
  if (found.length !== 1) throw new Error(`expected one ${type} ${subject}, found ${found.length}`);
  return found[0] as JsonFinding;
}

export function lineOf(r: JsonReport, subject: string, id: string = CLIENT): JsonLine | undefined {
  return clientOf(r, id).lines.find((l) => l.subject === subject);
}

/** The type and subject of every finding of a client, for terse comparisons. */
export function summary(r: JsonReport, id: string = CLIENT): string[] {
  return findingsOf(r, undefined, id).map((f) => `${f.type} ${f.subject}`);
}
