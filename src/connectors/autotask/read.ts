import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import type { Connection, ConnectorContext, PsaBilling, PsaLine } from "../types.ts";
import { type AtFilter, AutotaskClient } from "./client.ts";
import {
  ACTIVE,
  type AtContract,
  type AtContractLine,
  type AtNamed,
  type AtUnits,
  fromBundle,
  fromService,
  isActiveRecurring,
  RECURRING_SERVICE,
  toAgreement,
  toPsaLine,
} from "./map.ts";

// Reading recurring billing: active Recurring Service contracts, their services and service
// bundles, and the units of the period that bills on a date. The quantity of a line is never on
// the line itself: Autotask keeps it per period in ContractServiceUnits (bundles:
// ContractServiceBundleUnits), which is also the only place a write can be seen afterwards.

type Row = Record<string, unknown>;

const ENTITY = {
  service: { lines: "ContractServices", units: "ContractServiceUnits", key: "contractServiceID" },
  bundle: {
    lines: "ContractServiceBundles",
    units: "ContractServiceBundleUnits",
    key: "contractServiceBundleID",
  },
} as const;

export function today(ctx: ConnectorContext): string {
  return ctx.now().toISOString().slice(0, 10);
}

/** Units periods that started on or before `date` (the end of that day, in Autotask's own time). */
function startedBy(date: string): AtFilter {
  return { op: "lte", field: "startDate", value: `${date}T23:59:59` };
}

/** Active lines of active Recurring Service contracts, with the units of the period billing on `on`. */
export async function readBilling(
  conn: Connection,
  outer: ConnectorContext,
  on?: string,
): Promise<PsaBilling> {
  const date = on ?? today(outer);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ConnectionError(`${conn.name}: not an ISO date: ${date}`);
  const { ctx, requests } = counting(outer);
  const at = new AutotaskClient(conn, ctx);
  const contracts = await at.query<AtContract>("Contracts", [
    { op: "eq", field: "contractType", value: RECURRING_SERVICE },
    { op: "eq", field: "status", value: ACTIVE },
  ]);
  const active = contracts.filter(isActiveRecurring);
  const lines = await linesOf(at, active, date);
  return {
    agreements: active.map(toAgreement),
    lines,
    counts: { contracts: active.length, lines: lines.length, requests: requests() },
  };
}

/** Active lines of one product in one agreement, as they bill on `effective`. */
export async function findLines(
  conn: Connection,
  ctx: ConnectorContext,
  agreement: string,
  product: string,
  effective: string,
): Promise<PsaLine[]> {
  const at = new AutotaskClient(conn, ctx);
  const contract = await at.item<AtContract>("Contracts", idOf(agreement, "agreement"));
  if (!contract || !isActiveRecurring(contract)) return [];
  const named: AtFilter[] = [{ op: "eq", field: "name", value: product }];
  const services = await at.query<AtNamed>("Services", named);
  const bundles = await at.query<AtNamed>("ServiceBundles", named);
  const lines = await linesOf(at, [contract], effective, { service: services, bundle: bundles });
  return lines.filter((l) => l.product === product);
}

/** One line re-read now, with the units of the period that bills on `effective`. */
export async function readLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
  effective: string,
): Promise<PsaLine | undefined> {
  const at = new AutotaskClient(conn, ctx);
  const kind = line.ref.kind === "bundle" ? "bundle" : "service";
  const e = ENTITY[kind];
  const id = idOf(line.ref[e.key] ?? "", `line ${line.id}`);
  const row = await at.item<Row>(e.lines, id);
  if (!row) return undefined;
  const cl = kind === "service" ? fromService(row) : fromBundle(row);
  const contract = await at.item<AtContract>("Contracts", cl.contractID);
  if (!contract || !isActiveRecurring(contract)) return undefined;
  const periods = await at.query<AtUnits>(e.units, [
    { op: "eq", field: e.key, value: id },
    startedBy(effective),
  ]);
  // The service's name cannot change under a contract line: the product read before stands.
  return toPsaLine({ contract, line: cl, product: line.product, periods, date: effective });
}

/** Lines of `contracts` billing on `date`; `only` limits them to some services / bundles (known names). */
async function linesOf(
  at: AutotaskClient,
  contracts: readonly AtContract[],
  date: string,
  only?: { service: AtNamed[]; bundle: AtNamed[] },
): Promise<PsaLine[]> {
  const ids = contracts.map((c) => c.id);
  const services = await contractLines(
    at,
    "service",
    ids,
    only?.service.map((n) => n.id),
  );
  const bundles = await contractLines(
    at,
    "bundle",
    ids,
    only?.bundle.map((n) => n.id),
  );
  const periods = new Map<string, AtUnits[]>();
  for (const kind of ["service", "bundle"] as const) {
    const e = ENTITY[kind];
    const rows = kind === "service" ? services : bundles;
    const units = await at.queryIn<Row>(e.units, e.key, idsOf(rows), [startedBy(date)]);
    for (const u of units) push(periods, `${kind}:${Number(u[e.key])}`, u as unknown as AtUnits);
  }
  const names = only ? nameMap(only.service, only.bundle) : await namesOf(at, services, bundles);
  const byId = new Map(contracts.map((c) => [c.id, c]));
  const out: PsaLine[] = [];
  for (const line of [...services, ...bundles]) {
    const contract = byId.get(line.contractID);
    const product = names.get(`${line.kind}:${line.itemID}`);
    if (!contract || product === undefined) continue;
    const p = periods.get(`${line.kind}:${line.id}`) ?? [];
    const psa = toPsaLine({ contract, line, product, periods: p, date });
    if (psa) out.push(psa);
  }
  return out;
}

async function contractLines(
  at: AutotaskClient,
  kind: "service" | "bundle",
  contractIds: number[],
  only?: number[],
): Promise<AtContractLine[]> {
  if (only && only.length === 0) return [];
  const field = kind === "service" ? "serviceID" : "serviceBundleID";
  const more: AtFilter[] = only ? [{ op: "in", field, value: [...new Set(only)] }] : [];
  const rows = await at.queryIn<Row>(ENTITY[kind].lines, "contractID", contractIds, more);
  return rows.map(kind === "service" ? fromService : fromBundle);
}

async function namesOf(
  at: AutotaskClient,
  services: AtContractLine[],
  bundles: AtContractLine[],
): Promise<Map<string, string>> {
  const s = await at.queryIn<AtNamed>(
    "Services",
    "id",
    services.map((l) => l.itemID),
  );
  const b = await at.queryIn<AtNamed>(
    "ServiceBundles",
    "id",
    bundles.map((l) => l.itemID),
  );
  return nameMap(s, b);
}

function nameMap(services: AtNamed[], bundles: AtNamed[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const n of services) names.set(`service:${n.id}`, n.name ?? "");
  for (const n of bundles) names.set(`bundle:${n.id}`, n.name ?? "");
  return names;
}

export function idOf(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new ConnectionError(`Autotask ids are whole numbers: ${what} is "${text}"`);
  return Number(text);
}

function idsOf(lines: AtContractLine[]): number[] {
  return lines.map((l) => l.id);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
