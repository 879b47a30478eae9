import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import fc from "fast-check";

// Generated workspaces for the property tests: a model of trueup.yaml plus canonical CSV rows, and a
// writer that puts one on disk (optionally with rows and columns shuffled) for the real loader.

export type Row = Record<string, string>;
export const KINDS = ["users", "devices", "edr", "backup", "pax8", "psa"] as const;
export type Kind = (typeof KINDS)[number];
type Sku = { vendor: string; sku: string };
export type Service = { id: string; unit: string; cost: string; price: string; psaProduct?: string };
type FullService = Service & { vendorSkus: Sku[]; deployment?: string };
type Component = { service: string; deviceTypes?: readonly string[] };
export type Bundle = {
  id: string;
  per: string;
  price: string;
  psaProduct?: string;
  deviceTypes?: readonly string[];
};
type FullBundle = Bundle & { includes: Component[]; devicesPerUser?: number; extraDevice?: string };
export type Plan = { bundle?: string; service?: string; price?: string; minimum?: number; quantity?: number };
export type Client = {
  id: string;
  name: string;
  ids: Record<string, string | string[]>;
  plans: Plan[];
  /** A former client from this date (4.6). */
  ended?: string;
  clientPaid?: string[];
};
export type Rules = {
  staleDeviceDays: number;
  requireLicence: boolean;
  excludeUsers: readonly string[];
  inactiveUserDays?: number;
};
export type Workspace = {
  asOf: string;
  rules: Rules;
  services: FullService[];
  bundles: FullBundle[];
  clients: Client[];
  /** Rows per source; a kind that is absent has no source at all. */
  files: Partial<Record<Kind, Row[]>>;
};

export const COLUMNS: Record<Kind, string[]> = {
  users: [
    "account",
    "upn",
    "displayName",
    "enabled",
    "licences",
    "userType",
    "groups",
    "lastActive",
    "notes",
  ],
  devices: ["account", "hostname", "serial", "type", "lastSeen", "primaryUser", "notes"],
  edr: ["account", "hostname", "serial", "lastSeen", "notes"],
  backup: ["account", "hostname", "serial", "lastSeen", "notes"],
  pax8: ["account", "sku", "quantity", "unitCost", "commitmentEnd", "notes"],
  psa: ["account", "product", "quantity", "unitPrice", "agreement", "notes"],
};
const SOURCES: Record<Kind, Record<string, string>> = {
  users: { kind: "users", format: "trueup-users" },
  devices: { kind: "devices", format: "trueup-devices" },
  edr: { kind: "deployments", format: "trueup-deployments", deployment: "edr" },
  backup: { kind: "deployments", format: "trueup-deployments", deployment: "backup" },
  pax8: { kind: "licences", format: "trueup-licences", vendor: "pax8" },
  psa: { kind: "billing", format: "trueup-billing" },
};
/** A row of `kind` from its values in canonical column order (an ignored "notes" column last). */
const row = (kind: Kind, ...values: string[]): Row =>
  Object.fromEntries(COLUMNS[kind].map((c, i) => [c, values[i] ?? (c === "notes" ? "n" : "")]));

/** Prices binary floating point cannot hold exactly, and half-cent cases that round differently. */
export const TRICKY_PRICES = ["0.1", "0.7", "1.005", "2675.005", "0.3333", "33.335", "0.0049", "19.99"];
function decimalText(n: number, places: number): string {
  const s = String(n).padStart(places + 1, "0");
  return places === 0 ? s : `${s.slice(0, -places)}.${s.slice(-places)}`;
}
/** A non-negative amount as a decimal string: 0 to 2 places mostly, some 3 or 4. */
export const moneyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_PRICES) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 400_000 }), fc.constantFrom(0, 1, 2, 2, 2, 3, 4))
      .map(([n, p]) => decimalText(n, p)),
  },
);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const TYPES = ["workstation", "laptop", "server", "mobile", "other"] as const;
const PLACEHOLDERS = ["", "0", "000000", "To Be Filled By O.E.M.", "Default string", "System Serial Number"];
const skus = (text: string): Sku[] =>
  text.split(" ").flatMap((s) => (s ? [{ vendor: s.split(":")[0] ?? "", sku: s.split(":")[1] ?? "" }] : []));

