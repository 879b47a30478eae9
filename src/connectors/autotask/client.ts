import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import type { Connection, ConnectorContext } from "../types.ts";

// Autotask PSA REST (https://webservicesN.autotask.net/atservicesrest/V1.0): header auth, zone
// lookup, POST queries with paging, GET by id, creates and patches.
//
// Confirmed: headers ApiIntegrationCode, UserName, Secret on every call (Swagger);
// GET /V1.0/ZoneInformation?user= answers {zoneName, url, webUrl, ci} (Swagger); POST
// /V1.0/{Entity}/query takes {filter:[{op, field, value, items}], maxRecords, includeFields} and
// answers {items, pageDetails:{count, requestCount, prevPageUrl, nextPageUrl}}, at most 500 items a
// page (Swagger, "Advanced query features" page); nextPageUrl (".../query/next?paging=...") only
// takes POST with the same filter body, GET answers 405 (WYRE-AI/autotask-mcp#170, live tenant);
// GET /V1.0/{Entity}/{id} answers {item}; creates answer {itemId}; errors come as {"errors":[...]}
// and validation failures as HTTP 500 (issues of autotask-mcp and KelvinTegelaar/AutotaskAPI);
// 10,000 requests per rolling hour per database (Autotask "thresholds" pages).
// Guessed: 429 with Retry-After when the threshold or the thread limit is hit (Autotask documents
// "error messages", not the status); a missing id answers {item: null} or 404 (both handled); the
// `in` operator takes 200 values a query (we stay under the 500-condition limit).

export const ZONE_URL = "https://webservices.autotask.net/atservicesrest";
const HOURLY_LIMIT = { limit: 10_000, windowMs: 3_600_000 };
const IN_CHUNK = 200;
const MAX_PAGES = 10_000;

export interface AtFilter {
  op: string;
  field?: string;
  value?: unknown;
  items?: AtFilter[];
}

interface QueryPage<T> {
  items?: T[];
  pageDetails?: { count?: number; nextPageUrl?: string | null };
}

/** Zone per lookup host and user: the zone of an API user does not change between calls. */
const zones = new Map<string, string>();

export class AutotaskClient {
  private http?: HttpClient;

  constructor(
    private readonly conn: Connection,
    private readonly ctx: ConnectorContext,
  ) {}

  /** All items matching `filter`, following nextPageUrl (POST with the same body). */
  async query<T>(entity: string, filter: AtFilter[]): Promise<T[]> {
    const http = await this.api();
    const body = { filter };
    const items: T[] = [];
    let path = `/V1.0/${entity}/query`;
    for (let page = 1; ; page++) {
      const res = await http.request<QueryPage<T>>("POST", path, { json: body, idempotent: true });
      items.push(...(res.body?.items ?? []));
      this.ctx.progress(`${entity}: page ${page}, ${items.length} items`);
      const next = res.body?.pageDetails?.nextPageUrl;
      if (!next) return items;
      const nextPath = this.sameOrigin(next, http.opts.baseUrl);
      if (nextPath === path || page >= MAX_PAGES) {
        throw new ConnectionError(`${this.conn.name}: Autotask ${entity} paging does not end (page ${page})`);
      }
      path = nextPath;
    }
  }

  /** Items whose `field` is one of `ids`, in chunks that keep each query small. */
  async queryIn<T>(
    entity: string,
    field: string,
    ids: readonly number[],
    more: AtFilter[] = [],
  ): Promise<T[]> {
    const unique = [...new Set(ids)];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += IN_CHUNK) {
      const chunk = unique.slice(i, i + IN_CHUNK);
      out.push(...(await this.query<T>(entity, [{ op: "in", field, value: chunk }, ...more])));
    }
    return out;
  }

  /** GET by id; undefined when Autotask has no such row. */
  async item<T>(entity: string, id: number): Promise<T | undefined> {
    const http = await this.api();
    try {
      const res = await http.get<{ item?: T | null }>(`/V1.0/${entity}/${id}`);
      return res.body?.item ?? undefined;
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** A create: sent once, never retried on an unclear outcome (HttpClient's rule for POST). */
  async create(path: string, body: Record<string, unknown>): Promise<number | undefined> {
    const res = await (await this.api()).request<{ itemId?: number }>("POST", path, { json: body });
    return res.body?.itemId;
  }

  async patch(path: string, body: Record<string, unknown>): Promise<void> {
    await (await this.api()).request("PATCH", path, { json: body });
  }

  private headers(): Record<string, string> {
    return {
      ApiIntegrationCode: this.ctx.secret("integrationCode"),
      UserName: this.ctx.secret("username"),
      Secret: this.ctx.secret("secret"),
    };
  }

  private async api(): Promise<HttpClient> {
    if (!this.http) {
      // The global host only answers the zone lookup: given as url (defaultUrl), it means "look up".
      const given = this.conn.url;
      const baseUrl = given && !isLookupHost(given) ? given : await this.zoneUrl();
      this.http = new HttpClient({
        name: this.conn.name,
        baseUrl: baseUrl.replace(/\/+$/, ""),
        ctx: this.ctx,
        headers: () => this.headers(),
        rateLimit: HOURLY_LIMIT,
      });
    }
    return this.http;
  }

  /** The REST base of the API user's zone, from the zone lookup. */
  private async zoneUrl(): Promise<string> {
    const host = setting(this.conn, "zoneUrl") ?? ZONE_URL;
    const user = this.ctx.secret("username");
    const key = `${host}\n${user}`;
    const known = zones.get(key);
    if (known) return known;
    const http = new HttpClient({
      name: this.conn.name,
      baseUrl: host,
      ctx: this.ctx,
      headers: () => this.headers(),
    });
    // The user name travels in the query, URL-encoded: the scrubber must know that form too.
    this.ctx.redact(new URLSearchParams({ user }).toString().slice("user=".length));
    const res = await http.get<{ url?: string }>("/V1.0/ZoneInformation", { user });
    const url = res.body?.url;
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
      throw new ConnectionError(
        `${this.conn.name}: the Autotask zone lookup gave no API address for this user`,
      );
    }
    zones.set(key, url);
    return url;
  }

  /** nextPageUrl must stay on the API's own host: the auth headers go wherever it points. */
  private sameOrigin(next: string, base: string): string {
    const url = new URL(next, `${base}/`);
    if (url.origin !== new URL(base).origin) {
      throw new ConnectionError(
        `${this.conn.name}: Autotask sent a next page on another host (${url.origin})`,
      );
    }
    return url.href;
  }
}

function isLookupHost(url: string): boolean {
  try {
    return new URL(url).hostname.toLowerCase() === new URL(ZONE_URL).hostname;
  } catch {
    return false;
  }
}

function setting(conn: Connection, name: string): string | undefined {
  const v = conn.settings[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}
