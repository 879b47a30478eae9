import { CONNECTION_KINDS, type Connection } from "../connectors/types.ts";
import { listed } from "../core/listing.ts";
import type { Money } from "../core/money.ts";
import {
  type Bundle,
  type Client,
  type Component,
  DEVICE_TYPES,
  type DeviceType,
  type ExternalIds,
  type Plan,
  type Rules,
  type Service,
  type Uplift,
  type VendorSku,
} from "../core/types.ts";
import { DATE_FORMATS, type DateOrder, parseDateFormat } from "../formats/dates.ts";
import { readMapping, type SourceMapping } from "./mapping.ts";
import { type Msp, readMsp } from "./msp.ts";
import { Reader } from "./reader.ts";
import { checkReferences } from "./references.ts";
import type { Path, YamlFile } from "./yaml.ts";

// trueup.yaml -> the catalogue, clients and sources, with every problem reported at its YAML path.

export const SOURCE_KINDS = ["users", "devices", "deployments", "licences", "billing"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceConfig extends SourceMapping {
  index: number;
  kind: SourceKind;
  format: string;
  file: string;
  client?: string;
  vendor?: string;
  deployment?: string;
  /** The order of the file's slash dates, when its dates do not settle it themselves. */
  dateFormat?: DateOrder;
  /** Rows come from this connection's last pull instead of a file (`file` then names the pull's snapshot). */
  connection?: string;
}

export interface Config {
  currency: string;
  asOf?: string;
  rules: Rules;
  services: Service[];
  bundles: Bundle[];
  clients: Client[];
  sources: SourceConfig[];
  connections: Connection[];
  /** The order of slash dates of every source that does not state its own. */
  dateFormat?: DateOrder;
  /** The workspace's own Microsoft product names -> SKU part number (`skuNames:`). */
  skuNames?: Record<string, string>;
  /** Who sends client statements (trueup.yaml `msp:`, optional). */
  msp?: Msp;
}

const DEFAULT_DEVICE_TYPES: DeviceType[] = ["workstation", "laptop"];

export function readConfig(y: YamlFile): Config | undefined {
  if (y.value === undefined) return undefined;
  const r = new Reader(y);
  const root = r.obj(
    y.value ?? {},
    [],
    [
      "currency",
      "asOf",
      "dateFormat",
      "skuNames",
      "rules",
      "services",
      "bundles",
      "clients",
      "sources",
      "connections",
      "msp",
    ],
  );
  if (!root) return undefined;
  const currency = r.str(root, [], "currency") ?? "USD";
  if (!/^[A-Z]{3}$/.test(currency))
    y.error(["currency"], `expected an ISO 4217 code such as USD, got "${currency}"`);
  const connections = readConnections(r, root.connections);
  const config: Config = {
    currency,
    asOf: r.date(root, [], "asOf"),
    rules: readRules(r, root.rules),
    services: each(r, root, "services", readService),
    bundles: each(r, root, "bundles", readBundle),
    clients: each(r, root, "clients", readClient),
    sources: each(r, root, "sources", (r2, v, p) => readSource(r2, v, p, connections)),
    connections,
    dateFormat: readDateFormat(r, root, []),
    skuNames: readSkuNames(r, root.skuNames),
  };
  const msp = readMsp(r, root.msp);
  if (msp) config.msp = msp;
  checkReferences(y, config);
  return config;
}

function each<T>(
  r: Reader,
  root: Record<string, unknown>,
  key: string,
  read: (r: Reader, v: unknown, p: Path) => T | undefined,
): T[] {
  const out: T[] = [];
  (r.list(root, [], key) ?? []).forEach((v, i) => {
    const item = read(r, v, [key, i]);
    if (item !== undefined) out.push(item);
  });
  return out;
}

function readRules(r: Reader, value: unknown): Rules {
  const rules: Rules = { staleDeviceDays: 30, requireLicence: true, excludeUsers: [] };
  if (value === undefined || value === null) return rules;
  const o = r.obj(
    value,
    ["rules"],
    [
      "staleDeviceDays",
      "requireLicence",
      "excludeUsers",
      "inactiveUserDays",
      "targetMargin",
      "changeAmount",
      "changePercent",
    ],
  );
  if (!o) return rules;
  rules.staleDeviceDays = r.count(o, ["rules"], "staleDeviceDays") ?? rules.staleDeviceDays;
  rules.requireLicence = r.bool(o, ["rules"], "requireLicence") ?? rules.requireLicence;
  rules.excludeUsers = r.strings(o, ["rules"], "excludeUsers") ?? [];
  const inactive = r.count(o, ["rules"], "inactiveUserDays");
  if (inactive !== undefined) rules.inactiveUserDays = inactive;
  const target = r.money(o, ["rules"], "targetMargin");
  if (target?.greaterThanOrEqualTo(1))
    r.y.error(["rules", "targetMargin"], `expected a fraction below 1 such as 0.35, got "${target}"`);
  else if (target !== undefined) rules.targetMargin = target;
  for (const key of ["changeAmount", "changePercent"] as const) {
    const v = o[key];
    const m = r.money(typeof v === "number" ? { [key]: String(v) } : o, ["rules"], key);
    if (m !== undefined) rules[key] = m;
  }
  return rules;
}

function readService(r: Reader, v: unknown, p: Path): Service | undefined {
  const o = r.obj(v, p, ["id", "name", "unit", "cost", "price", "psaProduct", "vendorSkus", "deployment"]);
  if (!o) return undefined;
  const id = r.str(o, p, "id", true);
  const unit = r.oneOf(o, p, "unit", ["user", "device"] as const, true);
  const cost = r.money(o, p, "cost", true);
  const price = r.money(o, p, "price", true);
  const vendorSkus: VendorSku[] = [];
  (r.list(o, p, "vendorSkus") ?? []).forEach((sv, i) => {
    const sp = [...p, "vendorSkus", i];
    const so = r.obj(sv, sp, ["vendor", "sku"]);
    const vendor = so && r.str(so, sp, "vendor", true);
    const sku = so && r.str(so, sp, "sku", true);
    if (vendor && sku) vendorSkus.push({ vendor, sku });
  });
  if (!id || !unit || !cost || !price) return undefined;
  return {
    id,
    name: r.str(o, p, "name") ?? id,
    unit,
    cost,
    price,
    psaProduct: r.str(o, p, "psaProduct"),
    vendorSkus,
    deployment: r.str(o, p, "deployment"),
  };
}

function deviceTypes(r: Reader, o: Record<string, unknown>, p: Path): DeviceType[] | undefined {
  const list = r.strings(o, p, "deviceTypes");
  if (!list) return undefined;
  const ok = list.filter((t, i): t is DeviceType => {
    if ((DEVICE_TYPES as readonly string[]).includes(t)) return true;
    r.y.error([...p, "deviceTypes", i], `expected one of ${DEVICE_TYPES.join(", ")}, got "${t}"`);
    return false;
  });
  return ok;
}

function readBundle(r: Reader, v: unknown, p: Path): Bundle | undefined {
  const known = [
    "id",
    "name",
    "per",
    "price",
    "psaProduct",
    "includes",
    "deviceTypes",
    "devicesPerUser",
    "extraDevice",
  ];
  const o = r.obj(v, p, known);
  if (!o) return undefined;
  const id = r.str(o, p, "id", true);
  const per = r.oneOf(o, p, "per", ["user", "device"] as const, true);
  const price = r.money(o, p, "price", true);
  const includes: Component[] = [];
  (r.list(o, p, "includes") ?? []).forEach((cv, i) => {
    const cp = [...p, "includes", i];
    const co = r.obj(cv, cp, ["service", "deviceTypes"]);
    const service = co && r.str(co, cp, "service", true);
    if (co && service) includes.push({ service, deviceTypes: deviceTypes(r, co, cp) });
  });
  const devicesPerUser = r.count(o, p, "devicesPerUser");
  const extraDevice = r.str(o, p, "extraDevice");
  if (per === "device" && devicesPerUser !== undefined)
    r.y.error([...p, "devicesPerUser"], "applies only to per: user bundles");
  if ((devicesPerUser === undefined) !== (extraDevice === undefined)) {
    r.y.error(
      p,
      "devicesPerUser and extraDevice go together: the allowance, and the service that bills devices over it",
    );
  }
  if (!id || !per || !price) return undefined;
  return {
    id,
    name: r.str(o, p, "name") ?? id,
    per,
    deviceTypes: deviceTypes(r, o, p) ?? DEFAULT_DEVICE_TYPES,
    price,
    psaProduct: r.str(o, p, "psaProduct"),
    includes,
    devicesPerUser,
    extraDevice,
  };
}

function readClient(r: Reader, v: unknown, p: Path): Client | undefined {
  const o = r.obj(v, p, ["id", "name", "ids", "plans", "clientPaid", "ended", "contractStart", "uplift"]);
  if (!o) return undefined;
  const id = r.str(o, p, "id", true);
  const ids = readIds(r, o.ids, [...p, "ids"]);
  const plans: Plan[] = [];
  (r.list(o, p, "plans") ?? []).forEach((pv, i) => {
    const plan = readPlan(r, pv, [...p, "plans", i]);
    if (plan) plans.push(plan);
  });
  if (!id) return undefined;
  const client: Client = { id, name: r.str(o, p, "name") ?? id, ids, plans };
  const clientPaid = r.strings(o, p, "clientPaid");
  if (clientPaid !== undefined) client.clientPaid = clientPaid;
  const ended = r.date(o, p, "ended");
  if (ended !== undefined) client.ended = ended;
  const contractStart = r.date(o, p, "contractStart");
  if (contractStart !== undefined) client.contractStart = contractStart;
  const uplift =
    o.uplift === undefined || o.uplift === null ? undefined : readUplift(r, o.uplift, [...p, "uplift"]);
  if (uplift) client.uplift = uplift;
  if (uplift && contractStart === undefined)
    r.y.error(
      [...p, "uplift"],
      'an uplift falls due on the contract\'s anniversary: give "contractStart" too',
    );
  return client;
}

/** `uplift: { percent: 5, cap: 7, capAmount: '10.00', exclude: [archiving] }` (docs/pricing.md). */
export function readUplift(r: Reader, v: unknown, p: Path): Uplift | undefined {
  const o = r.obj(v, p, ["percent", "cap", "capAmount", "exclude"]);
  if (!o) return undefined;
  const percent = r.money(o, p, "percent", true);
  const cap = r.money(o, p, "cap");
  const capAmount = r.money(o, p, "capAmount");
  if (!percent) return undefined;
  const uplift: Uplift = { percent, exclude: r.strings(o, p, "exclude") ?? [] };
  if (cap) uplift.cap = cap;
  if (capAmount) uplift.capAmount = capAmount;
  return uplift;
}

/** `ids:` system -> one id, or a list of them (a client under two PSA companies). */
function readIds(r: Reader, value: unknown, p: Path): Record<string, ExternalIds> {
  const ids: Record<string, ExternalIds> = {};
  if (value === undefined || value === null) return ids;
  const io = r.obj(value, p, Object.keys(value as object));
  for (const key of Object.keys(io ?? {})) {
    if (io && Array.isArray(io[key])) {
      const list = r.strings(io, p, key);
      if (list && list.length === 0) r.y.error([...p, key], "an empty list names no id");
      else if (list) ids[key] = list;
    } else {
      const one = io && r.str(io, p, key, true);
      if (one) ids[key] = one;
    }
  }
  return ids;
}

function readPlan(r: Reader, v: unknown, p: Path): Plan | undefined {
  const o = r.obj(v, p, [
    "bundle",
    "service",
    "users",
    "price",
    "priceFrom",
    "previousPrice",
    "minimum",
    "quantity",
  ]);
  if (!o) return undefined;
  const bundle = r.str(o, p, "bundle");
  const service = r.str(o, p, "service");
  const price = r.money(o, p, "price");
  const dated = readDatedPrice(r, o, p, price);
  const minimum = r.count(o, p, "minimum");
  if ((bundle === undefined) === (service === undefined)) {
    r.y.error(p, 'a plan names either a "bundle" or a "service"');
    return undefined;
  }
  if (bundle !== undefined) {
    if (o.quantity !== undefined)
      r.y.error([...p, "quantity"], "a fixed quantity applies to service plans only");
    const plan: Plan = { kind: "bundle", bundle, price, ...dated, minimum };
    if (o.users !== undefined && o.users !== null) {
      const up = [...p, "users"];
      const uo = r.obj(o.users, up, ["licencesAny", "groupsAny", "excludeGroups"]);
      for (const key of ["licencesAny", "groupsAny", "excludeGroups"] as const) {
        const list = uo && r.strings(uo, up, key);
        if (list !== undefined) plan[key] = list;
      }
    }
    return plan;
  }
  if (o.users !== undefined) r.y.error([...p, "users"], "a users filter applies to bundle plans only");
  const quantity = r.count(o, p, "quantity");
  return { kind: "service", service: service as string, quantity, price, ...dated, minimum };
}

/** `priceFrom` (and the `previousPrice` before it) of a plan whose price changed on a date. */
function readDatedPrice(
  r: Reader,
  o: Record<string, unknown>,
  p: Path,
  price: Money | undefined,
): { priceFrom?: string; previousPrice?: Money } {
  const priceFrom = r.date(o, p, "priceFrom");
  const previousPrice = r.money(o, p, "previousPrice");
  if (priceFrom === undefined && previousPrice === undefined) return {};
  if (priceFrom === undefined || price === undefined) {
    r.y.error(p, '"priceFrom" and "previousPrice" go with a "price": the price from that date on');
    return {};
  }
  return previousPrice === undefined ? { priceFrom } : { priceFrom, previousPrice };
}

function readSource(r: Reader, v: unknown, p: Path, connections: Connection[]): SourceConfig | undefined {
  const known = [
    "kind",
    "format",
    "file",
    "connection",
    "client",
    "vendor",
    "deployment",
    "columns",
    "values",
    "dateFormat",
  ];
  const o = r.obj(v, p, known);
  if (!o) return undefined;
  const kind = r.oneOf(o, p, "kind", SOURCE_KINDS, true);
  const connection = r.str(o, p, "connection");
  const conn = connection === undefined ? undefined : connections.find((c) => c.name === connection);
  if (connection !== undefined && !conn) {
    const names = listed(connections.map((c) => c.name)) || "none defined";
    r.y.error([...p, "connection"], `unknown connection "${connection}" (connections: ${names})`);
  }
  if (connection !== undefined && (o.file !== undefined || o.format !== undefined))
    r.y.error(
      [...p, connection === undefined ? "file" : "connection"],
      "a source reads either a file or a connection, not both",
    );
  const format = connection === undefined ? (r.str(o, p, "format") ?? `trueup-${kind}`) : `trueup-${kind}`;
  const file = connection === undefined ? r.str(o, p, "file", true) : pulledFile(connection, kind ?? "users");
  const deployment = r.str(o, p, "deployment");
  if (kind === "deployments" && deployment === undefined)
    r.y.error([...p, "deployment"], "a deployments source names its deployment (for example edr)");
  const vendor = r.str(o, p, "vendor") ?? (conn ? DEFAULT_VENDOR[conn.kind] : undefined);
  if (kind === "licences" && vendor === undefined)
    r.y.error([...p, "vendor"], "a licences source names its vendor (for example pax8)");
  const mapping = readMapping(r, o, p, format);
  if (!kind || !file) return undefined;
  return {
    index: p[1] as number,
    kind,
    format,
    file,
    connection,
    client: r.str(o, p, "client"),
    vendor,
    deployment,
    dateFormat: readDateFormat(r, o, p),
    ...mapping,
  };
}

/** A `dateFormat:` (DD/MM/YYYY or MM/DD/YYYY) as the order of slash dates. */
function readDateFormat(r: Reader, o: Record<string, unknown>, p: Path): DateOrder | undefined {
  const text = r.str(o, p, "dateFormat");
  if (text === undefined) return undefined;
  const order = parseDateFormat(text);
  if (order === undefined) r.y.error([...p, "dateFormat"], `expected ${DATE_FORMATS}, got "${text}"`);
  return order;
}

/** `skuNames:` maps a Microsoft product name to its SKU part number, for names newer than Trueup's table. */
function readSkuNames(r: Reader, value: unknown): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return undefined;
  const o = r.obj(value, ["skuNames"], Object.keys(value as object));
  for (const name of Object.keys(o ?? {})) {
    const part = o && r.str(o, ["skuNames"], name, true);
    if (part !== undefined) out[name] = part.trim();
  }
  return out;
}