// id, unit, psaProduct, vendor SKUs, deployment
const SVC: [string, string, string, string, string?][] = [
  ["m365-bp", "user", "M365-BP", "pax8:MST-BP-M microsoft:SPB"],
  ["m365-bs", "user", "M365-BS", "pax8:MST-BS-M microsoft:O365_BUSINESS_PREMIUM"],
  ["m365-f1", "user", "", "microsoft:SPE_F1"],
  ["edr", "device", "EDR-S1", "pax8:S1-COMPLETE", "edr"],
  ["backup-ws", "device", "BKP-WS", "pax8:BK-WS", "backup"],
  ["backup-srv", "device", "BKP-SRV", "pax8:BK-SRV", "backup"],
  ["device-addon", "device", "DEV-ADD", ""],
  ["archiving", "user", "ARCH", "pax8:ARCH-1"],
  ["domain", "device", "DOM", ""],
];
const catalogueArb = fc.record({
  prices: fc.array(fc.tuple(moneyArb, moneyArb), { minLength: SVC.length, maxLength: SVC.length }),
  bundlePrices: fc.array(moneyArb, { minLength: 5, maxLength: 5 }),
  backupTracked: fc.boolean(),
  silverBilled: fc.boolean(),
  goldTypes: opt(fc.constantFrom(["workstation", "laptop"], ["workstation", "laptop", "mobile"])),
  goldBackupTypes: opt(fc.subarray(["workstation", "laptop", "server"], { minLength: 1 })),
  devicesPerUser: opt(fc.integer({ min: 1, max: 3 })),
  bronzeTypes: fc.subarray(["workstation", "laptop", "other"], { minLength: 1 }),
  bronzeEdrTypes: opt(fc.subarray(["workstation", "laptop"], { minLength: 1 })),
});

const price = opt(moneyArb);
const minimum = opt(fc.nat(6));
const planArb: fc.Arbitrary<Plan> = fc.oneof(
  fc.record({
    bundle: fc.constant("gold-user"),
    users: opt(
      fc.constantFrom(
        { licencesAny: ["SPB"] },
        { licencesAny: ["spb", "O365_BUSINESS_PREMIUM"] },
        { excludeGroups: ["Contractors"] },
        { licencesAny: ["SPB"], excludeGroups: ["contractors", "Temps"] },
      ),
    ),
    price,
    minimum,
  }),
  fc.record({ bundle: fc.constant("silver-user"), price, minimum }),
  fc.record({
    bundle: fc.constant("frontline"),
    users: fc.constantFrom({ licencesAny: ["SPE_F1"] }, { groupsAny: ["Warehouse", "kiosk"] }),
  }),
  fc.record({ bundle: fc.constant("server"), price }),
  fc.record({ bundle: fc.constant("bronze-device"), minimum }),
  fc.record({ service: fc.constantFrom("archiving", "edr", "m365-bp"), price, minimum }),
  fc.record({ service: fc.constant("domain"), quantity: opt(fc.nat(5)), price }),
);
const userArb = fc.record({
  kind: fc.constantFrom("user", "user", "user", "svc-", "admin"),
  upper: fc.boolean(),
  enabled: fc.constantFrom("true", "true", "true", "TRUE", "yes", "false", "0"),
  type: fc.constantFrom("", "member", "member", "Guest"),
  licences: fc.subarray(["SPB", "spb", "O365_BUSINESS_PREMIUM", "SPE_F1", "FLOW_FREE"]),
  groups: fc.subarray(["Warehouse", "WAREHOUSE", "Kiosk", "Contractors", "Staff"]),
  /** Days before asOf of the last sign-in; none for sources that do not give it. */
  lastActive: opt(fc.integer({ min: -5, max: 200 })),
});
const coverArb = fc.constantFrom("no", "host", "fqdn", "serial", "both");
const deviceArb = fc.record({
  type: fc.constantFrom(...TYPES),
  serial: fc.oneof(fc.constant("real"), fc.constantFrom(...PLACEHOLDERS)),
  /** Days before asOf: around the stale boundary, anywhere in three months, or in the future. */
  age: fc.oneof(
    fc.integer({ min: -1, max: 1 }).map((edge) => ({ edge })),
    fc.integer({ min: -2, max: 20 }),
    fc.integer({ min: 0, max: 90 }),
  ),
  time: fc.constantFrom("date", "Z", "offset", "plus"),
  primaryUser: opt(fc.tuple(fc.nat(9), fc.boolean())),
  cover: fc.record({ edr: coverArb, backup: coverArb }),
  dups: fc.array(
    fc.record({
      host: fc.constantFrom("same", "lower", "fqdn", "FQDN"),
      ageDelta: fc.integer({ min: -2, max: 2 }),
      type: opt(fc.constantFrom(...TYPES)),
      serial: fc.constantFrom("same", "lower", "blank"),
    }),
    { maxLength: 2 },
  ),
});
/** PSA prices a hair off the contracted one: some differ only below the cent. */
const DELTAS = ["0.0001", "-0.0001", "0.004", "-0.004", "0.01", "-1"];
const PRODUCTS =
  "GOLD-U gold-u SILVER-U FRONT-U SRV BRONZE-D EDR-S1 M365-BP BKP-WS DEV-ADD ARCH DOM NOPE-PROD";
