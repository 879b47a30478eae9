import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import { TokenSource } from "../oauth.ts";
import type { ConnectorContext } from "../types.ts";
import type { Pax8Product, Pax8Subscription } from "./map.ts";

// The Pax8 partner API. Confirmed in Pax8's published OpenAPI (partner endpoints and
// authentication): token by POST {tokenUrl} with JSON {client_id, client_secret, audience:
// "https://api.pax8.com", grant_type: "client_credentials"}, expires_in 86400, errors there as
// {error, error_description}; GET /companies, /subscriptions (filters status, companyId, productId,
// billingTerm), /products/{productId} (404 when unknown); lists page with `page` (from 0) and `size`
// (at most 200), answering {content, page:{size, totalElements, totalPages, number}}; errors as
// {type, message, instance, status, details}. Partly confirmed: a rate limit of 1000 requests (per
// minute assumed: devx.pax8.com's sentence is cut off in the copy found). Guessed: 429 comes with
// Retry-After (HttpClient backs off without one), and the body of a 401 for an expired token.

export const PAX8_AUDIENCE = "https://api.pax8.com";
/** Pax8's largest page. */
const PAGE_SIZE = 200;
const MAX_PAGES = 5000;

export interface Pax8Options {
  connection: string;
  url: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  ctx: ConnectorContext;
}

export interface Pax8Company {
  id?: string;
  name?: string;
  status?: string;
}

interface Page<T> {
  content?: T[];
  page?: { size?: number; totalElements?: number; totalPages?: number; number?: number };
}

export class Pax8Client {
  private readonly http: HttpClient;

  constructor(private readonly o: Pax8Options) {
    const tokenHttp = new HttpClient({ name: o.connection, baseUrl: o.tokenUrl, ctx: o.ctx });
    const tokens = new TokenSource(tokenHttp, o.ctx, () => ({
      url: o.tokenUrl,
      json: true,
      fields: {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        audience: PAX8_AUDIENCE,
        grant_type: "client_credentials",
      },
    }));
    this.http = new HttpClient({
      name: o.connection,
      baseUrl: o.url,
      ctx: o.ctx,
      headers: () => this.bearer(tokens),
      onUnauthorized: () => tokens.invalidate(),
      rateLimit: { limit: 1000, windowMs: 60_000 },
    });
  }

  private async bearer(tokens: TokenSource): Promise<Record<string, string>> {
    try {
      return await tokens.bearer();
    } catch (e) {
      const status = e instanceof ConnectionError ? e.status : undefined;
      // HttpClient's message starts with the connection name too: said once is enough.
      const text = (e instanceof Error ? e.message : String(e)).replace(`${this.o.connection}: `, "");
      const hint =
        status === 401 || status === 403 ? " (check the API credential's client id and secret)" : "";
      throw new ConnectionError(`${this.o.connection}: no Pax8 access token${hint}: ${text}`, status);
    }
  }

  companies(): Promise<Pax8Company[]> {
    return this.all<Pax8Company>("/companies", {}, "companies");
  }

  /** Subscriptions in one status; a subscription seen twice (paging over changing data) counts once. */
  async subscriptions(status: string): Promise<Pax8Subscription[]> {
    const subs = await this.all<Pax8Subscription>("/subscriptions", { status }, `subscriptions ${status}`);
    const seen = new Set<string>();
    return subs.filter((s) => {
      if (!s.id) return true;
      if (seen.has(s.id)) return false;
      seen.add(s.id);
      return true;
    });
  }

  /** A product, or undefined when Pax8 no longer lists it (404). */
  async product(id: string): Promise<Pax8Product | undefined> {
    try {
      return (await this.http.get<Pax8Product>(`/products/${encodeURIComponent(id)}`)).body;
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 404) return undefined;
      throw e;
    }
  }

  private async all<T>(path: string, filter: Record<string, string>, what: string): Promise<T[]> {
    const items: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.http.get<Page<T>>(path, { ...filter, page, size: PAGE_SIZE });
      const content = res.body?.content ?? [];
      items.push(...content);
      const total = res.body?.page?.totalPages;
      this.o.ctx.progress(`${what}: page ${page + 1}${total ? ` of ${total}` : ""} (${items.length})`);
      // totalPages ends the walk; an empty page ends it too, should totalPages be missing or wrong.
      if (content.length === 0 || (total !== undefined ? page + 1 >= total : content.length < PAGE_SIZE))
        return items;
    }
    throw new ConnectionError(`${this.o.connection}: GET ${path} never ends (${MAX_PAGES} pages)`);
  }
}
