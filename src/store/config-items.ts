import { stringify } from "yaml";
import type { Connection } from "../connectors/types.ts";
import { formatPrice, type Money, money } from "../core/money.ts";
import type { Bundle, Client, Component, DeviceType, Plan, Rules, Service, Uplift } from "../core/types.ts";
import { type Config, pulledFile, type SourceConfig, type SourceKind } from "../workspace/config.ts";
import type { Msp } from "../workspace/msp.ts";

// A validated Config <-> the items stored in the database, each written as in trueup.yaml: amounts
// are decimal strings ("9.90"), never floats, and defaults are left out where trueup.yaml may leave
// them out. Decoding trusts its input: only validated configurations are ever stored.

type Item = Record<string, unknown>;

const DEFAULT_DEVICE_TYPES = ["workstation", "laptop"];

/** Keys whose value is undefined are left out, as trueup.yaml would. */
function compact(o: Item): Item {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export function serviceItem(s: Service): Item {
  return compact({
    id: s.id,
    name: s.name,
    unit: s.unit,
    cost: formatPrice(s.cost),
    price: formatPrice(s.price),
    psaProduct: s.psaProduct,
    vendorSkus:
      s.vendorSkus.length > 0 ? s.vendorSkus.map((v) => ({ vendor: v.vendor, sku: v.sku })) : undefined,
    deployment: s.deployment,
  });
}

function isDefaultTypes(types: readonly string[]): boolean {
  return types.length === DEFAULT_DEVICE_TYPES.length && types.every((t, i) => t === DEFAULT_DEVICE_TYPES[i]);
}

export function bundleItem(b: Bundle): Item {
  return compact({
    id: b.id,
    name: b.name,
    per: b.per,
    deviceTypes: isDefaultTypes(b.deviceTypes) ? undefined : [...b.deviceTypes],
    price: formatPrice(b.price),
    psaProduct: b.psaProduct,
    includes: b.includes.map((c) =>
      compact({ service: c.service, deviceTypes: c.deviceTypes && [...c.deviceTypes] }),
    ),
    devicesPerUser: b.devicesPerUser,
    extraDevice: b.extraDevice,
  });
}

function planItem(p: Plan): Item {
  const price = p.price && formatPrice(p.price);
  const dated = { priceFrom: p.priceFrom, previousPrice: p.previousPrice && formatPrice(p.previousPrice) };
  if (p.kind === "bundle") {
    const filter = compact({
      licencesAny: p.licencesAny && [...p.licencesAny],
      groupsAny: p.groupsAny && [...p.groupsAny],
      excludeGroups: p.excludeGroups && [...p.excludeGroups],
    });
    const users = Object.keys(filter).length > 0 ? filter : undefined;
    return compact({ bundle: p.bundle, users, price, ...dated, minimum: p.minimum });
  }
  return compact({ service: p.service, quantity: p.quantity, price, ...dated, minimum: p.minimum });
}

export function clientItem(c: Client): Item {
  return compact({
    id: c.id,
    name: c.name,
    ended: c.ended,
    ids: { ...c.ids },
    clientPaid: c.clientPaid && [...c.clientPaid],
    contractStart: c.contractStart,
    uplift: c.uplift && upliftItem(c.uplift),
    plans: c.plans.map(planItem),
  });
}

function upliftItem(u: Uplift): Item {
  return compact({
    percent: u.percent.toString(),
    cap: u.cap?.toString(),
    capAmount: u.capAmount && formatPrice(u.capAmount),
    exclude: u.exclude.length > 0 ? [...u.exclude] : undefined,
  });
}

function readUpliftItem(o: Item): Uplift {
  const u: Uplift = {
    percent: amount(o.percent) ?? money("0"),
    exclude: ((o.exclude as unknown[]) ?? []).map(String),
  };
  const cap = amount(o.cap);
  const capAmount = amount(o.capAmount);
  if (cap) u.cap = cap;
  if (capAmount) u.capAmount = capAmount;
  return u;
}

export function sourceItem(s: SourceConfig): Item {
  if (s.connection !== undefined)
    return compact({
      kind: s.kind,
      connection: s.connection,
      client: s.client,
      vendor: s.vendor,
      deployment: s.deployment,
    });
  return compact({
    kind: s.kind,
    format: s.format,
    file: s.file,
    client: s.client,
    vendor: s.vendor,
    deployment: s.deployment,
    columns: s.columns,
    values: s.values,
    dateFormat: s.dateFormat,
  });
}

/** Currency, asOf and rules: the settings of a workspace. */
export interface WorkspaceSettings {
  currency: string;
  asOf?: string;
  rules: {
    staleDeviceDays: number;
    requireLicence: boolean;
    excludeUsers: string[];
    inactiveUserDays?: number;
    /** The decimal as text ("0.35"): money-exact, never a float. */
    targetMargin?: string;
    changeAmount?: string;
    changePercent?: string;
  };
  connections?: Connection[];
  dateFormat?: Config["dateFormat"];
  skuNames?: Record<string, string>;
  msp?: Msp;
}

export function settingsOf(c: Config): WorkspaceSettings {
  return compact({
    currency: c.currency,
    asOf: c.asOf,
    dateFormat: c.dateFormat,
    skuNames: c.skuNames && Object.keys(c.skuNames).length > 0 ? { ...c.skuNames } : undefined,
    rules: compact({
      ...c.rules,
      targetMargin: c.rules.targetMargin?.toString(),
      changeAmount: c.rules.changeAmount?.toString(),
      changePercent: c.rules.changePercent?.toString(),
    }) as WorkspaceSettings["rules"],
    connections: c.connections.length > 0 ? c.connections : undefined,
    msp: c.msp,
  }) as unknown as WorkspaceSettings;
}

/** trueup.yaml for a configuration, keys in the order of the spec. */
export function configToYaml(c: Config): string {
  const { connections, ...settings } = settingsOf(c);
  const doc = {
    ...settings,
    ...(connections ? { connections: Object.fromEntries(connections.map(connectionItem)) } : {}),
    services: c.services.map(serviceItem),
    bundles: c.bundles.map(bundleItem),
    clients: c.clients.map(clientItem),
    sources: c.sources.map(sourceItem),
  };
  return stringify(doc, { lineWidth: 0 });
}

/** A connection as trueup.yaml writes it: settings flat, secrets as `<name>Env: VARIABLE`. */
function connectionItem(c: Connection): [string, Item] {
  const secrets = Object.fromEntries(Object.entries(c.secretEnv).map(([k, v]) => [`${k}Env`, v]));
  return [c.name, compact({ kind: c.kind, url: c.url, schedule: c.schedule, ...c.settings, ...secrets })];
}

// Decoding, the inverse of the functions above.

const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const count = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const amount = (v: unknown) => (v === undefined || v === null ? undefined : money(String(v)));

export function readServiceItem(o: Item): Service {
  return {
    id: String(o.id),
    name: String(o.name),
    unit: o.unit as Service["unit"],
    cost: money(String(o.cost)),
    price: money(String(o.price)),
    psaProduct: text(o.psaProduct),
    vendorSkus: ((o.vendorSkus as Item[] | undefined) ?? []).map((v) => ({
      vendor: String(v.vendor),
      sku: String(v.sku),
    })),
    deployment: text(o.deployment),
  };
}

export function readBundleItem(o: Item): Bundle {
  return {
    id: String(o.id),
    name: String(o.name),
    per: o.per as Bundle["per"],
    deviceTypes: ((o.deviceTypes as DeviceType[] | undefined) ?? DEFAULT_DEVICE_TYPES) as DeviceType[],
    price: money(String(o.price)),
    psaProduct: text(o.psaProduct),
    includes: ((o.includes as Item[] | undefined) ?? []).map(
      (c): Component => ({
        service: String(c.service),
        deviceTypes: c.deviceTypes as DeviceType[] | undefined,
      }),
    ),
    devicesPerUser: count(o.devicesPerUser),
    extraDevice: text(o.extraDevice),
  };
}

function readPlanItem(o: Item): Plan {
  if (o.bundle !== undefined) {
    const users = o.users as
      | { licencesAny?: string[]; groupsAny?: string[]; excludeGroups?: string[] }
      | undefined;
    const plan: Plan = {
      kind: "bundle",
      bundle: String(o.bundle),
      licencesAny: users?.licencesAny,
      price: amount(o.price),
      ...datedPrice(o),
      minimum: count(o.minimum),
    };
    if (users?.groupsAny) plan.groupsAny = [...users.groupsAny];
    if (users?.excludeGroups) plan.excludeGroups = [...users.excludeGroups];
    return plan;
  }
  return {
    kind: "service",
    service: String(o.service),
    quantity: count(o.quantity),
    price: amount(o.price),
    ...datedPrice(o),
    minimum: count(o.minimum),
  };
}

function datedPrice(o: Item): { priceFrom?: string; previousPrice?: Money } {
  if (typeof o.priceFrom !== "string") return {};
  const previousPrice = amount(o.previousPrice);
  return previousPrice ? { priceFrom: o.priceFrom, previousPrice } : { priceFrom: o.priceFrom };
}

export function readClientItem(o: Item): Client {
  return {
    id: String(o.id),
    name: String(o.name),
    ids: { ...(o.ids as Record<string, string | string[]>) },
    plans: ((o.plans as Item[] | undefined) ?? []).map(readPlanItem),
    ...(Array.isArray(o.clientPaid) ? { clientPaid: (o.clientPaid as unknown[]).map(String) } : {}),
    ...(typeof o.ended === "string" ? { ended: o.ended } : {}),
    ...(typeof o.contractStart === "string" ? { contractStart: o.contractStart } : {}),
    ...(o.uplift && typeof o.uplift === "object" ? { uplift: readUpliftItem(o.uplift as Item) } : {}),
  };
}

export function readSourceItem(o: Item, index: number): SourceConfig {
  return {
    index,
    kind: o.kind as SourceKind,
    format: o.connection === undefined ? String(o.format) : `trueup-${String(o.kind)}`,
    file:
      o.connection === undefined ? String(o.file) : pulledFile(String(o.connection), o.kind as SourceKind),
    connection: text(o.connection),
    client: text(o.client),
    vendor: text(o.vendor),
    deployment: text(o.deployment),
    columns: o.columns as SourceConfig["columns"],
    values: o.values as SourceConfig["values"],
    dateFormat: o.dateFormat as SourceConfig["dateFormat"],
  };
}

export function readRules(o: WorkspaceSettings["rules"] | undefined): Rules {
  return {
    staleDeviceDays: o?.staleDeviceDays ?? 30,
    requireLicence: o?.requireLicence ?? true,
    excludeUsers: [...(o?.excludeUsers ?? [])],
    ...(o?.inactiveUserDays === undefined ? {} : { inactiveUserDays: o.inactiveUserDays }),
    ...(o?.targetMargin === undefined ? {} : { targetMargin: money(o.targetMargin) }),
    ...(o?.changeAmount === undefined ? {} : { changeAmount: money(o.changeAmount) }),
    ...(o?.changePercent === undefined ? {} : { changePercent: money(o.changePercent) }),
  };
}
