import { ConnectionError } from "../errors.ts";
import type { Connection, Connector } from "../types.ts";
import { SentinelOneClient } from "./client.ts";
import { agentRows } from "./map.ts";

// SentinelOne: every agent of the console (or of the configured sites) is a deployment of the
// client whose deployment id for this source is the agent's SentinelOne site id.

export const sentinelone: Connector = {
  kind: "sentinelone",
  title: "SentinelOne",
  provides: ["deployments"],
  fields: [
    {
      name: "apiToken",
      secret: true,
      required: true,
      help: "API token of a console user or service user allowed Endpoints.view and Sites.view",
    },
    {
      name: "siteIds",
      list: true,
      help: "Read only these site ids (default: every site the token sees); a client's id for this source is its site id",
    },
  ],
  async pull(conn, ctx) {
    const url = conn.url ?? sentinelone.defaultUrl;
    if (!url)
      throw new ConnectionError(
        `connection ${conn.name}: no url given; set it to the SentinelOne console, e.g. https://usea1-partners.sentinelone.net`,
      );
    const siteIds = listSetting(conn, "siteIds");
    const client = new SentinelOneClient(conn, ctx, url);
    const sites = await client.sites(siteIds);
    const agents = await client.agents(siteIds);
    const { rows, skipped } = agentRows(agents);
    return {
      rows: { deployments: rows },
      counts: { sites: sites.length, agents: agents.length, skipped, requests: client.requests },
    };
  },
};

/** A list setting, written as a YAML list or as one comma-separated string. */
function listSetting(conn: Connection, name: string): string[] {
  const v = conn.settings[name];
  const items = v === undefined ? [] : Array.isArray(v) ? v : v.split(",");
  return items.map((s) => s.trim()).filter((s) => s !== "");
}
