import { ConnectionError } from "../errors.ts";
import type { Connection, Connector } from "../types.ts";
import { HuntressClient } from "./client.ts";
import { agentRows } from "./map.ts";

// Huntress: every agent of the account (or of the configured organizations) is a deployment of the
// client whose deployment id for this source is the agent's Huntress organization id.

export const huntress: Connector = {
  kind: "huntress",
  title: "Huntress",
  provides: ["deployments"],
  defaultUrl: "https://api.huntress.io",
  fields: [
    { name: "apiKey", secret: true, required: true, help: "Huntress API key (Account > API Credentials)" },
    {
      name: "apiSecret",
      secret: true,
      required: true,
      help: "Huntress API secret key, shown once when generated",
    },
    {
      name: "organizationIds",
      list: true,
      help: "Read only these organization ids (default: every organization); a client's id for this source is its organization id",
    },
  ],
  async pull(conn, ctx) {
    // defaultUrl is set, so there is always an address.
    const url = conn.url ?? (huntress.defaultUrl as string);
    const organizationIds = listSetting(conn, "organizationIds");
    // The API's organization_id filter is an integer: say so here rather than as a 400.
    const bad = organizationIds.find((id) => !/^\d+$/.test(id));
    if (bad !== undefined)
      throw new ConnectionError(
        `connection ${conn.name}: organizationIds: "${bad}" is not a Huntress organization id (a number)`,
      );
    const client = new HuntressClient(conn, ctx, url);
    const organizations = await client.organizations();
    const agents = await client.agents(organizationIds);
    const { rows, skipped } = agentRows(agents);
    return {
      rows: { deployments: rows },
      counts: {
        organizations: organizations.length,
        agents: agents.length,
        skipped,
        requests: client.requests,
      },
    };
  },
};

/** A list setting, written as a YAML list or as one comma-separated string. */
function listSetting(conn: Connection, name: string): string[] {
  const v = conn.settings[name];
  const items = v === undefined ? [] : Array.isArray(v) ? v : v.split(",");
  return items.map((s) => s.trim()).filter((s) => s !== "");
}
