import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import { TokenSource } from "../oauth.ts";
import type { ConnectorContext } from "../types.ts";
import type { GraphGroup, GraphSku, GraphSubscription, GraphUser } from "./map.ts";

// Microsoft Graph for one customer tenant, through one multi-tenant app registration consented in
// every customer tenant (GDAP). Confirmed in Microsoft's documentation: the v2.0 token endpoint
// `{authority}/{tenant}/oauth2/v2.0/token` with grant_type=client_credentials and
// scope=https://graph.microsoft.com/.default; errors there as {error, error_description: "AADSTS..."};
// GET /v1.0/users ($select, $top from 1 to 999, next page in @odata.nextLink), GET /v1.0/subscribedSkus;
// errors as {error:{code,message}}, 401 InvalidAuthenticationToken for an expired token, 429 with
// Retry-After when throttled. Guessed: the status of the token endpoint's "not consented"
// answer (AADSTS700016/7000229; 400 seen in public reports, 401 handled the same way), and that
// subscribedSkus never pages (its nextLink is followed anyway).
// GET /v1.0/directory/subscriptions (companySubscription: skuId, status, totalLicenses,
// nextLifecycleDateTime, isTrial) is confirmed, with its application permission Organization.Read.All
// (least privileged; Directory.Read.All also gives it). Guessed: that it pages like the other
// collections (nextLink followed; no $top or $select sent, as its reference names none).

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
const USER_FIELDS = "id,userPrincipalName,displayName,accountEnabled,userType,assignedLicenses";
/** Needs Microsoft Entra ID P1 or P2 in the tenant (and AuditLog.Read.All). */
const SIGN_IN_FIELD = "signInActivity";
/** Graph's answer (403) to signInActivity in a tenant without Entra ID P1/P2. */
export const NON_PREMIUM_CODE = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";
/** Graph's largest page of users. */
const PAGE_SIZE = 999;
/** A runaway nextLink chain (a million users at 999 a page is ~1000 pages). */
const MAX_PAGES = 5000;

export interface TenantOptions {
  connection: string;
  tenant: string;
  graphUrl: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  ctx: ConnectorContext;
}

interface Page<T> {
  value?: T[];
  "@odata.nextLink"?: string;
}

export class GraphTenant {
  private readonly http: HttpClient;
  private readonly name: string;

  constructor(private readonly o: TenantOptions) {
    this.name = `${o.connection} (tenant ${o.tenant})`;
    const tokenHttp = new HttpClient({ name: this.name, baseUrl: o.authUrl, ctx: o.ctx });
    const tokens = new TokenSource(tokenHttp, o.ctx, () => ({
      url: `${o.authUrl.replace(/\/+$/, "")}/${encodeURIComponent(o.tenant)}/oauth2/v2.0/token`,
      fields: {
        grant_type: "client_credentials",
        client_id: o.clientId,
        client_secret: o.clientSecret,
        scope: GRAPH_SCOPE,
      },
    }));
    this.http = new HttpClient({
      name: this.name,
      baseUrl: o.graphUrl,
      ctx: o.ctx,
      headers: () => this.bearer(tokens),
      onUnauthorized: () => tokens.invalidate(),
    });
  }

  /** A refused sign-in is almost always a tenant where the app was never consented: say so. */
  private async bearer(tokens: TokenSource): Promise<Record<string, string>> {
    try {
      return await tokens.bearer();
    } catch (e) {
      const status = e instanceof ConnectionError ? e.status : undefined;
      // HttpClient's message starts with the same name: said once is enough.
      const text = (e instanceof Error ? e.message : String(e)).replace(`${this.name}: `, "");
      const hint =
        status === 400 || status === 401
          ? " (is the tenant id right, and has an admin of this tenant consented to the app registration, e.g. through GDAP?)"
          : "";
      throw new ConnectionError(
        `${this.name}: cannot sign in to tenant ${this.o.tenant}${hint}: ${text}`,
        status,
      );
    }
  }

  subscribedSkus(): Promise<GraphSku[]> {
    return this.all<GraphSku>("/v1.0/subscribedSkus", {}, "subscribedSkus");
  }

