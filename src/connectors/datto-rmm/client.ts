import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import { TokenSource } from "../oauth.ts";
import type { Connection, ConnectorContext } from "../types.ts";
import type { DattoDevice, DattoSite } from "./map.ts";

// Datto RMM's API v2 on the connection's platform (pinotage, merlot, concord, vidal, zinfandel, syrah).
//
// - confirmed (spec): base https://{platform}-api.centrastage.net/api; GET /v2/account/sites
//   ({pageDetails, sites}) and GET /v2/site/{siteUid}/devices ({pageDetails, devices}), paged by
//   `page` and `max`, pageDetails {count, totalCount, prevPageUrl, nextPageUrl}; error bodies
//   {timestamp, status, error, path}.
// - confirmed (Datto RMM help, "Datto RMM API"): tokens last 100 hours; 600 requests per rolling
//   60 s across the account (then 429, and a temporary IP block on persistent retries).
// - guessed (not in the spec; Datto's help and community clients agree): the token comes from POST
//   {platform root}/auth/oauth/token, a form grant_type=password, username={API key},
//   password={API secret}, with Basic auth "public-client:public".
// - guessed: nextPageUrl is absolute and null on the last page. Only its query (page, max) is used,
//   on our own base URL, so the bearer token never goes to a host the connection does not name.
// - guessed: the token endpoint is not counted in the 600 (it is outside /api).

/** Datto's documented page maximum (GET /v2/system/pagination gives it; 250 on every platform seen). */
export const PAGE_MAX = 250;
/** A guard against a nextPageUrl that never ends. */
const MAX_PAGES = 10_000;

export interface DattoUrls {
  /** The API base, ending in /api. */
  api: string;
  /** The platform root, where /auth/oauth/token is. */
  root: string;
}

/** The API base and platform root from the connection's url, given with or without the /api. */
export function dattoUrls(conn: Connection): DattoUrls {
  const url = conn.url?.trim().replace(/\/+$/, "");
  if (!url)
    throw new ConnectionError(
      `connection ${conn.name}: no url; set it to the platform's API, e.g. https://pinotage-api.centrastage.net/api`,
    );
  const root = url.replace(/\/api$/, "");
  return { api: `${root}/api`, root };
}

export class DattoClient {
  private readonly http: HttpClient;
  private readonly counted: ReturnType<typeof counting>;

  constructor(
    readonly conn: Connection,
    ctx: ConnectorContext,
  ) {
    const { api, root } = dattoUrls(conn);
    this.counted = counting(ctx);
    const c = this.counted.ctx;
    const tokenHttp = new HttpClient({ name: conn.name, baseUrl: root, ctx: c });
    const tokens = new TokenSource(tokenHttp, c, () => ({
      url: `${root}/auth/oauth/token`,
      fields: { grant_type: "password", username: c.secret("apiKey"), password: c.secret("apiSecret") },
      // Datto's fixed public client, the same for every account: not a secret.
      headers: { authorization: `Basic ${Buffer.from("public-client:public").toString("base64")}` },
    }));
    this.http = new HttpClient({
      name: conn.name,
      baseUrl: api,
      ctx: c,
      headers: () => tokens.bearer(),
      onUnauthorized: () => tokens.invalidate(),
      rateLimit: { limit: 600, windowMs: 60_000 },
    });
  }

  get requests(): number {
    return this.counted.requests();
  }

  sites(): Promise<DattoSite[]> {
    return this.walk<DattoSite>("/v2/account/sites", "sites", "sites");
  }

  devices(siteUid: string): Promise<DattoDevice[]> {
    return this.walk<DattoDevice>(`/v2/site/${encodeURIComponent(siteUid)}/devices`, "devices", "");
  }

  /** Every item of a paged list, following pageDetails.nextPageUrl until it is empty. */
  private async walk<T>(path: string, key: string, what: string): Promise<T[]> {
    const out: T[] = [];
    let query: Record<string, string> = { max: String(PAGE_MAX) };
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await this.http.get<Record<string, unknown> | undefined>(path, query);
      const items = res.body?.[key];
      if (!Array.isArray(items))
        throw new ConnectionError(`${this.conn.name}: GET ${path} answered no "${key}" list`);
      out.push(...(items as T[]));
      if (what) this.counted.ctx.progress(`${what}: page ${page}, ${out.length} so far`);
      const next = nextQuery(res.body?.pageDetails);
      if (next === undefined) return out;
      const key2 = new URLSearchParams(next).toString();
      if (seen.has(key2))
        throw new ConnectionError(
          `${this.conn.name}: GET ${path} page ${page} points back to a page already read`,
        );
      seen.add(key2);
      query = next;
    }
    throw new ConnectionError(`${this.conn.name}: GET ${path} has more than ${MAX_PAGES} pages`);
  }
}

/** The query of pageDetails.nextPageUrl, or undefined on the last page. */
export function nextQuery(details: unknown): Record<string, string> | undefined {
  const next = (details as { nextPageUrl?: unknown } | undefined)?.nextPageUrl;
  if (typeof next !== "string" || next.trim() === "") return undefined;
  const url = new URL(next, "http://base.invalid");
  return Object.fromEntries(url.searchParams);
}
