import { ConnectionError, MissingSecretError } from "./errors.ts";
import { type ConnectionPolicy, policyFromEnv, refusedVariable } from "./policy.ts";
import type { Connection, ConnectorContext, Exchange, SandboxBook } from "./types.ts";

export interface ContextOptions {
  /** Secrets stored in the app's database (decrypted), tried before the environment. */
  stored?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  onExchange?: (e: Exchange) => void;
  onProgress?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  timeoutMs?: number;
  /** Which variables `*Env` may name (default: from the process environment). */
  policy?: ConnectionPolicy;
  /** The sandbox PSA's lines (the app's database), for connections of kind `sandbox`. */
  sandbox?: SandboxBook;
}

export interface Context extends ConnectorContext {
  /** Replaces every secret value (and every token registered with `redact`) by `***`. */
  scrub(text: string): string;
  redact(value: string): void;
}

/** The context a connector runs in: secrets resolved lazily, every exchange scrubbed before it leaves. */
export function createContext(conn: Connection, opts: ContextOptions = {}): Context {
  const env = opts.env ?? process.env;
  const secrets = new Set<string>();
  const hide = (value: string) => {
    for (const form of derivedForms(value)) if (form.length >= 4) secrets.add(form);
  };
  const scrub = (text: string): string => {
    let out = text;
    // Longest first: a secret inside another (a key inside its Basic token) must not break the longer.
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
    return out;
  };
  // Value by value, not over JSON text: there a secret holding " or \ is escaped (and missed), and
  // one matching JSON punctuation would break the text.
  const scrubValue = (v: unknown): unknown => {
    if (typeof v === "string") return scrub(v);
    if (typeof v === "number") {
      const text = String(v);
      return scrub(text) === text ? v : scrub(text);
    }
    if (Array.isArray(v)) return v.map(scrubValue);
    const json = (v as { toJSON?: () => unknown } | null)?.toJSON;
    if (typeof json === "function") return scrubValue(json.call(v));
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), scrubValue(x)]));
    return v;
  };
  return {
    secret(name) {
      const variable = conn.secretEnv[name];
      const stored = opts.stored?.[name];
      if (stored === undefined && variable) {
        const why = refusedVariable(variable, opts.policy ?? policyFromEnv());
        if (why)
          throw new ConnectionError(`connection ${conn.name}: ${name}Env ${variable} is refused: ${why}`);
      }
      const value = stored ?? (variable ? env[variable] : undefined);
      if (value === undefined || value === "") throw new MissingSecretError(conn.name, name, variable);
      hide(value);
      return value;
    },
    redact: hide,
    scrub,
    sandbox: opts.sandbox,
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: opts.now ?? (() => new Date()),
    exchange(e) {
      opts.onExchange?.({
        ...e,
        path: scrub(e.path),
        requestBody: scrubValue(e.requestBody),
        responseBody: scrubValue(e.responseBody),
        error: e.error === undefined ? undefined : scrub(e.error),
      });
    },
    progress(message) {
      opts.onProgress?.(message);
    },
    timeoutMs: opts.timeoutMs,
  };
}

/**
 * A value and the forms it takes on the wire, each masked: URL- and form-encoded, JSON-escaped,
 * base64 (alone, and as the part after the scheme of an Authorization header: `Basic base64(a:b)`,
 * `Bearer token`), so that an API echoing a request back does not reveal it.
 */
export function derivedForms(value: string): string[] {
  const forms = new Set([value]);
  const scheme = /^(Basic|Bearer|Token|ApiToken|Digest)\s+(.+)$/i.exec(value);
  if (scheme?.[2]) forms.add(scheme[2]);
  for (const v of [...forms]) {
    forms.add(encodeURIComponent(v));
    forms.add(new URLSearchParams({ v }).toString().slice(2));
    forms.add(JSON.stringify(v).slice(1, -1));
    const b64 = Buffer.from(v, "utf8").toString("base64");
    forms.add(b64);
    forms.add(b64.replace(/=+$/, ""));
    forms.add(b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  }
  return [...forms];
}

/** The same context with every exchange counted (one per request sent, retries included). */
export function counting(outer: ConnectorContext): { ctx: ConnectorContext; requests: () => number } {
  let n = 0;
  const ctx: ConnectorContext = {
    secret: (name) => outer.secret(name),
    sleep: (ms) => outer.sleep(ms),
    now: () => outer.now(),
    exchange: (e) => {
      n++;
      outer.exchange(e);
    },
    progress: (message) => outer.progress(message),
    timeoutMs: outer.timeoutMs,
    redact: (value) => outer.redact(value),
    scrub: (text) => outer.scrub(text),
  };
  return { ctx, requests: () => n };
}
