import { ConnectionError, UnknownOutcomeError } from "./errors.ts";
import { checkOutbound } from "./policy.ts";
import type { ConnectorContext } from "./types.ts";

// One HTTP client for every connector: auth headers, a sliding-window rate limit, Retry-After,
// backoff on 5xx and dropped connections for reads, and one token refresh on 401. Writes are sent
// once: if no clear answer comes, UnknownOutcomeError tells the sync layer to read before retrying.

export interface HttpOptions {
  /** Connection name, for error messages. */
  name: string;
  baseUrl: string;
  ctx: ConnectorContext;
  /** Headers of every request (auth); called before each attempt so refreshed tokens are used. */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
  /** Called once on a 401 before the request is tried again (drop a cached token). */
  onUnauthorized?: () => Promise<void> | void;
  /** At most `limit` requests per `windowMs`, counted by this client. */
  rateLimit?: { limit: number; windowMs: number };
  /** Attempts for a read (default 6). */
  attempts?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  json?: unknown;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** A read sent as POST (Autotask queries): safe to retry. GET is always safe. */
  idempotent?: boolean;
  /** Token requests: bodies are kept out of the exchange log. */
  sensitive?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_WAIT_MS = 5 * 60_000;

export class HttpClient {
  private readonly sent: number[] = [];

  constructor(readonly opts: HttpOptions) {}

  get<T = unknown>(path: string, query?: RequestOptions["query"]): Promise<HttpResponse<T>> {
    return this.request<T>("GET", path, { query });
  }

  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<HttpResponse<T>> {
    const safe = method === "GET" || o.idempotent === true;
    const attempts = safe ? (this.opts.attempts ?? 6) : 6;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      await this.throttle();
      const res = await this.send(method, path, o, attempt, safe);
      if (res.status === 0) {
        if (attempt >= attempts) throw new ConnectionError(String(res.body));
        await this.opts.ctx.sleep(backoff(attempt));
        continue;
      }
      if (res.status === 401 && this.opts.onUnauthorized && !refreshed) {
        refreshed = true;
        await this.opts.onUnauthorized();
        continue;
      }
      // A write answered 5xx may have been applied: only 429 (refused, not processed) is retried.
      const retry = res.status === 429 || (safe && RETRY_STATUS.has(res.status));
      if (retry && attempt < attempts) {
        await this.opts.ctx.sleep(this.waitMs(res.headers, attempt));
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res as HttpResponse<T>;
      if (res.status >= 300 && res.status < 400) throw this.redirected(method, path, res);
      const shown = new URL(this.url(path, undefined)).pathname;
      const what = this.opts.ctx.scrub(
        `${this.opts.name}: ${method} ${shown} answered ${res.status}${detail(res.body)}`,
      );
      if (!safe && res.status >= 500) throw new UnknownOutcomeError(what, res.status);
      throw new ConnectionError(what, res.status);
    }
  }

  private async send(
    method: string,
    path: string,
    o: RequestOptions,
    attempt: number,
    safe: boolean,
  ): Promise<HttpResponse> {
    const url = this.url(path, o.query);
    // Every address, also one an answer gave (Autotask's zone, a next-page link), goes through the policy.
    checkOutbound(this.opts.name, url);
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(await this.opts.headers?.()),
      ...o.headers,
    };
    // The credential as sent (Basic base64(a:b), Bearer token) is masked wherever an answer echoes it.
    for (const [k, v] of Object.entries(headers))
      if (/^(proxy-)?authorization$/i.test(k)) this.opts.ctx.redact(v);
    let body: string | undefined;
    if (o.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(o.json);
    } else if (o.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(o.form).toString();
    }
    const shown = url.pathname + url.search;
    const started = Date.now();
    const requestBody = o.sensitive ? undefined : (o.json ?? o.form);
    try {
      const res = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.opts.ctx.timeoutMs ?? 30_000),
        // A redirect could lead the credentials elsewhere (or to plain http): none is followed.
        redirect: "manual",
      });
      const text = await res.text();
      const parsed = parseBody(text);
      this.opts.ctx.exchange({
        method,
        path: shown,
        requestBody,
        status: res.status,
        responseBody: o.sensitive ? undefined : parsed,
        ms: Date.now() - started,
        attempt,
      });
      return { status: res.status, headers: res.headers, body: parsed };
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.opts.ctx.exchange({ method, path: shown, requestBody, error, ms: Date.now() - started, attempt });
      const what = this.opts.ctx.scrub(
        `${this.opts.name}: ${method} ${url.pathname} got no answer (${describeNetworkError(e)})`,
      );
      if (!safe) throw new UnknownOutcomeError(what);
      // No answer to a read: status 0, retried by `request` within the same count of attempts.
      return { status: 0, headers: new Headers(), body: what };
    }
  }

  private redirected(method: string, path: string, res: HttpResponse): ConnectionError {
    const shown = new URL(this.url(path, undefined)).pathname;
    let to = "elsewhere";
    try {
      to = new URL(res.headers.get("location") ?? "", this.url(path, undefined)).origin;
    } catch {}
    return new ConnectionError(
      this.opts.ctx.scrub(
        `${this.opts.name}: ${method} ${shown} answered ${res.status}, a redirect to ${to}: redirects are not followed (set the connection's url to the address the API answers at)`,
      ),
      res.status,
    );
  }

  private url(path: string, query: RequestOptions["query"]): URL {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(this.opts.baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private waitMs(headers: Headers, attempt: number): number {
    const after = headers.get("retry-after");
    if (after !== null) {
      const seconds = Number(after);
      if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_WAIT_MS);
      const at = Date.parse(after);
      if (!Number.isNaN(at)) return Math.min(Math.max(0, at - this.opts.ctx.now().getTime()), MAX_WAIT_MS);
    }
    return backoff(attempt);
  }

  /** Sliding window: waits until fewer than `limit` requests were sent in the last `windowMs`. */
  private async throttle(): Promise<void> {
    const rl = this.opts.rateLimit;
    if (!rl) return;
    for (;;) {
      const now = this.opts.ctx.now().getTime();
      while (this.sent.length > 0 && (this.sent[0] ?? 0) <= now - rl.windowMs) this.sent.shift();
      if (this.sent.length < rl.limit) {
        this.sent.push(now);
        return;
      }
      await this.opts.ctx.sleep((this.sent[0] ?? now) + rl.windowMs - now);
    }
  }
}

/** 1 s, 2 s, 4 s ... capped at 30 s. */
export function backoff(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 30_000);
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function detail(body: unknown): string {
  if (body === undefined || body === null) return "";
  const o = body as Record<string, unknown>;
  const msg =
    typeof body === "string"
      ? body
      : (o.message ??
        o.errorMessage ??
        o.error_description ??
        o.error ??
        o.errors ??
        o.detail ??
        o.title ??
        "");
  const text = typeof msg === "string" ? msg : JSON.stringify(msg);
  return text ? `: ${text.slice(0, 300)}` : "";
}

function describeNetworkError(e: unknown): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return "timed out";
  const cause = e instanceof Error ? (e.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (e instanceof Error ? e.message : String(e));
}
