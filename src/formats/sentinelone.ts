import type { Format } from "./format.ts";
import { col, isYes } from "./vendor.ts";

// SentinelOne agents (Sentinels > Endpoints), one line per agent. SentinelOne publishes no spec: the
// column names are the API's agent fields (computerName, siteName, siteId, serialNumber,
// isDecommissioned, isUninstalled) with the console's titles ("Endpoint Name", "Site") as guesses.

/**
 * Why an agent is not a deployment ("decommissioned", "uninstalled"), or undefined when it is one.
 * Shared with the SentinelOne connector, so a file and a pull of the same console agree. The flags
 * are text as a CSV gives them ("Yes", "true") or as the API's booleans written with String().
 */
export function sentineloneAgentSkip(flags: {
  isDecommissioned: string;
  isUninstalled: string;
}): "decommissioned" | "uninstalled" | undefined {
  // A decommissioned agent, or one removed from its device, protects nothing.
  if (isYes(flags.isDecommissioned)) return "decommissioned";
  if (isYes(flags.isUninstalled)) return "uninstalled";
  return undefined;
}

export const sentineloneAgents: Format<"deployments"> = {
  name: "sentinelone-agents",
  kind: "deployments",
  columns: [
    col("siteName", false, "Site"),
    col("siteId"),
    col("computerName", true, "Endpoint Name", "Endpoint", "Computer"),
    col("serialNumber", false, "Serial"),
    col("lastActiveDate", false, "Last Active"),
    col("isDecommissioned", false, "Decommissioned"),
    col("isUninstalled", false, "Uninstalled"),
  ],
  anyOf: [["siteName", "siteId"]],
  row(f, ctx) {
    const flags = { isDecommissioned: f.text("isDecommissioned"), isUninstalled: f.text("isUninstalled") };
    const skip = sentineloneAgentSkip(flags);
    if (skip !== undefined) return ctx.skip(skip);
    const owner = ctx.ownerOf(f, "siteName", [f.text("siteName"), f.text("siteId")]);
    const hostname = f.required("computerName");
    if (!owner || hostname === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      deployment: ctx.deployment ?? "",
      hostname,
      serial: f.text("serialNumber"),
    };
  },
};