  /**
   * The tenant's commercial subscriptions, for their term ends; undefined when Graph refuses them
   * (403: the app lacks Organization.Read.All or Directory.Read.All in this tenant), so that the pull
   * goes on without term ends rather than fail.
   */
  async subscriptions(): Promise<GraphSubscription[] | undefined> {
    try {
      return await this.all<GraphSubscription>("/v1.0/directory/subscriptions", {}, "subscriptions");
    } catch (e) {
      if (e instanceof ConnectionError && e.status === 403) return undefined;
      throw e;
    }
  }

  users(signIns = false): Promise<GraphUser[]> {
    const $select = signIns ? `${USER_FIELDS},${SIGN_IN_FIELD}` : USER_FIELDS;
    return this.all<GraphUser>("/v1.0/users", { $select, $top: PAGE_SIZE }, "users");
  }

  /**
   * The users with their last sign-in, or undefined (after reading them without it) when the
   * tenant's licence does not give sign-in activity: Graph answers 403 with NON_PREMIUM_CODE.
   */
  async usersWithSignIns(): Promise<{ users: GraphUser[]; signIns: boolean }> {
    try {
      return { users: await this.users(true), signIns: true };
    } catch (e) {
      if (!(e instanceof ConnectionError && e.status === 403 && e.message.includes(NON_PREMIUM_CODE)))
        throw e;
      return { users: await this.users(false), signIns: false };
    }
  }

  groups(): Promise<GraphGroup[]> {
    return this.all<GraphGroup>("/v1.0/groups", { $select: "id,displayName", $top: PAGE_SIZE }, "groups");
  }

  /** A group's users, through nested groups too (transitive membership). */
  groupUsers(groupId: string): Promise<{ id?: string | null }[]> {
    const path = `/v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`;
    return this.all<{ id?: string | null }>(path, { $select: "id", $top: PAGE_SIZE }, "group members");
  }

  /** User id -> the names of the groups the user is in, directly or through nested groups. */
  async memberships(): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>();
    for (const g of await this.groups()) {
      if (!g.id || !g.displayName) continue;
      for (const m of await this.groupUsers(g.id)) {
        if (!m.id) continue;
        const list = byUser.get(m.id) ?? [];
        list.push(g.displayName);
        byUser.set(m.id, list);
      }
    }
    return byUser;
  }

  /** Every item of a collection, following @odata.nextLink (an absolute URL with a $skiptoken). */
  private async all<T>(path: string, query: Record<string, string | number>, what: string): Promise<T[]> {
    const items: T[] = [];
    let res = await this.http.get<Page<T>>(path, query);
    for (let page = 1; ; page++) {
      items.push(...(res.body?.value ?? []));
      this.o.ctx.progress(`${this.o.tenant}: ${what} page ${page} (${items.length})`);
      const next = res.body?.["@odata.nextLink"];
      if (!next) return items;
      if (page >= MAX_PAGES) throw new ConnectionError(`${this.name}: ${what} never ends (${page} pages)`);
      res = await this.http.get<Page<T>>(this.sameOrigin(next, path));
    }
  }

  /**
   * The bearer token goes wherever nextLink points: only ever to the Graph address configured. The
   * link is made relative to it again, so messages show the path and not the host.
   */
  private sameOrigin(next: string, path: string): string {
    let url: URL;
    try {
      url = new URL(next, this.o.graphUrl);
    } catch {
      throw new ConnectionError(`${this.name}: GET ${path} gave an unreadable @odata.nextLink`);
    }
    const base = new URL(this.o.graphUrl);
    if (url.origin !== base.origin)
      throw new ConnectionError(`${this.name}: GET ${path} gave a next page on another host (${url.host})`);
    const prefix = base.pathname.replace(/\/+$/, "");
    const rel = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    return rel + url.search;
  }
}

/** Error messages quote the vendor's answer, which may echo a client id: scrub before it leaves. */
export function scrubbed(e: unknown, scrub: (text: string) => string): unknown {
  if (e instanceof Error) {
    e.message = scrub(e.message);
    if (e.stack) e.stack = scrub(e.stack);
  }
  return e;
}
