import { Catalogue } from "../core/catalogue.ts";
import { type Money, ZERO } from "../core/money.ts";
import { deriveClient } from "../core/reconcile.ts";
import type { Requirements } from "../core/requirements.ts";
import type { BillingRow, Client, LicenceRow, ReconcileInput, Service } from "../core/types.ts";

// Margin per client, bundle and service (issue 15, docs/margin.md): revenue is what the PSA bills,
// cost what the distributors charge (else the catalogue's cost), each service's cost shared by the
// subjects that require it in proportion to the quantity each brings. Pure: the core's derivation of
// the same input, nothing read from anywhere else.

export type CostBasis = "distributor" | "catalogue" | "client-paid";

export interface ServiceCost {
  service: string;
  name: string;
  /** The core's required quantity (4.4). */
  required: number;
  /** Licences bought (every row of the service's SKUs); null when the client has no row of it. */
  purchased: number | null;
  basis: CostBasis;
  cost: Money;
  /** The part of the cost that no subject carries (licences bought that no plan requires). */
  unallocated: Money;
}

export interface ComponentCost {
  service: string;
  /** The quantity of the service the subject brings. */
  quantity: number;
  cost: Money;
}

export interface SubjectMargin {
  subject: string;
  kind: "bundle" | "service";
  id: string;
  name: string;
  /** Quantity on the client's PSA lines of the subject. */
  billed: number;
  /** The users or devices the subject really serves (a bundle's count before any minimum). */
  units: number;
  revenue: Money;
  cost: Money;
  margin: Money;
  ratio: Money | null;
  /** Revenue, cost and margin of one unit (per user or device served); null when it serves none. */
  perUnit: { revenue: Money; cost: Money; margin: Money } | null;
  components: ComponentCost[];
  belowTarget: boolean;
}

/** Money nobody reconciles: a PSA line of an unknown product, a licence row of an unknown SKU. */
export interface UnmappedMoney {
  kind: "billing" | "licence";
  subject: string;
  ref: string;
  money: Money;
}

export interface Figures {
  revenue: Money;
  cost: Money;
  margin: Money;
  /** margin / revenue; null when there is no revenue. */
  ratio: Money | null;
}

export interface ClientMargin extends Figures {
  id: string;
  name: string;
  former: boolean;
  subjects: SubjectMargin[];
  services: ServiceCost[];
  unmapped: UnmappedMoney[];
  belowTarget: boolean;
}

export interface BundleMargin extends Figures {
  bundle: string;
  name: string;
  units: number;
  clients: number;
  belowTarget: boolean;
}

export interface TargetFlag {
  kind: "client" | "bundle" | "client-bundle";
  client?: string;
  bundle?: string;
  name: string;
  ratio: Money | null;
  /** target x revenue - margin: the monthly margin missing to reach the target. */
  shortfall: Money;
}

export interface MarginReport extends Figures {
  asOf: string;
  currency: string;
  targetMargin: Money | null;
  clients: ClientMargin[];
  bundles: BundleMargin[];
  /** Below the target, largest shortfall first. */
  belowTarget: TargetFlag[];
  /** Rows of unknown products and SKUs at known clients, and every row of an unknown account. */
  unmapped: { revenue: Money; cost: Money; rows: UnmappedMoney[] };
}

export function figures(revenue: Money, cost: Money): Figures {
  const margin = revenue.minus(cost);
  return { revenue, cost, margin, ratio: revenue.isZero() ? null : margin.dividedBy(revenue) };
}

export function isBelow(f: Pick<Figures, "revenue" | "margin">, target: Money | null): boolean {
  return target !== null && f.margin.lessThan(target.times(f.revenue));
}

export function margin(input: ReconcileInput): MarginReport {
  const catalogue = new Catalogue(input.services, input.bundles);
  const target = input.rules.targetMargin ?? null;
  const rows = rowsByClient(input);
  const clients = input.clients
    .map((c) => clientMargin(c, rows.get(c.id) ?? emptyRows(), input, catalogue, target))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const unmappedRows = [...clients.flatMap((c) => c.unmapped), ...(rows.get(NO_CLIENT)?.unmapped ?? [])];
  const bundles = bundleMargins(clients, target);
  const revenue = sumOf(clients, (c) => c.revenue);
  const cost = sumOf(clients, (c) => c.cost);
  return {
    asOf: input.asOf,
    currency: input.currency,
    targetMargin: target,
    ...figures(revenue, cost),
    clients,
    bundles,
    belowTarget: flags(clients, bundles, target),
    unmapped: {
      revenue: sumOf(unmappedRows, (u) => (u.kind === "billing" ? u.money : ZERO)),
      cost: sumOf(unmappedRows, (u) => (u.kind === "licence" ? u.money : ZERO)),
      rows: unmappedRows,
    },
  };
}