const billingArb = fc.record({
  product: fc.constantFrom(...PRODUCTS.split(" ")),
  quantity: fc.nat(12),
  decimalQuantity: fc.boolean(),
  price: fc.oneof(fc.constant("contract"), fc.constantFrom(...DELTAS), moneyArb, fc.constant("-5.00")),
  agreement: fc.constantFrom("Managed", "", "Project, misc", 'Said "ok"'),
});
const SKUS = "MST-BP-M mst-bp-m MST-BS-M S1-COMPLETE BK-WS BK-SRV ARCH-1 NOPE".split(" ");
/** Days from asOf to the end of the licence's term, when it has one. */
const termArb = opt(fc.integer({ min: -40, max: 400 }));
const licenceArb = fc.tuple(fc.constantFrom(...SKUS), fc.nat(15), opt(moneyArb), termArb);
const clientArb = fc.record({
  /** Days before asOf the client ended (a former client when 0 or more), or not at all. */
  ended: opt(fc.integer({ min: -30, max: 60 })),
  clientPaid: opt(fc.subarray(["m365-bp", "m365-bs", "edr", "archiving"], { minLength: 1 })),
  /** Billed under a second PSA company too. */
  secondPsa: fc.boolean(),
  plans: fc.array(planArb, { maxLength: 5 }),
  users: fc.array(userArb, { maxLength: 8 }),
  devices: fc.array(deviceArb, { maxLength: 8 }),
  ghostAgents: fc.array(fc.constantFrom("edr" as const, "backup" as const), { maxLength: 2 }),
  licences: fc.array(licenceArb, { maxLength: 5 }),
  billing: fc.array(billingArb, { maxLength: 6 }),
});
const unmappedArb = fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom("ghost", "GHOST", "Nobody Inc"));
const rawArb = fc.record({
  asOf: fc.constantFrom("2026-11-01", "2026-03-01", "2028-02-29"),
  rules: fc.record({
    staleDeviceDays: fc.integer({ min: 3, max: 40 }),
    requireLicence: fc.boolean(),
    excludeUsers: fc.constantFrom(["svc-*"], ["SVC-*", "*@*.onmicrosoft.com"], []),
    inactiveUserDays: opt(fc.integer({ min: 0, max: 120 })),
  }),
  catalogue: catalogueArb,
  clients: fc.array(clientArb, { minLength: 1, maxLength: 4 }),
  unmapped: fc.array(unmappedArb, { maxLength: 3 }),
  present: fc.record({ edr: fc.boolean(), backup: fc.boolean(), pax8: fc.boolean(), psa: fc.nat(5) }),
});
type Raw = typeof rawArb extends fc.Arbitrary<infer T> ? T : never;

