import type { Format, Kind } from "./format.ts";
import { trueupBilling, trueupDeployments, trueupDevices, trueupLicences, trueupUsers } from "./trueup.ts";

const FORMATS: Format<Kind>[] = [
  trueupUsers,
  trueupDevices,
  trueupDeployments,
  trueupLicences,
  trueupBilling,
] as Format<Kind>[];

export function findFormat(name: string): Format<Kind> | undefined {
  return FORMATS.find((f) => f.name === name);
}

export function formatsFor(kind: Kind): string[] {
  return FORMATS.filter((f) => f.kind === kind).map((f) => f.name);
}
