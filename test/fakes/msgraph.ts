import type { GraphSku, GraphSubscription, GraphUser } from "../../src/connectors/msgraph/map.ts";
import { type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake Microsoft identity platform and Microsoft Graph on one server, as their documentation
// describes them: client-credentials tokens per tenant at /{tenant}/oauth2/v2.0/token (errors as
// {error, error_description: "AADSTSnnn: ..."}), Graph's /v1.0/users with $select, $top (1..999) and
// @odata.nextLink paging, /v1.0/subscribedSkus, /v1.0/directory/subscriptions (companySubscription,
// paged by the same nextLink; 403 without Organization.Read.All), errors as {error:{code,message}}.

export interface FakeTenant {
  users: GraphUser[];
  skus: GraphSku[];
  /** false: the app was never consented in this tenant (AADSTS700016 at the token endpoint). */
  consented?: boolean;
  /** false: consented, but without the application permissions to read users (403). */
  permitted?: boolean;
  /** false: no Microsoft Entra ID P1/P2, so $select=signInActivity is refused (403). */
  premium?: boolean;
  /** Commercial subscriptions (GET /v1.0/directory/subscriptions); none when absent. */
  subscriptions?: GraphSubscription[];
  /** false: the app lacks Organization.Read.All / Directory.Read.All, so subscriptions answer 403. */
  subscriptionsPermitted?: boolean;
  /** Groups; a member is a user's or another group's id (nested groups). */
  groups?: { id: string; displayName: string; members: string[] }[];
}

export interface FakeGraphOptions {
  clientId: string;
  clientSecret: string;
  tenants: Record<string, FakeTenant>;
  /** Users per page at most, whatever $top asks (to get several pages from a few users). */
  pageSize?: number;
  /** Graph requests a token serves before it is answered as expired. */
  tokenUses?: number;
  /** Answers a request before the fake does (a failure on one page). */
  override?: (req: FakeRequest) => FakeAnswer | undefined;
}

export interface FakeGraph extends FakeServer {
  /** Every token issued, to check none leaks. */
  tokens: string[];
}

const graphError = (status: number, code: string, message: string): FakeAnswer =>
  json(
    { error: { code, message, innerError: { date: "2026-11-01T00:00:00", "request-id": "r-1" } } },
    status,
  );

const stsError = (status: number, error: string, code: number, text: string): FakeAnswer =>
  json({ error, error_description: `AADSTS${code}: ${text}\r\nTrace ID: t-1`, error_codes: [code] }, status);

export async function startFakeGraph(o: FakeGraphOptions): Promise<FakeGraph> {
  const tokens: string[] = [];
  /** token -> [tenant, uses left] */
  const live = new Map<string, [string, number]>();
  let server: FakeServer | undefined;

  function token(req: FakeRequest, tenant: string): FakeAnswer {
    const f = (req.body ?? {}) as Record<string, string>;
    if (!req.headers["content-type"]?.includes("application/x-www-form-urlencoded"))
      return stsError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the parameter 'grant_type'.",
      );
    if (f.grant_type !== "client_credentials")
      return stsError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    if (f.scope !== "https://graph.microsoft.com/.default")
      return stsError(400, "invalid_scope", 1002012, "The provided value for scope is not valid.");
    const t = o.tenants[tenant];
    if (!t) return stsError(400, "invalid_request", 90002, `Tenant '${tenant}' not found.`);
    if (f.client_id !== o.clientId || t.consented === false)
      return stsError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${f.client_id}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    if (f.client_secret !== o.clientSecret)
      return stsError(401, "invalid_client", 7000215, "Invalid client secret provided.");
    const value = `eyJ0-${tenant}-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
    tokens.push(value);
    live.set(value, [tenant, o.tokenUses ?? Number.POSITIVE_INFINITY]);
    return json({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: value });
  }

  /** The tenant a bearer token was issued for, or the 401 Graph gives. */
  function authorize(req: FakeRequest): string | FakeAnswer {
    const h = req.headers.authorization ?? "";
    if (!h.startsWith("Bearer "))
      return graphError(401, "InvalidAuthenticationToken", "Access token is empty.");
    const entry = live.get(h.slice(7));
    if (!entry) return graphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.");
    if (entry[1] <= 0)
      return graphError(
        401,
        "InvalidAuthenticationToken",
        "Lifetime validation failed, the token is expired.",
      );
    entry[1]--;
    return entry[0];
  }

  function users(req: FakeRequest, t: FakeTenant): FakeAnswer {
    if (t.permitted === false)
      return graphError(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
      );
    const top = Number(req.query.get("$top") ?? "100");
    if (!Number.isInteger(top) || top < 1 || top > 999)
      return graphError(
        400,
        "Request_UnsupportedQuery",
        `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
      );
    const select = (req.query.get("$select") ?? "").split(",").filter((s) => s);
    if (select.includes("signInActivity") && t.premium === false)
      return graphError(
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
      );
    const skip = Number(Buffer.from(req.query.get("$skiptoken") ?? "MA", "base64url").toString() || "0");
    const size = Math.min(top, o.pageSize ?? top);
    const page = t.users.slice(skip, skip + size).map((u) => pick(u, select));
    const next = new URLSearchParams(req.query);
    next.set("$skiptoken", Buffer.from(String(skip + size)).toString("base64url"));
    return json({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
      ...(skip + size < t.users.length ? { "@odata.nextLink": `${server?.url}/v1.0/users?${next}` } : {}),
      value: page,
    });
  }

  /** Subscriptions a page of `pageSize` at a time (Graph's default page when none is set). */
  function subscriptions(req: FakeRequest, t: FakeTenant): FakeAnswer {
    if (t.subscriptionsPermitted === false)
      return graphError(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
      );
    const all = t.subscriptions ?? [];
    const skip = Number(Buffer.from(req.query.get("$skiptoken") ?? "MA", "base64url").toString() || "0");
    const size = o.pageSize ?? 100;
    const next = new URLSearchParams(req.query);
    next.set("$skiptoken", Buffer.from(String(skip + size)).toString("base64url"));
    return json({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directory/subscriptions",
      ...(skip + size < all.length
        ? { "@odata.nextLink": `${server?.url}/v1.0/directory/subscriptions?${next}` }
        : {}),
      value: all.slice(skip, skip + size),
    });
  }

  const fake = await startFake((req) => {
    const forced = o.override?.(req);
    if (forced) return forced;
    const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
    if (m && req.method === "POST") return token(req, decodeURIComponent(m[1] ?? ""));
    const tenant = authorize(req);
    if (typeof tenant !== "string") return tenant;
    const t = o.tenants[tenant] as FakeTenant;
    if (req.method === "GET" && req.path === "/v1.0/users") return users(req, t);
    if (req.method === "GET" && req.path === "/v1.0/groups")
      return json({ value: (t.groups ?? []).map((g) => ({ id: g.id, displayName: g.displayName })) });
    const members = /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/.exec(req.path);
    if (req.method === "GET" && members) return groupUsers(t, decodeURIComponent(members[1] ?? ""));
    if (req.method === "GET" && req.path === "/v1.0/directory/subscriptions") return subscriptions(req, t);
    if (req.method === "GET" && req.path === "/v1.0/subscribedSkus")
      return json({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus",
        value: t.skus,
      });
    return graphError(400, "BadRequest", `Resource not found for the segment '${req.path}'.`);
  });
  server = fake;
  return Object.assign(fake, { tokens });
}

/** A group's users through nested groups, each once; 404 for a group the tenant does not have. */
function groupUsers(t: FakeTenant, id: string): FakeAnswer {
  const groups = new Map((t.groups ?? []).map((g) => [g.id, g]));
  if (!groups.has(id)) return graphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist.`);
  const users = new Set<string>();
  const seen = new Set<string>();
  const walk = (gid: string) => {
    if (seen.has(gid)) return;
    seen.add(gid);
    for (const m of groups.get(gid)?.members ?? []) {
      if (groups.has(m)) walk(m);
      else users.add(m);
    }
  };
  walk(id);
  return json({ value: [...users].map((u) => ({ "@odata.type": "#microsoft.graph.user", id: u })) });
}

/** Graph returns only the $select-ed properties (all of them when there is no $select). */
function pick(u: GraphUser, select: string[]): Record<string, unknown> {
  if (select.length === 0) return { ...u };
  const all = u as Record<string, unknown>;
  return Object.fromEntries(select.map((k) => [k, all[k] ?? null]));
}
