import { PAX8_BILLED_STATUSES } from "../../formats/pax8.ts";
import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import type { Connection, Connector, ConnectorContext, PullResult } from "../types.ts";
import { Pax8Client } from "./client.ts";
import { licenceRows, type Pax8Product, type Pax8Subscription } from "./map.ts";

// Pax8: what the MSP buys for each customer company. Rows are keyed by Pax8's companyId (the
// client's `ids` map it); the source sets the vendor (pax8). All-or-nothing: any failure throws.

export const DEFAULT_PAX8_URL = "https://api.pax8.com/v1";
export const DEFAULT_PAX8_TOKEN_URL = "https://token-manager.pax8.com/oauth/token";

export const pax8: Connector = {
  kind: "pax8",
  title: "Pax8",
  provides: ["licences"],
  defaultUrl: DEFAULT_PAX8_URL,
  fields: [
    { name: "tokenUrl", help: `Pax8 token address (default ${DEFAULT_PAX8_TOKEN_URL})` },
    {
      name: "clientId",
      secret: true,
      required: true,
      help: "Client id of a Pax8 API credential (Integrations)",
    },
    { name: "clientSecret", secret: true, required: true, help: "Client secret of that credential" },
  ],
  pull: pullPax8,
};

async function pullPax8(conn: Connection, outer: ConnectorContext): Promise<PullResult> {
  const { ctx, requests } = counting(outer);
  try {
    const client = new Pax8Client({
      connection: conn.name,
      url: conn.url || DEFAULT_PAX8_URL,
      tokenUrl: setting(conn, "tokenUrl") || DEFAULT_PAX8_TOKEN_URL,
      clientId: ctx.secret("clientId"),
      clientSecret: ctx.secret("clientSecret"),
      ctx,
    });
    // Companies are read for the connection's counts (and fail fast on bad credentials); rows are
    // keyed by the subscriptions' companyId, so no company lookup is needed to build them.
    const companies = await client.companies();
    // Only billed statuses are asked for: cancelled subscriptions pile up over the years.
    const subs: Pax8Subscription[] = [];
    for (const status of PAX8_BILLED_STATUSES) subs.push(...(await client.subscriptions(status)));
    const products = await productsOf(client, subs, ctx);
    const licences = mapRows(conn, subs, products);
    return {
      rows: { licences },
      counts: {
        companies: companies.length,
        subscriptions: subs.length,
        products: products.size,
        licences: licences.length,
        requests: requests(),
      },
    };
  } catch (e) {
    if (e instanceof Error) {
      e.message = ctx.scrub(e.message);
      if (e.stack) e.stack = ctx.scrub(e.stack);
    }
    throw e;
  }
}

/**
 * Each product the subscriptions use, one GET /products/{id} each: the few dozen products an MSP
 * sells, rather than Pax8's whole catalogue through GET /products.
 */
async function productsOf(
  client: Pax8Client,
  subs: readonly Pax8Subscription[],
  ctx: ConnectorContext,
): Promise<Map<string, Pax8Product>> {
  const ids = [...new Set(subs.map((s) => s.productId ?? "").filter((id) => id !== ""))];
  const products = new Map<string, Pax8Product>();
  for (const [i, id] of ids.entries()) {
    const product = await client.product(id);
    if (product) products.set(id, product);
    if ((i + 1) % 25 === 0 || i + 1 === ids.length) ctx.progress(`products: ${i + 1} of ${ids.length}`);
  }
  return products;
}

function mapRows(
  conn: Connection,
  subs: readonly Pax8Subscription[],
  products: ReadonlyMap<string, Pax8Product>,
): ReturnType<typeof licenceRows> {
  try {
    return licenceRows(subs, products);
  } catch (e) {
    throw new ConnectionError(`connection ${conn.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function setting(conn: Connection, name: string): string {
  const v = conn.settings[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
}
