import { type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A SentinelOne console's Management API v2.1 as the public copies of its reference describe it:
// `Authorization: ApiToken <token>`, GET /web/api/v2.1/sites and /agents with limit (1-1000, default
// 10), an opaque cursor and pagination {nextCursor (null on the last page), totalItems}, the siteIds
// and isDecommissioned filters. Error bodies {errors: [{code, title, detail}]} are a guess.

const API = "/web/api/v2.1";

export interface S1FakeOptions {
  token: string;
  sites: Record<string, unknown>[];
  agents: Record<string, unknown>[];
  /** At most this many items a page whatever `limit` asks, to get many pages from few items. */
  pageCap?: number;
  /** Answers instead of the console when it returns an answer (faults on one page); page counts from 1. */
  intercept?: (req: FakeRequest, page: number) => FakeAnswer | undefined;
}

const error = (status: number, code: number, title: string, detail: string | null = null) =>
  json({ errors: [{ code, title, detail }] }, status);

const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString("base64");

function offsetOf(cursor: string | null): number | undefined {
  if (cursor === null) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return m ? Number(m[1]) : undefined;
}

/** Values of a comma-separated list filter, or undefined when it is not sent. */
function listFilter(req: FakeRequest, name: string): string[] | undefined {
  const v = req.query.get(name);
  return v === null ? undefined : v.split(",").map((s) => s.trim().toLowerCase());
}

export async function startSentinelOneFake(o: S1FakeOptions): Promise<FakeServer> {
  return startFake((req) => {
    if (req.headers.authorization !== `ApiToken ${o.token}`)
      return error(401, 4010010, "Authentication Failed", "Unauthorized access - please sign in and retry.");
    if (req.method !== "GET") return error(405, 4050010, "Method Not Allowed");
    if (req.path === `${API}/sites`)
      return list(req, sites(req), (page, all) => ({ allSites: totals(all), sites: page }));
    if (req.path === `${API}/agents`) return list(req, agents(req), (page) => page);
    return error(404, 4040010, "Not Found");
  });

  function sites(req: FakeRequest): Record<string, unknown>[] {
    const ids = listFilter(req, "siteIds");
    return o.sites.filter((s) => !ids || ids.includes(String(s.id).toLowerCase()));
  }

  function agents(req: FakeRequest): Record<string, unknown>[] {
    const ids = listFilter(req, "siteIds");
    const decommissioned = listFilter(req, "isDecommissioned");
    return o.agents.filter(
      (a) =>
        (!ids || ids.includes(String(a.siteId).toLowerCase())) &&
        (!decommissioned || decommissioned.includes(String(a.isDecommissioned ?? false))),
    );
  }

  function list(
    req: FakeRequest,
    all: Record<string, unknown>[],
    data: (page: Record<string, unknown>[], all: Record<string, unknown>[]) => unknown,
  ): FakeAnswer {
    const limit = Number(req.query.get("limit") ?? "10");
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return error(400, 4000010, "Validation Error", "limit: Must be between 1 and 1000.");
    const offset = offsetOf(req.query.get("cursor"));
    if (offset === undefined) return error(400, 4000010, "Validation Error", "cursor: Invalid cursor.");
    const size = Math.min(limit, o.pageCap ?? limit);
    const intercepted = o.intercept?.(req, Math.floor(offset / size) + 1);
    if (intercepted) return intercepted;
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? cursorOf(offset + size) : null;
    return json({ data: data(page, all), pagination: { nextCursor: next, totalItems: all.length } });
  }
}

function totals(sites: Record<string, unknown>[]) {
  const sum = (k: string) => sites.reduce((n, s) => n + Number(s[k] ?? 0), 0);
  return { activeLicenses: sum("activeLicenses"), totalLicenses: sum("totalLicenses") };
}
