import { type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake NinjaOne instance as its Public API 2.0 describes it: OAuth client credentials at
// /ws/oauth/token, bearer tokens that expire (by the test's clock, or when the test says), lists as
// plain JSON arrays paged by pageSize and `after` (the last id of the previous page), and errors in
// NinjaOne's shapes ({error, error_description} from OAuth, {resultCode, errorMessage, incidentId}
// from the API).

export interface NinjaSeed {
  clientId: string;
  clientSecret: string;
  organizations: { id: number; name: string }[];
  /** Devices as /v2/devices-detailed gives them (any fields); each needs a numeric id. */
  devices: ({ id: number } & Record<string, unknown>)[];
}

export interface NinjaOptions {
  /** The server's own cap on pageSize (the client asks for more). */
  maxPageSize?: number;
  /** Token lifetime in seconds (expires_in). */
  tokenSeconds?: number;
  /** API requests a token serves before the server drops it (a server-side expiry the client cannot foresee). */
  tokenUses?: number;
  now?: () => Date;
}

/** A scripted answer for requests `match` accepts, `times` times (the first such requests). */
export interface Injection {
  match: (req: FakeRequest) => boolean;
  answer: FakeAnswer;
  times: number;
}

export interface NinjaFake extends FakeServer {
  /** Access tokens issued so far. */
  tokens: string[];
  /** Makes every issued token invalid, as if it expired on the server's side. */
  expireTokens(): void;
  inject(i: Injection): void;
}

export async function startNinjaFake(seed: NinjaSeed, opts: NinjaOptions = {}): Promise<NinjaFake> {
  const now = opts.now ?? (() => new Date());
  const live = new Map<string, { until: number; uses: number }>();
  const tokens: string[] = [];
  const injections: Injection[] = [];

  function token(req: FakeRequest): FakeAnswer {
    const f = (req.body ?? {}) as Record<string, string>;
    if (f.grant_type !== "client_credentials")
      return json({ error: "unsupported_grant_type", error_description: "grant type not supported" }, 400);
    if (f.client_id !== seed.clientId || f.client_secret !== seed.clientSecret)
      return json({ error: "invalid_client", error_description: "Invalid client credentials" }, 401);
    if (!(f.scope ?? "").split(" ").includes("monitoring"))
      return json({ error: "invalid_scope", error_description: "monitoring scope required" }, 400);
    const t = `ninja-token-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
    const seconds = opts.tokenSeconds ?? 3600;
    tokens.push(t);
    live.set(t, { until: now().getTime() + seconds * 1000, uses: opts.tokenUses ?? Infinity });
    return json({ access_token: t, token_type: "Bearer", expires_in: seconds, scope: "monitoring" });
  }

  function authorised(req: FakeRequest): boolean {
    const h = req.headers.authorization ?? "";
    const entry = h.startsWith("Bearer ") ? live.get(h.slice(7)) : undefined;
    if (entry === undefined || now().getTime() >= entry.until || entry.uses <= 0) return false;
    entry.uses--;
    return true;
  }

  function page<T extends { id: number }>(req: FakeRequest, items: T[]): FakeAnswer {
    const asked = Number(req.query.get("pageSize") ?? 50);
    const size = Math.min(asked, opts.maxPageSize ?? 1000);
    const after = req.query.has("after") ? Number(req.query.get("after")) : -Infinity;
    const sorted = [...items].sort((a, b) => a.id - b.id);
    return json(sorted.filter((x) => x.id > after).slice(0, size));
  }

  const server = await startFake((req) => {
    const hit = injections.find((i) => i.times > 0 && i.match(req));
    if (hit) {
      hit.times--;
      return hit.answer;
    }
    if (req.method === "POST" && req.path === "/ws/oauth/token") return token(req);
    if (!authorised(req)) return failure(401, "Unauthorized");
    if (req.method === "GET" && req.path === "/v2/organizations") return page(req, seed.organizations);
    if (req.method === "GET" && req.path === "/v2/devices-detailed") return page(req, seed.devices);
    return failure(404, "HTTP 404 Not Found");
  });
  return {
    ...server,
    tokens,
    expireTokens: () => live.clear(),
    inject: (i) => injections.push(i),
  };
}

/** NinjaOne's API error body. */
export function failure(status: number, message: string): FakeAnswer {
  return json(
    { resultCode: "FAILURE", errorMessage: message, incidentId: `WEB_MGMT_SERVICE-${status}-FAKE` },
    status,
  );
}
