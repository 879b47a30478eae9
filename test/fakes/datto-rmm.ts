import { basicAuth, type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake Datto RMM platform as its API v2 describes it: the password grant at /auth/oauth/token
// (Basic public-client:public), bearer tokens that expire, the API under /api with page/max paging
// and pageDetails.nextPageUrl (absolute, null on the last page), error bodies {timestamp, status,
// error, path}, and the account's limit of 600 requests per rolling 60 s (429 beyond it), counted by
// the test's clock.

export interface DattoSeed {
  apiKey: string;
  apiSecret: string;
  sites: { uid: string; name: string }[];
  /** Devices as the site device list gives them; siteUid says whose they are. */
  devices: ({ siteUid: string } & Record<string, unknown>)[];
}

export interface DattoOptions {
  /** The server's cap on `max` (Datto's is 250). */
  maxPage?: number;
  tokenSeconds?: number;
  /** API requests a token serves before the server drops it (a server-side expiry the client cannot foresee). */
  tokenUses?: number;
  now?: () => Date;
  /** Requests per 60 s under /api before 429. */
  limit?: number;
}

export interface Injection {
  match: (req: FakeRequest) => boolean;
  answer: FakeAnswer;
  times: number;
}

export interface DattoFake extends FakeServer {
  tokens: string[];
  /** The test clock's time of each request under /api, in order. */
  apiTimes: number[];
  /** How many requests were refused with 429 for the rate limit. */
  limited: number;
  expireTokens(): void;
  inject(i: Injection): void;
}

const WINDOW_MS = 60_000;

export async function startDattoFake(seed: DattoSeed, opts: DattoOptions = {}): Promise<DattoFake> {
  const now = opts.now ?? (() => new Date());
  const live = new Map<string, { until: number; uses: number }>();
  const injections: Injection[] = [];
  const state = { tokens: [] as string[], apiTimes: [] as number[], limited: 0, url: "" };

  function token(req: FakeRequest): FakeAnswer {
    const [user, pass] = basicAuth(req) ?? [];
    if (user !== "public-client" || pass !== "public")
      return json({ error: "unauthorized", error_description: "Full authentication is required" }, 401);
    const f = (req.body ?? {}) as Record<string, string>;
    if (f.grant_type !== "password")
      return json({ error: "unsupported_grant_type", error_description: "Unsupported grant type" }, 400);
    if (f.username !== seed.apiKey || f.password !== seed.apiSecret)
      return json({ error: "invalid_grant", error_description: "Bad credentials" }, 400);
    const t = `datto-token-${state.tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
    const seconds = opts.tokenSeconds ?? 360_000;
    state.tokens.push(t);
    live.set(t, { until: now().getTime() + seconds * 1000, uses: opts.tokenUses ?? Infinity });
    return json({ access_token: t, token_type: "bearer", expires_in: seconds, scope: "default" });
  }

  function overLimit(): boolean {
    const t = now().getTime();
    const inWindow = state.apiTimes.filter((x) => x > t - WINDOW_MS).length;
    state.apiTimes.push(t);
    return inWindow >= (opts.limit ?? 600);
  }

  function page(req: FakeRequest, key: string, items: unknown[]): FakeAnswer {
    const max = Math.min(Number(req.query.get("max") ?? 250), opts.maxPage ?? 250);
    const n = Number(req.query.get("page") ?? 0);
    const slice = items.slice(n * max, (n + 1) * max);
    const link = (p: number) => `${state.url}/api${req.path.slice(4)}?max=${max}&page=${p}`;
    const last = (n + 1) * max >= items.length;
    return json({
      pageDetails: {
        count: slice.length,
        totalCount: items.length,
        prevPageUrl: n > 0 ? link(n - 1) : null,
        nextPageUrl: last ? null : link(n + 1),
      },
      [key]: slice,
    });
  }

  function api(req: FakeRequest): FakeAnswer {
    if (overLimit()) {
      state.limited++;
      return failure(429, "Too Many Requests", req.path);
    }
    const h = req.headers.authorization ?? "";
    const entry = h.startsWith("Bearer ") ? live.get(h.slice(7)) : undefined;
    if (entry === undefined || now().getTime() >= entry.until || entry.uses <= 0)
      return failure(401, "Unauthorized", req.path);
    entry.uses--;
    if (req.method === "GET" && req.path === "/api/v2/account/sites") return page(req, "sites", seed.sites);
    const m = /^\/api\/v2\/site\/([^/]+)\/devices$/.exec(req.path);
    const uid = m ? decodeURIComponent(m[1] as string) : undefined;
    if (req.method === "GET" && uid !== undefined && seed.sites.some((s) => s.uid === uid))
      return page(
        req,
        "devices",
        seed.devices.filter((d) => d.siteUid === uid),
      );
    return failure(404, "Not Found", req.path);
  }

  const server = await startFake((req) => {
    const hit = injections.find((i) => i.times > 0 && i.match(req));
    if (hit) {
      hit.times--;
      return hit.answer;
    }
    if (req.method === "POST" && req.path === "/auth/oauth/token") return token(req);
    if (req.path.startsWith("/api/")) return api(req);
    return failure(404, "Not Found", req.path);
  });
  state.url = server.url;
  return {
    ...server,
    tokens: state.tokens,
    apiTimes: state.apiTimes,
    get limited() {
      return state.limited;
    },
    expireTokens: () => live.clear(),
    inject: (i) => injections.push(i),
  };
}

/** Datto RMM's error body (Spring's default). */
export function failure(status: number, error: string, path: string): FakeAnswer {
  return json({ timestamp: Date.now(), status, error, path }, status);
}
