import type { HttpClient } from "./http.ts";
import type { ConnectorContext } from "./types.ts";

// OAuth2 tokens (client credentials, or Datto RMM's password grant): fetched when first needed,
// reused until a minute before they expire, dropped on a 401 so the next request fetches a new one.

export interface TokenRequest {
  /** Absolute token URL. */
  url: string;
  /** Sent as a form unless `json` is set (Pax8 takes JSON). */
  fields: Record<string, string>;
  json?: boolean;
  headers?: Record<string, string>;
}

/** `http` must be a client without auth headers (its own headers would ask for this token). */
export class TokenSource {
  private token: string | undefined;
  private expires = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly ctx: ConnectorContext,
    private readonly request: () => TokenRequest,
  ) {}

  async bearer(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.get()}` };
  }

  async get(): Promise<string> {
    if (this.token && this.ctx.now().getTime() < this.expires) return this.token;
    const r = this.request();
    const res = await this.http.request<Record<string, unknown>>("POST", r.url, {
      ...(r.json ? { json: r.fields } : { form: r.fields }),
      headers: r.headers,
      idempotent: true,
      sensitive: true,
    });
    const token = res.body?.access_token;
    if (typeof token !== "string" || token === "")
      throw new Error(`${this.http.opts.name}: the token answer holds no access_token`);
    this.ctx.redact(token);
    const seconds = Number(res.body?.expires_in ?? 3600);
    this.token = token;
    this.expires =
      this.ctx.now().getTime() + Math.max(0, (Number.isFinite(seconds) ? seconds : 3600) - 60) * 1000;
    return token;
  }

  invalidate(): void {
    this.token = undefined;
  }
}