/** Small but rich workspaces: every finding type, case and FQDN variants, half-cent prices. */
export function workspaceArb(): fc.Arbitrary<Workspace> {
  return rawArb.map(build);
}

function build(raw: Raw): Workspace {
  const c = raw.catalogue;
  const services = SVC.map(([id, unit, psaProduct, skuText, deployment], i): FullService => {
    const [cost, price] = c.prices[i] ?? ["0", "0"];
    const tracked = psaProduct !== "" && (c.backupTracked || !id.startsWith("backup"));
    const psa = tracked ? psaProduct : undefined;
    return { id, unit, cost, price, psaProduct: psa, vendorSkus: skus(skuText), deployment };
  });
  const [gold, silver, front, server, bronze] = c.bundlePrices as [string, string, string, string, string];
  const inc = (...ids: string[]) => ids.map((service) => ({ service }));
  const bundles: FullBundle[] = [
    { id: "gold-user", per: "user", deviceTypes: c.goldTypes, price: gold, psaProduct: "GOLD-U" },
    { id: "silver-user", per: "user", price: silver, psaProduct: c.silverBilled ? "SILVER-U" : undefined },
    { id: "frontline", per: "user", deviceTypes: ["mobile"], price: front, psaProduct: "FRONT-U" },
    { id: "server", per: "device", deviceTypes: ["server"], price: server, psaProduct: "SRV" },
    { id: "bronze-device", per: "device", deviceTypes: c.bronzeTypes, price: bronze, psaProduct: "BRONZE-D" },
  ].map((b, i) => ({
    ...b,
    includes: [inc("m365-bp", "edr"), inc("m365-bs", "edr"), inc("m365-f1")][i] ?? [],
  }));
  const bundle = (i: number) => bundles[i] as FullBundle;
  bundle(0).includes.push({ service: "backup-ws", deviceTypes: c.goldBackupTypes });
  if (c.devicesPerUser !== undefined)
    Object.assign(bundle(0), { devicesPerUser: c.devicesPerUser, extraDevice: "device-addon" });
  bundle(3).includes = inc("edr", "backup-srv");
  bundle(4).includes = [{ service: "edr", deviceTypes: c.bronzeEdrTypes }];

  const rules = { ...raw.rules };
  if (rules.inactiveUserDays === undefined) delete rules.inactiveUserDays;
  const ws: Workspace = { asOf: raw.asOf, rules, services, bundles, clients: [], files: {} };
  const files: Record<Kind, Row[]> = { users: [], devices: [], edr: [], backup: [], pax8: [], psa: [] };
  raw.clients.forEach((rc, k) => {
    const ids: Record<string, string> = Object.fromEntries(
      IDS.split("|").map((p) => p.replaceAll("#", `${k}`).split("=")),
    );
    const client: Client = { id: `c${k}`, name: `Client ${k}`, ids: { ...ids }, plans: rc.plans };
    if (rc.secondPsa) client.ids.psa = [ids.psa ?? "", `5930${k}`];
    if (rc.ended !== undefined) client.ended = isoMinus(raw.asOf, rc.ended);
    if (rc.clientPaid !== undefined) client.clientPaid = rc.clientPaid;
    ws.clients.push(client);
    let n = 0; // accounts come in three case variants; a second PSA company bills every other row
    const account = (system: string) =>
      caseVariant(system === "psa" && rc.secondPsa && n % 2 === 1 ? `5930${k}` : (ids[system] ?? ""), n++);
    const upns = rc.users.map((u, i) => {
      const upn = `${u.kind}${i}@c${k}.${u.kind === "admin" ? "onmicrosoft.com" : "example.com"}`;
      const text = u.upper ? upn.toUpperCase() : upn;
      files.users.push(
        row(
          "users",
          account("microsoft"),
          text,
          `U ${i}`,
          u.enabled,
          u.licences.join("+"),
          u.type,
          u.groups.join(";"),
          u.lastActive === undefined ? "" : isoMinus(raw.asOf, u.lastActive),
        ),
      );
      return text;
    });
    rc.devices.forEach((d, i) => {
      const host = `C${k}-${d.type.slice(0, 2).toUpperCase()}${i}`;
      const serial = d.serial === "real" ? `SN${k}X${i}` : d.serial;
      const age = typeof d.age === "number" ? d.age : raw.rules.staleDeviceDays + d.age.edge;
      const pu = d.primaryUser && upns.length > 0 ? (upns[d.primaryUser[0] % upns.length] ?? "") : "";
      const primaryUser = d.primaryUser?.[1] ? pu.toLowerCase() : pu;
      // Duplicate rows may tie with the first on hostname and lastSeen yet give another type (4.1).
      const add = (hostname: string, serialText: string, days: number, t: string) => {
        const lastSeen = timeText(isoMinus(raw.asOf, days), d.time);
        files.devices.push(row("devices", account("rmm"), hostname, serialText, t, lastSeen, primaryUser));
      };
      add(host, serial, age, d.type);
      for (const dup of d.dups) {
        const s = dup.serial === "blank" ? "" : caseVariant(serial, dup.serial === "lower" ? 1 : 0);
        add(hostVariant(host, dup.host), s, age + dup.ageDelta, dup.type ?? d.type);
      }
      for (const dep of ["edr", "backup"] as const) {
        const how = d.cover[dep];
        if (how === "no") continue;
        const hostname =
          how === "serial" ? `agent-${k}-${i}` : hostVariant(host, how === "fqdn" ? how : "same");
        const agentSerial = how === "serial" || how === "both" ? serial : "";
        files[dep].push(row(dep, account(dep), hostname, agentSerial, i % 2 === 0 ? raw.asOf : ""));
      }
    });
    for (const [j, dep] of rc.ghostAgents.entries())
      files[dep].push(row(dep, account(dep), `GHOST-${k}-${j}`));
    for (const [sku, qty, cost, term] of rc.licences) {
      const end = term === undefined ? "" : isoMinus(raw.asOf, -term);
      files.pax8.push(row("pax8", account("pax8"), sku, `${qty}`, cost ?? "", end));
    }
    for (const b of rc.billing) {
      const subject = subjectOfProduct(ws, b.product);
      const contract = subject === undefined ? undefined : contractPrice(ws, client, subject);
      let unitPrice = b.price === "contract" ? (contract ?? "10.00") : b.price;
      if (DELTAS.includes(b.price) && contract !== undefined) {
        const p = new Decimal(contract).plus(b.price);
        unitPrice = p.isNegative() ? contract : p.toFixed();
      }
      const quantity = b.decimalQuantity ? `${b.quantity}.0` : `${b.quantity}`;
      files.psa.push(row("psa", account("psa"), b.product, quantity, unitPrice, b.agreement));
    }
  });
  raw.unmapped.forEach(([kind, account], j) => {
    const bad = j % 2 === 1;
    const values: Record<Kind, string[]> = {
      users: [`ghost${j}@nowhere.test`, "", "true", "SPB"],
      devices: [`GHOST-${j}`, "", "laptop", raw.asOf],
      edr: [`ghost-agent-${j}`],
      backup: [`ghost-agent-${j}`],
      pax8: [bad ? "NOPE" : "MST-BP-M", "2"],
      psa: [bad ? "NOPE-PROD" : "GOLD-U", "1", "10.00"],
    };
    files[kind].push(row(kind, account, ...values[kind]));
  });
  const present = { ...raw.present, psa: raw.present.psa > 0, users: true, devices: true };
  for (const kind of KINDS) if (present[kind]) ws.files[kind] = files[kind];
  return ws;
}

