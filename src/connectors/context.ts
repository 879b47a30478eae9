import { MissingSecretError } from "./errors.ts";
import type { Connection, ConnectorContext, Exchange } from "./types.ts";

export interface ContextOptions {
  /** Secrets stored in the app's database (decrypted), tried before the environment. */
  stored?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  onExchange?: (e: Exchange) => void;
  onProgress?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  timeoutMs?: number;
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
  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***");
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
      const value = opts.stored?.[name] ?? (variable ? env[variable] : undefined);
      if (value === undefined || value === "") throw new MissingSecretError(conn.name, name, variable);
      secrets.add(value);
      return value;
    },
    redact(value) {
      secrets.add(value);
    },
    scrub,
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
