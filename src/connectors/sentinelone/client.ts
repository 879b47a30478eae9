import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import type { Connection, ConnectorContext } from "../types.ts";

// The SentinelOne Management API, v2.1. SentinelOne publishes its reference only inside consoles
// (/api-doc); what is used here was checked against public copies of it (operations
// _web_api_agents_get and _web_api_sites_get, and the S1MgmtApi client generated from its spec).
// Confirmed: base path /web/api/v2.1; header `Authorization: ApiToken <token>`; GET /agents and
//   GET /sites take `limit` (1-1000), `cursor` and `siteIds` (comma-separated); /agents takes
//   `isDecommissioned` ("Include active, decommissioned or both"); lists answer {data, pagination:
//   {nextCursor, totalItems}} with nextCursor null on the last page; /sites answers data.sites[]
//   (beside data.allSites totals); 401 for a bad token.
// Guessed: error bodies {errors: [{code, title, detail}]}; that 429 comes with Retry-After. No rate
//   limit is published, so none is applied beyond honouring 429.

export const API_PATH = "/web/api/v2.1";
/** The most a page may hold. */
export const PAGE_LIMIT = 1000;

/** The agent fields Trueup reads (all optional: a console may leave any of them out or null). */
export interface S1Agent {
  id?: string;
  computerName?: string | null;
  siteId?: string | null;
  siteName?: string | null;
  serialNumber?: string | null;
  lastActiveDate?: string | null;
  isActive?: boolean | null;
  isDecommissioned?: boolean | null;
  isUninstalled?: boolean | null;
}

export interface S1Site {
  id?: string;
  name?: string;
  sku?: string | null;
  totalLicenses?: number | null;
  activeLicenses?: number | null;
}

interface Paged {
  data?: unknown;
  pagination?: { nextCursor?: string | null; totalItems?: number };
}

/** The console's root from its configured address, given with or without the API path. */
export function consoleRoot(url: string): string {
  const root = url.trim().replace(/\/+$/, "");
  return root.endsWith(API_PATH) ? root.slice(0, -API_PATH.length) : root;
}

/** Reads sites and agents, following cursors, counting every request sent (retries included). */
export class SentinelOneClient {
  private readonly counted: ReturnType<typeof counting>;

  /** Requests sent so far, retries included. */
  get requests(): number {
    return this.counted.requests();
  }
  private readonly http: HttpClient;

  constructor(
    private readonly conn: Connection,
    private readonly ctx: ConnectorContext,
    url: string,
  ) {
    // Read now, so a missing secret fails before any request.
    const token = ctx.secret("apiToken");
    this.counted = counting(ctx);
    this.http = new HttpClient({
      name: conn.name,
      baseUrl: consoleRoot(url),
      ctx: this.counted.ctx,
      headers: () => ({ authorization: `ApiToken ${token}` }),
    });
  }

  sites(siteIds: string[]): Promise<S1Site[]> {
    return this.list("sites", "/sites", { siteIds: joined(siteIds) }, (body) => {
      const data = body.data as { sites?: S1Site[] } | undefined;
      return data?.sites;
    });
  }

  agents(siteIds: string[]): Promise<S1Agent[]> {
    // The filter keeps decommissioned agents off the wire; map.ts skips any that still come.
    const query = { siteIds: joined(siteIds), isDecommissioned: "false" };
    return this.list("agents", "/agents", query, (body) => body.data as S1Agent[] | undefined);
  }

  private async list<T>(
    what: string,
    path: string,
    filters: Record<string, string | undefined>,
    items: (body: Paged) => T[] | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1; ; page++) {
      const body = await this.get(path, { ...filters, limit: PAGE_LIMIT, cursor });
      const got = items(body);
      if (!Array.isArray(got)) throw this.shapeError(path, `no ${what} list in the answer`);
      out.push(...got);
      this.ctx.progress(`${what}: page ${page}, ${out.length} read`);
      const next = body.pagination?.nextCursor;
      if (typeof next !== "string" || next === "" || got.length === 0) return out;
      // A console that hands back a cursor it gave before would keep us paging forever.
      if (seen.has(next)) throw this.shapeError(path, "the same page cursor came back twice");
      seen.add(next);
      cursor = next;
    }
  }

  private async get(path: string, query: Record<string, string | number | undefined>): Promise<Paged> {
    try {
      // Full paths, so that error messages name the endpoint as SentinelOne documents it.
      const res = await this.http.get<Paged>(API_PATH + path, query);
      return (res.body ?? {}) as Paged;
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 401)
        throw new ConnectionError(`${e.message} (check the apiToken: wrong, revoked or expired)`, 401);
      throw e;
    }
  }

  private shapeError(path: string, why: string): ConnectionError {
    return new ConnectionError(`${this.conn.name}: GET ${API_PATH}${path}: ${why}`);
  }
}

function joined(list: string[]): string | undefined {
  return list.length > 0 ? list.join(",") : undefined;
}
