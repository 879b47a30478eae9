import { collect, type Unmapped } from "./billing.ts";
import type { Catalogue } from "./catalogue.ts";
import { type Finding, finding } from "./findings.ts";
import { type Money, ZERO } from "./money.ts";
import type { Requirements } from "./requirements.ts";
import type { LicenceRow, UserRow } from "./types.ts";

// Spec 5, licences: what the vendors sell the MSP against what the client needs.

export interface LicenceResult {
  findings: Finding[];
  /** Purchased quantity per service id, over every vendor SKU of the service. */
  purchased: Map<string, number>;
}

/** Which licence comparisons run for one client (4.5). */
export interface LicenceScope {
  /** Vendors that have a licences source. */
  licenceVendors: ReadonlySet<string>;
  /** Services whose licences the client buys itself: their rows are not read. */
  clientPaid: ReadonlySet<string>;
  asOf: string;
}

/** A licence comparison runs for the service: a licences source of one of its vendors, not client-paid. */
export function licenceComparisonRuns(serviceId: string, catalogue: Catalogue, scope: LicenceScope): boolean {
  if (scope.clientPaid.has(serviceId)) return false;
  return catalogue.vendorsOf(serviceId).some((v) => scope.licenceVendors.has(v));
}

/** The money on a licences row that nobody reconciles when it is unmapped: quantity x unitCost. */
export function licenceMoney(row: LicenceRow): Money {
  return (row.unitCost ?? ZERO).times(row.quantity);
}

export function compareLicences(
  rows: readonly LicenceRow[],
  req: Requirements,
  catalogue: Catalogue,
  scope: LicenceScope,
): LicenceResult {
  const findings: Finding[] = [];
  const purchased = new Map<string, number>();
  const termEnds = new Map<string, string>();
  const unmapped = new Map<string, Unmapped>();
  for (const row of rows) {
    const serviceId = catalogue.serviceOfSku(row.vendor, row.sku);
    if (serviceId === undefined) {
      collect(unmapped, `${row.vendor}:${row.sku}`, row.ref, licenceMoney(row));
      continue;
    }
    if (scope.clientPaid.has(serviceId)) continue;
    purchased.set(serviceId, (purchased.get(serviceId) ?? 0) + row.quantity);
    noteTermEnd(termEnds, serviceId, row.commitmentEnd, scope.asOf);
  }
  for (const service of catalogue.services.values()) {
    if (!licenceComparisonRuns(service.id, catalogue, scope)) continue;
    const required = req.services.get(service.id)?.required ?? 0;
    const bought = purchased.get(service.id) ?? 0;
    if (bought === required) continue;
    const type = bought < required ? "LICENCE_SHORTFALL" : "LICENCE_SURPLUS";
    const f = finding(type, `service:${service.id}`, [], {
      expected: required,
      actual: bought,
      impact: service.cost.times(Math.abs(required - bought)),
    });
    const reducibleOn = termEnds.get(service.id);
    if (type === "LICENCE_SURPLUS" && reducibleOn !== undefined) f.reducibleOn = reducibleOn;
    findings.push(f);
  }
  for (const { value, refs, money } of unmapped.values())
    findings.push(finding("UNMAPPED_SKU", `sku:${value}`, refs, { impact: money }));
  return { findings, purchased };
}

/** The earliest term end on or after asOf: a surplus locked in a term can only be cut at its end. */
function noteTermEnd(ends: Map<string, string>, serviceId: string, end: string | undefined, asOf: string) {
  if (end === undefined || end < asOf) return;
  const known = ends.get(serviceId);
  if (known === undefined || end < known) ends.set(serviceId, end);
}

/**
 * Leavers (users not enabled) still holding a SKU of a service: one finding per service. Its money is
 * the seats' cost only where no licence comparison runs for the service; where one runs, the seats
 * are already in LICENCE_SURPLUS or are seats to reassign, so counting them again would double the
 * waste. A client-paid service has no licence finding of any kind.
 */
export function orphanLicences(
  users: readonly UserRow[],
  catalogue: Catalogue,
  scope: LicenceScope,
): Finding[] {
  const holders = new Map<string, Set<string>>();
  for (const user of users) {
    if (user.enabled) continue;
    const upn = user.upn.trim().toLowerCase();
    for (const sku of user.licences) {
      const id = catalogue.serviceOfSku(user.vendor, sku);
      if (id === undefined || scope.clientPaid.has(id)) continue;
      const set = holders.get(id) ?? new Set<string>();
      set.add(upn);
      holders.set(id, set);
    }
  }
  return [...holders].map(([id, upns]) =>
    finding("ORPHAN_LICENCE", `service:${id}`, upns, {
      impact: licenceComparisonRuns(id, catalogue, scope)
        ? ZERO
        : catalogue.service(id).cost.times(upns.size),
    }),
  );
}