const IDS = "psa=1930#|microsoft=c#.onmicrosoft.com|rmm=ORG-#|pax8=px-#|edr=Site #|backup=bk#";
function caseVariant(id: string, n: number): string {
  return n % 3 === 0 ? id : n % 3 === 1 ? id.toLowerCase() : id.toUpperCase();
}
function hostVariant(host: string, how: string): string {
  const lower = host.toLowerCase();
  return { lower, fqdn: `${lower}.corp.local`, FQDN: `${host}.CORP.LOCAL` }[how] ?? host;
}
function isoMinus(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}
/** The UTC date `day` written as a date, or as a date-time whose local date is a day off. */
function timeText(day: string, form: string): string {
  if (form === "Z") return `${day}T08:30:00Z`;
  if (form === "offset") return `${isoMinus(day, 1)}T23:30:00-02:00`;
  if (form === "plus") return `${isoMinus(day, -1)}T01:15:00+0200`;
  return day;
}

/** "bundle:gold-user" or "service:edr" for a PSA product, compared without regard to case. */
export function subjectOfProduct(ws: Workspace, product: string): string | undefined {
  const p = product.trim().toLowerCase();
  const b = ws.bundles.find((x) => x.psaProduct?.toLowerCase() === p);
  const s = ws.services.find((x) => x.psaProduct?.toLowerCase() === p);
  return b ? `bundle:${b.id}` : s ? `service:${s.id}` : undefined;
}
export function productOf(ws: Workspace, subject: string): string | undefined {
  const [kind, id] = subject.split(":");
  return (kind === "bundle" ? ws.bundles : ws.services).find((x) => x.id === id)?.psaProduct;
}
/**
 * The contracted price of a billed subject as the inputs give it (spec 5): the first plan's price,
 * else the catalogue's; an extra-device service at its own price (it is never an itemised plan here).
 */
