import { basicAuth, type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// The Huntress API v1 as shared/formats/huntress/openapi.json defines it: Basic auth of API key and
// secret, GET /v1/organizations and /v1/agents with limit (1-500, default 10) and page_token, lists
// as {<resources>: [...], pagination: {next_page_token, next_page_url}} with no next page fields on
// the last page, the organization_id filter on agents, and 60 requests in any 60 s window, past
// which it answers 429. The error body ({error}) and Retry-After on 429 are guesses.

export interface HuntressFakeOptions {
  key: string;
  secret: string;
  organizations: Record<string, unknown>[];
  agents: Record<string, unknown>[];
  /** At most this many items a page whatever `limit` asks, to get many pages from few items. */
  pageCap?: number;
  /** The clock of the rate limit window (ms); tests pass their fake clock. */
  clock?: () => number;
  /** Answers instead of Huntress when it returns an answer (faults on one page); page counts from 1. */
  intercept?: (req: FakeRequest, page: number) => FakeAnswer | undefined;
}

export interface HuntressFake extends FakeServer {
  /** Clock time of each request the window counted. */
  stamps: number[];
  /** Requests answered 429 by the rate limit. */
  throttled: number;
}

const WINDOW_MS = 60_000;
const tokenOf = (offset: number) => Buffer.from(`${offset}`).toString("base64url");

export async function startHuntressFake(o: HuntressFakeOptions): Promise<HuntressFake> {
  const clock = o.clock ?? Date.now;
  const stamps: number[] = [];
  let throttled = 0;
  let base = "";
  const server = await startFake((req) => {
    const limited = rateLimit();
    if (limited) return limited;
    const creds = basicAuth(req);
    if (!creds || creds[0] !== o.key || creds[1] !== o.secret)
      return json({ error: "Authentication credentials are missing or invalid." }, 401);
    if (req.method !== "GET") return json({ error: "Not found" }, 404);
    if (req.path === "/v1/organizations") return list(req, "organizations", o.organizations);
    if (req.path === "/v1/agents") return list(req, "agents", agents(req));
    return json({ error: "Not found" }, 404);
  });
  base = server.url;

  function rateLimit(): FakeAnswer | undefined {
    const now = clock();
    const recent = stamps.filter((t) => t > now - WINDOW_MS);
    if (recent.length >= 60) {
      throttled++;
      const wait = Math.ceil(((recent[recent.length - 60] ?? now) + WINDOW_MS - now) / 1000);
      return json({ error: "Rate limit exceeded" }, 429, { "retry-after": String(Math.max(wait, 1)) });
    }
    stamps.push(now);
    return undefined;
  }

  function agents(req: FakeRequest): Record<string, unknown>[] {
    const org = req.query.get("organization_id");
    return org === null ? o.agents : o.agents.filter((a) => String(a.organization_id) === org);
  }

  function list(req: FakeRequest, key: string, all: Record<string, unknown>[]): FakeAnswer {
    const limit = Number(req.query.get("limit") ?? "10");
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      return json({ error: "limit must be between 1 and 500" }, 400);
    const token = req.query.get("page_token");
    const offset = token === null ? 0 : Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isInteger(offset) || offset < 0) return json({ error: "invalid page_token" }, 400);
    const size = Math.min(limit, o.pageCap ?? limit);
    const intercepted = o.intercept?.(req, Math.floor(offset / size) + 1);
    if (intercepted) return intercepted;
    const page = all.slice(offset, offset + size);
    const pagination: Record<string, string> = {};
    if (offset + size < all.length) {
      const next = new URL(`${base}${req.path}`);
      for (const [k, v] of req.query) if (k !== "page_token") next.searchParams.set(k, v);
      next.searchParams.set("page_token", tokenOf(offset + size));
      pagination.next_page_url = next.toString();
      pagination.next_page_token = tokenOf(offset + size);
    }
    return json({ [key]: page, pagination });
  }

  return {
    ...server,
    stamps,
    get throttled() {
      return throttled;
    },
  };
}
