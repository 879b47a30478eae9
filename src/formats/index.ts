import { dattoRmmDevices } from "./datto-rmm.ts";
import type { Format, Kind } from "./format.ts";
import { huntressAgents } from "./huntress.ts";
import { m365UsersExport } from "./m365.ts";
import { ninjaoneDevices } from "./ninjaone.ts";
import { partnerCenterReconciliation } from "./partner-center.ts";
import { pax8Subscriptions } from "./pax8.ts";
import { sentineloneAgents } from "./sentinelone.ts";
import { trueupBilling, trueupDeployments, trueupDevices, trueupLicences, trueupUsers } from "./trueup.ts";

const FORMATS: Format<Kind>[] = [
  trueupUsers,
  trueupDevices,
  trueupDeployments,
  trueupLicences,
  trueupBilling,
  m365UsersExport,
  partnerCenterReconciliation,
  pax8Subscriptions,
  ninjaoneDevices,
  dattoRmmDevices,
  sentineloneAgents,
  huntressAgents,
] as Format<Kind>[];

export function findFormat(name: string): Format<Kind> | undefined {
  return FORMATS.find((f) => f.name === name);
}

export function formatsFor(kind: Kind): string[] {
  return FORMATS.filter((f) => f.kind === kind).map((f) => f.name);
}