interface Rows {
  users: ReconcileInput["users"];
  devices: ReconcileInput["devices"];
  licences: LicenceRow[];
  billing: BillingRow[];
  unmapped: UnmappedMoney[];
}

const NO_CLIENT = "\u0000";

function emptyRows(): Rows {
  return { users: [], devices: [], licences: [], billing: [], unmapped: [] };
}

function rowsByClient(input: ReconcileInput): Map<string, Rows> {
  const by = new Map<string, Rows>();
  const of = (owner: ReconcileInput["users"][number]["owner"]): Rows => {
    const key = "client" in owner ? owner.client : NO_CLIENT;
    let r = by.get(key);
    if (!r) {
      r = emptyRows();
      by.set(key, r);
    }
    return r;
  };
  for (const u of input.users) of(u.owner).users.push(u);
  for (const d of input.devices) of(d.owner).devices.push(d);
  for (const l of input.licences) {
    if ("client" in l.owner) of(l.owner).licences.push(l);
    else of(l.owner).unmapped.push(unmappedLicence(l, `account:${l.owner.system}:${l.owner.account}`));
  }
  for (const b of input.billing) {
    if ("client" in b.owner) of(b.owner).billing.push(b);
    else of(b.owner).unmapped.push(unmappedBilling(b, `account:${b.owner.system}:${b.owner.account}`));
  }
  return by;
}

function unmappedLicence(l: LicenceRow, subject: string): UnmappedMoney {
  return { kind: "licence", subject, ref: l.ref, money: (l.unitCost ?? ZERO).times(l.quantity) };
}

function unmappedBilling(b: BillingRow, subject: string): UnmappedMoney {
  return { kind: "billing", subject, ref: b.ref, money: b.unitPrice.times(b.quantity) };
}

function clientMargin(
  client: Client,
  rows: Rows,
  input: ReconcileInput,
  catalogue: Catalogue,
  target: Money | null,
): ClientMargin {
  const derived = deriveClient(client, rows, input, catalogue);
  const unmapped: UnmappedMoney[] = [];
  const services = serviceCosts(client, rows.licences, derived.req, catalogue, unmapped);
  const subjects = subjectMargins(rows.billing, derived, services, catalogue, unmapped);
  const revenue = sumOf(subjects, (s) => s.revenue);
  const cost = sumOf(services, (s) => s.cost);
  const f = figures(revenue, cost);
  // Bundles are flagged; an itemised service is shown with its margin, not held to the target.
  for (const s of subjects) s.belowTarget = s.kind === "bundle" && !derived.former && isBelow(s, target);
  return {
    id: client.id,
    name: client.name,
    former: derived.former,
    ...f,
    subjects,
    services,
    unmapped,
    belowTarget: !derived.former && isBelow(f, target),
  };
}

/** Each service's cost at the client: its distributor rows where they give a unit cost, else the catalogue's. */
function serviceCosts(
  client: Client,
  licences: readonly LicenceRow[],
  req: Requirements,
  catalogue: Catalogue,
  unmapped: UnmappedMoney[],
): ServiceCost[] {
  const rowsOf = new Map<string, LicenceRow[]>();
  for (const l of licences) {
    const id = catalogue.serviceOfSku(l.vendor, l.sku);
    if (id === undefined) unmapped.push(unmappedLicence(l, `sku:${l.vendor}:${l.sku}`));
    else rowsOf.set(id, [...(rowsOf.get(id) ?? []), l]);
  }
  const clientPaid = new Set(client.clientPaid);
  const ids = new Set([...req.services.keys(), ...rowsOf.keys()]);
  const out: ServiceCost[] = [];
  for (const service of catalogue.services.values()) {
    if (!ids.has(service.id)) continue;
    const required = req.services.get(service.id)?.required ?? 0;
    const mine = rowsOf.get(service.id) ?? [];
    const purchased = mine.length === 0 ? null : mine.reduce((t, l) => t + l.quantity, 0);
    const { basis, cost } = costOf(service, required, mine, clientPaid.has(service.id));
    const unallocated = required === 0 ? cost : ZERO;
    out.push({ service: service.id, name: service.name, required, purchased, basis, cost, unallocated });
  }
  return out;
}

function costOf(
  service: Service,
  required: number,
  rows: readonly LicenceRow[],
  clientPaid: boolean,
): { basis: CostBasis; cost: Money } {
  if (clientPaid) return { basis: "client-paid", cost: ZERO };
  if (!rows.some((l) => l.unitCost !== undefined))
    return { basis: "catalogue", cost: service.cost.times(required) };
  // A row without a unit cost, beside rows with one, is counted at the catalogue's cost.
  const cost = sumOf(rows, (l) => (l.unitCost ?? service.cost).times(l.quantity));
  return { basis: "distributor", cost };
}

