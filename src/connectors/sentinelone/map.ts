import { sentineloneAgentSkip } from "../../formats/sentinelone.ts";
import { vendorDate } from "../../formats/vendor.ts";
import type { CanonicalRow } from "../types.ts";
import type { S1Agent } from "./client.ts";

// SentinelOne agents as trueup-deployments rows. The skip rule (decommissioned or uninstalled
// agents) is the sentinelone-agents file format's, so an export and a pull of the same console give
// the same deployments. The account is the site id: a client's deployment id for this source is its
// SentinelOne site id (the file format also accepts the site name; the API's id never changes).
// Field names are confirmed (the S1MgmtApi agent schema); lastActiveDate's text form ISO 8601 with
// microseconds (2018-02-27T04:49:26.257525Z) is taken from the reference's examples.

/** A JSON value as trimmed text: null and missing are "", booleans and numbers their String(). */
export function text(v: unknown): string {
  return v === undefined || v === null ? "" : String(v).trim();
}

/** Why an agent gives no row, or undefined when it gives one. */
export function agentSkip(
  a: S1Agent,
): "decommissioned" | "uninstalled" | "no hostname" | "no site" | undefined {
  const flags = { isDecommissioned: text(a.isDecommissioned), isUninstalled: text(a.isUninstalled) };
  const retired = sentineloneAgentSkip(flags);
  if (retired) return retired;
  if (text(a.computerName) === "") return "no hostname";
  if (text(a.siteId) === "") return "no site";
  return undefined;
}

/** The agent's trueup-deployments row, or undefined when it is skipped (see agentSkip). */
export function agentRow(a: S1Agent): CanonicalRow | undefined {
  if (agentSkip(a) !== undefined) return undefined;
  return {
    account: text(a.siteId),
    hostname: text(a.computerName),
    serial: text(a.serialNumber),
    // An unreadable date is left out rather than failing the pull: lastSeen is optional.
    lastSeen: vendorDate(text(a.lastActiveDate)) ?? "",
  };
}

export function agentRows(agents: readonly S1Agent[]): { rows: CanonicalRow[]; skipped: number } {
  const rows: CanonicalRow[] = [];
  for (const a of agents) {
    const row = agentRow(a);
    if (row) rows.push(row);
  }
  return { rows, skipped: agents.length - rows.length };
}
