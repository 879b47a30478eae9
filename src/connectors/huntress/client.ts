import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import type { Connection, ConnectorContext } from "../types.ts";

// The Huntress API v1 (shared/formats/huntress/openapi.json, Swagger 2.0, and the API overview in
// its description).
// Confirmed: Basic auth base64(apiKey:apiSecret); GET /v1/organizations and GET /v1/agents; `limit`
//   (1-500, default 10) and `page_token`; list answers {<resources>: [...], pagination:
//   {next_page_token, next_page_url}}, next_page_url "only displays when another page can be
//   accessed"; /v1/agents filters by `organization_id` (one integer); Agent fields hostname,
//   serial_number, organization_id (integer), last_callback_at (ISO 8601); 401 for missing or bad
//   credentials; 429 past 60 requests in any 60 s (a sliding window, per account).
// Guessed: the error body's shape; that 429 carries Retry-After (the client waits by its own
//   window first, so it should not meet one).

export const PAGE_LIMIT = 500;
/** Huntress's documented limit: 60 requests in any 60 s window, per account. */
export const RATE_LIMIT = { limit: 60, windowMs: 60_000 };

export interface HuntressAgent {
  id?: number;
  organization_id?: number | string | null;
  hostname?: string | null;
  serial_number?: string | null;
  last_callback_at?: string | null;
  platform?: string | null;
}

export interface HuntressOrganization {
  id?: number;
  name?: string;
  key?: string;
  agents_count?: number;
}

export interface Pagination {
  next_page_token?: string | null;
  next_page_url?: string | null;
}

/** The next page's token: next_page_token, else the page_token of next_page_url; undefined at the end. */
export function nextPageToken(p: Pagination | undefined): string | undefined {
  if (!p) return undefined;
  if (typeof p.next_page_token === "string" && p.next_page_token !== "") return p.next_page_token;
  if (typeof p.next_page_url !== "string" || p.next_page_url === "") return undefined;
  try {
    return new URL(p.next_page_url).searchParams.get("page_token") || undefined;
  } catch {
    return undefined;
  }
}

/** Reads organizations and agents at most 60 requests a minute, counting every request sent. */
export class HuntressClient {
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
    const basic = Buffer.from(`${ctx.secret("apiKey")}:${ctx.secret("apiSecret")}`).toString("base64");
    this.counted = counting(ctx);
    this.http = new HttpClient({
      name: conn.name,
      baseUrl: url,
      ctx: this.counted.ctx,
      headers: () => ({ authorization: `Basic ${basic}` }),
      rateLimit: RATE_LIMIT,
    });
  }

  organizations(): Promise<HuntressOrganization[]> {
    return this.list<HuntressOrganization>("organizations", {});
  }

  /** Every agent, or those of the given organizations (one filtered listing each). */
  async agents(organizationIds: string[]): Promise<HuntressAgent[]> {
    if (organizationIds.length === 0) return this.list<HuntressAgent>("agents", {});
    const out: HuntressAgent[] = [];
    for (const id of organizationIds)
      out.push(...(await this.list<HuntressAgent>("agents", { organization_id: id })));
    return out;
  }

  private async list<T>(what: "organizations" | "agents", filters: Record<string, string>): Promise<T[]> {
    const path = `/v1/${what}`;
    const out: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 1; ; page++) {
      const body = await this.get(path, { ...filters, limit: PAGE_LIMIT, page_token: token });
      const got = body[what];
      if (!Array.isArray(got)) throw this.shapeError(path, `no ${what} list in the answer`);
      out.push(...(got as T[]));
      this.ctx.progress(`${what}: page ${page}, ${out.length} read`);
      const next = nextPageToken(body.pagination as Pagination | undefined);
      if (next === undefined || got.length === 0) return out;
      // A token handed back twice would keep us paging forever.
      if (seen.has(next)) throw this.shapeError(path, "the same page token came back twice");
      seen.add(next);
      token = next;
    }
  }

  private async get(path: string, query: Record<string, string | number | undefined>) {
    try {
      const res = await this.http.get<Record<string, unknown> | undefined>(path, query);
      return res.body ?? {};
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 401)
        throw new ConnectionError(`${e.message} (check the apiKey and apiSecret)`, 401);
      throw e;
    }
  }

  private shapeError(path: string, why: string): ConnectionError {
    return new ConnectionError(`${this.conn.name}: GET ${path}: ${why}`);
  }
}
