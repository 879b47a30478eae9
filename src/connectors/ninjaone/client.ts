import { counting } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import { HttpClient } from "../http.ts";
import { TokenSource } from "../oauth.ts";
import type { Connection, ConnectorContext } from "../types.ts";
import type { NinjaDevice, NinjaOrganization } from "./map.ts";

// NinjaOne's Public API 2.0 on the connection's regional instance (app., eu., oc., ca., us2.ninjarmm.com).
//
// - confirmed (spec): GET /v2/organizations and GET /v2/devices-detailed, both plain JSON arrays,
//   paged by `pageSize` and `after` ("Last Node ID from previous page" / "Last Organization
//   Identifier"); bearer auth with the scopes monitoring, management, control.
// - guessed (not in the spec, which only names a bearer scheme; NinjaOne's docs and community clients
//   agree): the token comes from POST {instance}/ws/oauth/token, a form with grant_type=
//   client_credentials, client_id, client_secret and scope; "monitoring" is enough to read.
// - guessed: that pages come in ascending id order, so the last id of a page is the next cursor. The
//   walk stops on an empty page only: a page shorter than asked may just be the server's own cap.

/** Devices (and organizations) per page; NinjaOne does not document a maximum. */
export const PAGE_SIZE = 1000;

/** The instance's root: `https://eu.ninjarmm.com`, also when given with a trailing /ws or /v2. */
export function instanceUrl(conn: Connection): string {
  const url = conn.url?.trim();
  if (!url)
    throw new ConnectionError(
      `connection ${conn.name}: no url; set it to the NinjaOne instance, e.g. https://app.ninjarmm.com or https://eu.ninjarmm.com`,
    );
  return url.replace(/\/+$/, "").replace(/\/(ws|v2)$/, "");
}

export class NinjaClient {
  private readonly http: HttpClient;
  private readonly counted: ReturnType<typeof counting>;

  constructor(
    readonly conn: Connection,
    ctx: ConnectorContext,
  ) {
    const root = instanceUrl(conn);
    this.counted = counting(ctx);
    const c = this.counted.ctx;
    const tokenHttp = new HttpClient({ name: conn.name, baseUrl: root, ctx: c });
    const tokens = new TokenSource(tokenHttp, c, () => ({
      url: `${root}/ws/oauth/token`,
      fields: {
        grant_type: "client_credentials",
        client_id: c.secret("clientId"),
        client_secret: c.secret("clientSecret"),
        scope: "monitoring",
      },
    }));
    this.http = new HttpClient({
      name: conn.name,
      baseUrl: root,
      ctx: c,
      headers: () => tokens.bearer(),
      onUnauthorized: () => tokens.invalidate(),
    });
  }

  get requests(): number {
    return this.counted.requests();
  }

  organizations(): Promise<NinjaOrganization[]> {
    return this.walk<NinjaOrganization>("/v2/organizations", "organizations");
  }

  devices(): Promise<NinjaDevice[]> {
    return this.walk<NinjaDevice>("/v2/devices-detailed", "devices");
  }

  /** Every item of a cursor-paged list: `after` is the last id of the previous page. */
  private async walk<T extends { id?: number }>(path: string, what: string): Promise<T[]> {
    const out: T[] = [];
    let after: number | undefined;
    for (let page = 1; ; page++) {
      const res = await this.http.get<unknown>(path, { pageSize: PAGE_SIZE, after });
      if (!Array.isArray(res.body))
        throw new ConnectionError(`${this.conn.name}: GET ${path} did not answer a list`);
      const items = res.body as T[];
      if (items.length === 0) return out;
      out.push(...items);
      this.counted.ctx.progress(`${what}: page ${page}, ${out.length} so far`);
      const last = items[items.length - 1]?.id;
      // A cursor that does not move would ask for the same page forever.
      if (typeof last !== "number" || (after !== undefined && last <= after))
        throw new ConnectionError(
          `${this.conn.name}: GET ${path} page ${page} does not advance the id cursor`,
        );
      after = last;
    }
  }
}