export function contractPrice(ws: Workspace, client: Client, subject: string): string | undefined {
  const [kind, id] = subject.split(":");
  if (kind === "bundle") {
    const plan = client.plans.find((p) => p.bundle === id);
    return plan?.price ?? ws.bundles.find((b) => b.id === id)?.price;
  }
  const plan = client.plans.find((p) => p.service === id);
  return plan?.price ?? ws.services.find((s) => s.id === id)?.price;
}

function csvField(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
/** A small linear congruential generator: the shuffles only need to be reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Where each data row went: "data/psa.csv:7" -> the row. */
export type Refs = Map<string, Row>;

/**
 * Writes trueup.yaml (as JSON, which is YAML) and data/<kind>.csv. With a shuffle seed, rows and
 * columns come in a random order, and each file may have a BOM and CRLF line ends.
 */
export async function writeWorkspace(ws: Workspace, dir: string, shuffleSeed?: number): Promise<Refs> {
  await mkdir(join(dir, "data"), { recursive: true });
  const present = KINDS.filter((k) => ws.files[k] !== undefined);
  const sources = present.map((k) => ({ ...SOURCES[k], file: `data/${k}.csv` }));
  const { asOf, rules, services, bundles, clients } = ws;
  const config = { currency: "USD", asOf, rules, services, bundles, clients, sources };
  await writeFile(join(dir, "trueup.yaml"), JSON.stringify(config, null, 2));
  const rand = shuffleSeed === undefined ? undefined : lcg(shuffleSeed);
  const refs: Refs = new Map();
  for (const kind of present) {
    const rows = ws.files[kind] ?? [];
    const cols = rand ? shuffled(COLUMNS[kind], rand) : COLUMNS[kind];
    const ordered = rand ? shuffled(rows, rand) : rows;
    const [nl, bom] = rand && rand() < 0.5 ? ["\r\n", "\uFEFF"] : ["\n", ""];
    const lines = [cols, ...ordered.map((r) => cols.map((col) => r[col] ?? ""))];
    for (const [i, r] of ordered.entries()) refs.set(`data/${kind}.csv:${i + 2}`, r);
    const text = lines.map((l) => l.map(csvField).join(",")).join(nl) + nl;
    await writeFile(join(dir, "data", `${kind}.csv`), bom + text);
  }
  return refs;
}
