import type { Format } from "./format.ts";
import { col, isYes } from "./vendor.ts";

// SentinelOne agents (Sentinels > Endpoints), one line per agent. SentinelOne publishes no spec: the
// column names are the API's agent fields (computerName, siteName, siteId, serialNumber,
// isDecommissioned) with the console's titles ("Endpoint Name", "Site") as guesses.

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
  ],
  anyOf: [["siteName", "siteId"]],
  row(f, ctx) {
    // A decommissioned agent protects nothing.
    if (isYes(f.text("isDecommissioned"))) return undefined;
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
