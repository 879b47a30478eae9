import type { Format } from "./format.ts";
import { col } from "./vendor.ts";

// Huntress agents, one line per agent. Column names are the API's Agent fields (hostname,
// serial_number, organization_id, last_callback_at) and, as guesses, the console's "Organization"
// name and titles; an organization is matched by name, id or key.

export const huntressAgents: Format<"deployments"> = {
  name: "huntress-agents",
  kind: "deployments",
  columns: [
    col("organization", false, "Organization Name", "organization.name"),
    col("organization_id"),
    col("organization_key", false, "Org Key"),
    col("hostname", true, "Host Name", "Host"),
    col("serial_number", false, "Serial"),
    col("last_callback_at", false, "Last Callback", "Last Seen"),
  ],
  anyOf: [["organization", "organization_id", "organization_key"]],
  row(f, ctx) {
    const accounts = [f.text("organization"), f.text("organization_id"), f.text("organization_key")];
    const owner = ctx.ownerOf(f, "organization", accounts);
    const hostname = f.required("hostname");
    if (!owner || hostname === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      deployment: ctx.deployment ?? "",
      hostname,
      serial: f.text("serial_number"),
    };
  },
};
