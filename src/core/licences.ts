import { collect } from "./billing.ts";
import type { Catalogue } from "./catalogue.ts";
import { type Finding, finding } from "./findings.ts";
import type { Requirements } from "./requirements.ts";
import type { LicenceRow, UserRow } from "./types.ts";

// Spec 5, licences: what the vendors sell the MSP against what the client needs.

export interface LicenceResult {
  findings: Finding[];
  /** Purchased quantity per service id, over every vendor SKU of the service. */
  purchased: Map<string, number>;
}

export function compareLicences(
  rows: readonly LicenceRow[],
  req: Requirements,
  catalogue: Catalogue,
  licenceVendors: ReadonlySet<string>,
): LicenceResult {
  const findings: Finding[] = [];
  const purchased = new Map<string, number>();
  const unmapped = new Map<string, { value: string; refs: string[] }>();
  for (const row of rows) {
    const serviceId = catalogue.serviceOfSku(row.vendor, row.sku);
    if (serviceId === undefined) collect(unmapped, `${row.vendor}:${row.sku}`, row.ref);
    else purchased.set(serviceId, (purchased.get(serviceId) ?? 0) + row.quantity);
  }
  for (const service of catalogue.services.values()) {
    if (!catalogue.vendorsOf(service.id).some((v) => licenceVendors.has(v))) continue;
    const required = req.services.get(service.id)?.required ?? 0;
    const bought = purchased.get(service.id) ?? 0;
    if (bought === required) continue;
    const type = bought < required ? "LICENCE_SHORTFALL" : "LICENCE_SURPLUS";
    findings.push(
      finding(type, `service:${service.id}`, [], {
        expected: required,
        actual: bought,
        impact: service.cost.times(Math.abs(required - bought)),
      }),
    );
  }
  for (const { value, refs } of unmapped.values())
    findings.push(finding("UNMAPPED_SKU", `sku:${value}`, refs));
  return { findings, purchased };
}

/** Leavers (users not enabled) still holding a SKU of a service: one finding per service. */
export function orphanLicences(users: readonly UserRow[], catalogue: Catalogue): Finding[] {
  const holders = new Map<string, string[]>();
  for (const user of users) {
    if (user.enabled) continue;
    const services = new Set<string>();
    for (const sku of user.licences) {
      const id = catalogue.serviceOfSku(user.vendor, sku);
      if (id !== undefined) services.add(id);
    }
    for (const id of services) {
      const list = holders.get(id);
      const upn = user.upn.trim().toLowerCase();
      if (list) list.push(upn);
      else holders.set(id, [upn]);
    }
  }
  return [...holders].map(([id, upns]) =>
    finding("ORPHAN_LICENCE", `service:${id}`, upns, {
      impact: catalogue.service(id).cost.times(new Set(upns).size),
    }),
  );
}
