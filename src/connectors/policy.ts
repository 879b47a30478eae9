import { ConnectionError } from "./errors.ts";

// What the operator lets connections reach: which environment variables a `*Env` key may name, and
// which hosts may be called over plain http. Both come from the environment of the process (the
// server's or the CLI's), never from trueup.yaml: whoever edits the catalogue cannot widen them.
// See docs/security.md.

/** Comma-separated prefixes a `*Env` variable must start with (default TRUEUP_CONN_). */
export const ENV_PREFIX_VARIABLE = "TRUEUP_CONN_ENV_PREFIX";
/** Comma-separated hosts that may be called over http:// (default none: https:// only). */
export const HTTP_HOSTS_VARIABLE = "TRUEUP_ALLOW_HTTP_HOSTS";
export const DEFAULT_ENV_PREFIX = "TRUEUP_CONN_";

/** Never readable by a connection, whatever the prefixes: the server's own keys and data. */
const NEVER = new Set([
  "TRUEUP_SECRET_KEY",
  "DATABASE_URL",
  "TRUEUP_DATA",
  "TRUEUP_TEST_DATABASE_URL",
  ENV_PREFIX_VARIABLE,
  HTTP_HOSTS_VARIABLE,
]);

export interface ConnectionPolicy {
  envPrefixes: string[];
  httpHosts: string[];
}

function list(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionPolicy {
  const prefixes = list(env[ENV_PREFIX_VARIABLE]);
  return {
    envPrefixes: prefixes.length > 0 ? prefixes : [DEFAULT_ENV_PREFIX],
    httpHosts: list(env[HTTP_HOSTS_VARIABLE]).map((h) => h.toLowerCase().replace(/^\[|\]$/g, "")),
  };
}

/** Why a connection may not read this variable, or undefined when it may. */
export function refusedVariable(
  variable: string,
  policy: ConnectionPolicy = policyFromEnv(),
): string | undefined {
  if (NEVER.has(variable.toUpperCase()))
    return `${variable} belongs to Trueup itself and is never given to a connection`;
  if (!policy.envPrefixes.some((p) => variable.startsWith(p)))
    return `a connection may only read variables starting with ${policy.envPrefixes.join(" or ")} (${ENV_PREFIX_VARIABLE})`;
  return undefined;
}

/** Why a request to this address is refused, or undefined when it may go out. */
export function refusedUrl(url: URL, policy: ConnectionPolicy = policyFromEnv()): string | undefined {
  if (url.protocol === "https:") return undefined;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (url.protocol === "http:" && policy.httpHosts.includes(host)) return undefined;
  if (url.protocol === "http:")
    return `${url.protocol}//${url.host} is not https:// (allow plain http to this host with ${HTTP_HOSTS_VARIABLE}=${host})`;
  return `${url.protocol} addresses are not called: connections use https://`;
}

/** Throws a ConnectionError when `url` may not be called. */
export function checkOutbound(connection: string, url: URL, policy?: ConnectionPolicy): void {
  const why = refusedUrl(url, policy);
  if (why) throw new ConnectionError(`${connection}: refused to call ${url.origin}: ${why}`);
}

type ConnectionShape = {
  name: string;
  kind: string;
  url?: string;
  schedule?: string;
  settings: Record<string, unknown>;
  secretEnv: Record<string, string>;
};

/** The keys (`connections.NAME.url`) in which two lists of connections differ; [] when equal. */
export function connectionEdits(
  before: readonly ConnectionShape[],
  after: readonly ConnectionShape[],
): string[] {
  const out: string[] = [];
  const names = [...new Set([...before, ...after].map((c) => c.name))];
  for (const name of names) {
    const a = before.find((c) => c.name === name);
    const b = after.find((c) => c.name === name);
    if (!a || !b) {
      out.push(`connections.${name}`);
      continue;
    }
    const fields = (c: ConnectionShape): Record<string, unknown> => ({
      kind: c.kind,
      url: c.url,
      schedule: c.schedule,
      ...c.settings,
      ...Object.fromEntries(Object.entries(c.secretEnv).map(([k, v]) => [`${k}Env`, v])),
    });
    const fa = fields(a);
    const fb = fields(b);
    for (const key of new Set([...Object.keys(fa), ...Object.keys(fb)]))
      if (JSON.stringify(fa[key]) !== JSON.stringify(fb[key])) out.push(`connections.${name}.${key}`);
  }
  return out;
}