function subjectMargins(
  billing: readonly BillingRow[],
  derived: ReturnType<typeof deriveClient>,
  services: readonly ServiceCost[],
  catalogue: Catalogue,
  unmapped: UnmappedMoney[],
): SubjectMargin[] {
  const by = new Map<string, SubjectMargin>();
  const subject = (kind: "bundle" | "service", id: string): SubjectMargin => {
    const key = `${kind}:${id}`;
    let s = by.get(key);
    if (!s) {
      const name =
        (kind === "bundle" ? catalogue.bundles.get(id)?.name : catalogue.services.get(id)?.name) ?? id;
      const zero = { revenue: ZERO, cost: ZERO, margin: ZERO, ratio: null, perUnit: null };
      s = { subject: key, kind, id, name, billed: 0, units: 0, ...zero, components: [], belowTarget: false };
      by.set(key, s);
    }
    return s;
  };
  for (const row of billing) {
    const target = catalogue.product(row.product);
    if (!target) {
      unmapped.push(unmappedBilling(row, `product:${row.product.trim()}`));
      continue;
    }
    const s = subject(target.kind, target.id);
    s.billed += row.quantity;
    s.revenue = s.revenue.plus(row.unitPrice.times(row.quantity));
  }
  for (const pa of derived.assignment.plans) {
    subject("bundle", pa.bundle.id).units += pa.bundle.per === "user" ? pa.users.length : pa.devices.length;
  }
  for (const sc of services) {
    const need = derived.req.services.get(sc.service);
    if (!need || need.required === 0) continue;
    for (const [key, quantity] of need.bySubject) {
      const [kind, id] = splitSubject(key);
      const s = subject(kind, id);
      const cost = sc.cost.times(quantity).dividedBy(need.required);
      s.components.push({ service: sc.service, quantity, cost });
      s.cost = s.cost.plus(cost);
      if (kind === "service") s.units += quantity;
    }
  }
  const out = [...by.values()].filter((s) => !s.revenue.isZero() || !s.cost.isZero() || s.units > 0);
  for (const s of out) {
    Object.assign(s, figures(s.revenue, s.cost));
    if (s.units > 0) {
      const per = (m: Money) => m.dividedBy(s.units);
      s.perUnit = { revenue: per(s.revenue), cost: per(s.cost), margin: per(s.margin) };
    }
  }
  return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

function splitSubject(key: string): ["bundle" | "service", string] {
  const i = key.indexOf(":");
  return [key.slice(0, i) === "bundle" ? "bundle" : "service", key.slice(i + 1)];
}

/** Each bundle over the current clients that have it. */
function bundleMargins(clients: readonly ClientMargin[], target: Money | null): BundleMargin[] {
  const by = new Map<string, { name: string; revenue: Money; cost: Money; units: number; clients: number }>();
  for (const c of clients) {
    if (c.former) continue;
    for (const s of c.subjects) {
      if (s.kind !== "bundle") continue;
      const b = by.get(s.id) ?? { name: s.name, revenue: ZERO, cost: ZERO, units: 0, clients: 0 };
      by.set(s.id, {
        name: s.name,
        revenue: b.revenue.plus(s.revenue),
        cost: b.cost.plus(s.cost),
        units: b.units + s.units,
        clients: b.clients + 1,
      });
    }
  }
  return [...by]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([bundle, b]) => {
      const f = figures(b.revenue, b.cost);
      return {
        bundle,
        name: b.name,
        units: b.units,
        clients: b.clients,
        ...f,
        belowTarget: isBelow(f, target),
      };
    });
}

function flags(clients: readonly ClientMargin[], bundles: readonly BundleMargin[], target: Money | null) {
  if (target === null) return [];
  const shortfall = (f: Figures) => target.times(f.revenue).minus(f.margin);
  const out: TargetFlag[] = [];
  for (const c of clients) {
    if (c.belowTarget)
      out.push({ kind: "client", client: c.id, name: c.name, ratio: c.ratio, shortfall: shortfall(c) });
    for (const s of c.subjects) {
      if (s.kind !== "bundle" || !s.belowTarget) continue;
      const name = `${c.name}: ${s.name}`;
      out.push({
        kind: "client-bundle",
        client: c.id,
        bundle: s.id,
        name,
        ratio: s.ratio,
        shortfall: shortfall(s),
      });
    }
  }
  for (const b of bundles) {
    if (b.belowTarget)
      out.push({ kind: "bundle", bundle: b.bundle, name: b.name, ratio: b.ratio, shortfall: shortfall(b) });
  }
  return out.sort((a, b) => b.shortfall.comparedTo(a.shortfall) || (a.name < b.name ? -1 : 1));
}

function sumOf<T>(items: readonly T[], of: (t: T) => Money): Money {
  let total = ZERO;
  for (const t of items) total = total.plus(of(t));
  return total;
}
