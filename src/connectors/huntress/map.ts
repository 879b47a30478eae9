import { vendorDate } from "../../formats/vendor.ts";
import type { CanonicalRow } from "../types.ts";
import type { HuntressAgent } from "./client.ts";

// Huntress agents as trueup-deployments rows: the columns the huntress-agents file format reads
// (hostname, serial_number, organization_id, last_callback_at; confirmed by the Agent schema of
// openapi.json). The account is the organization's id, as text: a client's deployment id for this
// source is its Huntress organization id. The API has no uninstalled or retired state for an agent
// (a removed agent is deleted), so nothing else is skipped.

/** A JSON value as trimmed text: null and missing are "", numbers their String(). */
export function text(v: unknown): string {
  return v === undefined || v === null ? "" : String(v).trim();
}

/**
 * Why an agent gives no row, or undefined when it gives one. The file format reports a line without
 * a hostname as an error; a pull can point at no line, so it skips the agent and counts it.
 */
export function agentSkip(a: HuntressAgent): "no hostname" | "no organization" | undefined {
  if (text(a.hostname) === "") return "no hostname";
  if (text(a.organization_id) === "") return "no organization";
  return undefined;
}

export function agentRow(a: HuntressAgent): CanonicalRow | undefined {
  if (agentSkip(a) !== undefined) return undefined;
  return {
    account: text(a.organization_id),
    hostname: text(a.hostname),
    serial: text(a.serial_number),
    // An unreadable date is left out rather than failing the pull: lastSeen is optional.
    lastSeen: vendorDate(text(a.last_callback_at)) ?? "",
  };
}

export function agentRows(agents: readonly HuntressAgent[]): { rows: CanonicalRow[]; skipped: number } {
  const rows: CanonicalRow[] = [];
  for (const a of agents) {
    const row = agentRow(a);
    if (row) rows.push(row);
  }
  return { rows, skipped: agents.length - rows.length };
}
