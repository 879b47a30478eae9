import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import type { CanonicalRow, Connection, Connector, ConnectorContext, PullResult } from "../types.ts";
import { GraphTenant, scrubbed } from "./client.ts";
import { licenceRows, userRows } from "./map.ts";

// Microsoft 365 through Graph: the users (and the licences each holds) and the purchased licences of
// every configured customer tenant, with their subscriptions' term ends. Tenants are read one after the other; any failure in any tenant
// fails the whole pull, so a half-read estate is never stored.

export const DEFAULT_GRAPH_URL = "https://graph.microsoft.com";
export const DEFAULT_AUTH_URL = "https://login.microsoftonline.com";

export const msgraph: Connector = {
  kind: "msgraph",
  title: "Microsoft 365 (Graph)",
  provides: ["users", "licences"],
  defaultUrl: DEFAULT_GRAPH_URL,
  fields: [
    {
      name: "tenants",
      list: true,
      required: true,
      help: "Customer tenants: tenant ids or onmicrosoft.com domains; each is the account of its rows",
    },
    { name: "authUrl", help: `Microsoft sign-in address (default ${DEFAULT_AUTH_URL})` },
    {
      name: "clientId",
      secret: true,
      required: true,
      help: "Application (client) id of the multi-tenant app registration consented in each tenant",
    },
    { name: "clientSecret", secret: true, required: true, help: "A client secret of that app registration" },
  ],
  pull: pullGraph,
};

async function pullGraph(conn: Connection, outer: ConnectorContext): Promise<PullResult> {
  const { ctx, requests } = counting(outer);
  try {
    const tenants = tenantsOf(conn);
    const base = {
      connection: conn.name,
      graphUrl: conn.url || DEFAULT_GRAPH_URL,
      authUrl: single(conn, "authUrl") || DEFAULT_AUTH_URL,
      clientId: ctx.secret("clientId"),
      clientSecret: ctx.secret("clientSecret"),
      ctx,
    };
    const users: CanonicalRow[] = [];
    const licences: CanonicalRow[] = [];
    let skuCount = 0;
    let withoutSignIns = 0;
    let withoutTerms = 0;
    for (const tenant of tenants) {
      const graph = new GraphTenant({ ...base, tenant });
      // SKUs first: they name the skuIds of the users' licences.
      const skus = await graph.subscribedSkus();
      // Their term ends (nextLifecycleDateTime) come from the tenant's subscriptions, when allowed.
      const subscriptions = await graph.subscriptions();
      if (!subscriptions) {
        withoutTerms += 1;
        ctx.progress(
          `${tenant}: subscriptions refused (403: the app needs Organization.Read.All or Directory.Read.All): licences have no commitmentEnd, so a surplus shows no reducibleOn`,
        );
      }
      const { users: people, signIns } = await graph.usersWithSignIns();
      if (!signIns) {
        withoutSignIns += 1;
        ctx.progress(
          `${tenant}: no sign-in activity (Graph gives it only with Microsoft Entra ID P1 or P2): lastActive left empty, so inactiveUserDays cannot judge these users`,
        );
      }
      const groups = await graph.memberships();
      skuCount += skus.length;
      users.push(...userRows(tenant, people, skus, groups));
      licences.push(
        ...licenceRows(tenant, skus, subscriptions, (sku, why) =>
          ctx.progress(`${tenant}: ${sku} has no commitmentEnd: ${why}`),
        ),
      );
      ctx.progress(`${tenant}: ${people.length} users, ${skus.length} SKUs`);
    }
    const counts: Record<string, number> = {
      tenants: tenants.length,
      users: users.length,
      skus: skuCount,
      requests: requests(),
    };
    if (withoutSignIns > 0) counts.tenantsWithoutSignIns = withoutSignIns;
    if (withoutTerms > 0) counts.tenantsWithoutTermEnds = withoutTerms;
    return { rows: { users, licences }, counts };
  } catch (e) {
    throw scrubbed(e, ctx.scrub);
  }
}

/** The tenants as configured (a YAML list, or one string with commas), each once. */
export function tenantsOf(conn: Connection): string[] {
  const raw = conn.settings.tenants;
  const list = (Array.isArray(raw) ? raw : (raw ?? "").split(",")).map((t) => t.trim()).filter((t) => t);
  const seen = new Set<string>();
  const tenants = list.filter((t) => {
    const key = t.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (tenants.length === 0)
    throw new ConnectionError(
      `connection ${conn.name}: no tenants given (settings.tenants: a list of tenant ids)`,
    );
  return tenants;
}

function single(conn: Connection, name: string): string {
  const v = conn.settings[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
}
