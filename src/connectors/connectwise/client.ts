import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import type { Connection, ConnectorContext } from "../types.ts";

// HTTP to ConnectWise PSA (Manage) REST 3.0: auth headers, Link-header paging, JSON Patch writes.
//
// Confirmed (public docs, the published OpenAPI and integrations using it): base
// https://{site}/v4_6_release/apis/3.0; Basic auth "{companyId}+{publicKey}:{privateKey}" plus a
// `clientId` header; lists take `conditions`, `orderBy`, `page` (from 1) and `pageSize` (max 1000)
// and give the next page in a `Link` header (rel="next"); PATCH takes a JSON Patch array.
// Guessed: `orderBy=id asc` (the parameter is in the spec, the "field asc" form is common use, not
// documented text we found); 429 with Retry-After (trueup's formats README, no ConnectWise page
// found). The Accept header is plain JSON: no API version is pinned, so the server's own version
// answers (the fields read here are the same in every version we saw).

export const API_PATH = "/v4_6_release/apis/3.0";
const PAGE_SIZE = 1000;
const MAX_PAGES = 10_000;

export interface ListOptions {
  conditions?: string;
  pageSize?: number;
  /** Progress label ("agreements"); pages are reported as "agreements: page 3". */
  label?: string;
}

/** A URL without a path gets ConnectWise's API path: "https://na.myconnectwise.net" works as is. */
export function baseUrl(conn: Connection): string {
  if (!conn.url)
    throw new ConnectionError(
      `connection ${conn.name}: url is required (e.g. https://na.myconnectwise.net${API_PATH})`,
    );
  let url: URL;
  try {
    url = new URL(conn.url);
  } catch {
    throw new ConnectionError(`connection ${conn.name}: url ${JSON.stringify(conn.url)} is not a URL`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path === "" ? API_PATH : path}`;
}

function setting(conn: Connection, name: string): string {
  const v = conn.settings[name];
  const text = Array.isArray(v) ? v[0] : v;
  if (!text) throw new ConnectionError(`connection ${conn.name}: setting ${name} is required`);
  return text;
}

export class CwClient {
  readonly http: HttpClient;

  constructor(
    conn: Connection,
    private readonly ctx: ConnectorContext,
  ) {
    const companyId = setting(conn, "companyId");
    const base = baseUrl(conn);
    this.http = new HttpClient({
      name: conn.name,
      baseUrl: base,
      ctx,
      // Secrets are read per request (ctx.secret registers them for scrubbing); headers never reach logs.
      headers: () => {
        const user = `${companyId}+${ctx.secret("publicKey")}`;
        const token = Buffer.from(`${user}:${ctx.secret("privateKey")}`).toString("base64");
        ctx.redact(token); // never logged (headers aren't), but scrubbed should a server echo it
        return { authorization: `Basic ${token}`, clientId: ctx.secret("clientId") };
      },
    });
  }

  /** Every item of a list, following `Link: <...>; rel="next"` until there is none. */
  async list<T>(path: string, o: ListOptions = {}): Promise<T[]> {
    const out: T[] = [];
    let query: Record<string, string> = {
      ...(o.conditions ? { conditions: o.conditions } : {}),
      orderBy: "id asc",
      page: "1",
      pageSize: String(o.pageSize ?? PAGE_SIZE),
    };
    for (let n = 1; ; n++) {
      if (n > MAX_PAGES)
        throw new ConnectionError(`${this.http.opts.name}: GET ${path} never ends (${MAX_PAGES} pages)`);
      const res = await this.call(() => this.http.get<T[]>(path, query));
      if (!Array.isArray(res.body))
        throw new ConnectionError(`${this.http.opts.name}: GET ${path} answered something other than a list`);
      out.push(...res.body);
      if (o.label) this.ctx.progress(`${o.label}: page ${n}, ${out.length} so far`);
      const next = nextQuery(res.headers.get("link"));
      if (!next || next.page === query.page) return out;
      query = next;
    }
  }

  /** One item, or undefined when ConnectWise answers 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return (await this.call(() => this.http.get<T>(path))).body;
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 404) return undefined;
      throw e;
    }
  }

  async get<T>(path: string): Promise<T> {
    return (await this.call(() => this.http.get<T>(path))).body;
  }

  /** Sent once: an unclear outcome throws UnknownOutcomeError (from HttpClient), never retried here. */
  async send<T>(method: "PATCH" | "POST", path: string, json: unknown): Promise<T> {
    return (await this.call(() => this.http.request<T>(method, path, { json }))).body;
  }

  /** A 401 names what to check; every other error passes through unchanged. */
  private async call<R>(f: () => Promise<R>): Promise<R> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 401 && e.name === "ConnectionError")
        throw new ConnectionError(`${e.message} (check companyId, publicKey, privateKey and clientId)`, 401);
      throw e;
    }
  }
}

/**
 * The query of the rel="next" link. Only its query is used, on our own base URL: the link's host
 * may be a server name other than the one configured, and credentials go to the configured host only.
 */
export function nextQuery(link: string | null): Record<string, string> | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m?.[1] || !/\brel\s*=\s*"?next"?/i.test(m[2] ?? "")) continue;
    try {
      const q = Object.fromEntries(new URL(m[1], "http://link.invalid").searchParams);
      return q.page ? q : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