/** Where a connection's last pull of one kind is kept, relative to the workspace. */
export function pulledFile(connection: string, kind: SourceKind): string {
  return `pulls/${connection}/${kind}.csv`;
}

const DEFAULT_VENDOR: Partial<Record<string, string>> = { msgraph: "microsoft", pax8: "pax8" };

const SETTINGS_KEYS = ["kind", "url", "schedule"];

/**
 * `connections:` maps a name to a system. Secrets are never written here: a key ending in `Env`
 * names the environment variable holding that secret (`privateKeyEnv: TRUEUP_CONN_CW_PRIVATE`). Which settings
 * and secrets a kind needs is checked against its connector (connectors/check.ts).
 */
function readConnections(r: Reader, value: unknown): Connection[] {
  if (value === undefined || value === null) return [];
  const o = r.obj(value, ["connections"], Object.keys(value as object));
  if (!o) return [];
  const out: Connection[] = [];
  for (const [name, v] of Object.entries(o)) {
    const p = ["connections", name];
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name))
      r.y.error(p, `a connection name is letters, digits, - and _, got "${name}"`);
    const c = r.obj(v, p, Object.keys((v ?? {}) as object));
    const kind = c && r.oneOf(c, p, "kind", CONNECTION_KINDS, true);
    if (!c || !kind) continue;
    const conn: Connection = { name, kind, settings: {}, secretEnv: {} };
    conn.url = r.str(c, p, "url");
    conn.schedule = r.str(c, p, "schedule");
    for (const key of Object.keys(c)) {
      if (SETTINGS_KEYS.includes(key)) continue;
      if (key.endsWith("Env") && key.length > 3) {
        const variable = r.str(c, p, key, true);
        if (variable) conn.secretEnv[key.slice(0, -3)] = variable;
      } else if (Array.isArray(c[key])) {
        const list = r.strings(c, p, key);
        if (list) conn.settings[key] = list;
      } else {
        const text = r.str(c, p, key);
        if (text !== undefined) conn.settings[key] = text;
      }
    }
    out.push(conn);
  }
  return out;
}
