import { createRequire } from "node:module";
import type { Config } from "../workspace/config.ts";
import type { YamlFile } from "../workspace/yaml.ts";
import { CONNECTORS } from "./index.ts";
import { type ConnectionPolicy, policyFromEnv, refusedUrl, refusedVariable } from "./policy.ts";

// What trueup.yaml says of its connections, checked against each connector: required settings and
// secrets are given, no secret is written in clear, a source asks a connection only for what it gives.

// cron-parser (and luxon under it) takes about 50 ms to load: only a workspace with a schedule pays it.
const requireCjs = createRequire(import.meta.url);
const cron = (): typeof import("cron-parser") => requireCjs("cron-parser");

export function checkConnections(
  config: Config,
  yaml: YamlFile,
  policy: ConnectionPolicy = policyFromEnv(),
): void {
  for (const conn of config.connections) {
    checkPolicy(conn, yaml, policy);
    const connector = CONNECTORS[conn.kind];
    const p = ["connections", conn.name];
    for (const f of connector.fields) {
      if (f.name === "url") continue;
      if (f.secret) {
        if (conn.settings[f.name] !== undefined)
          yaml.error(
            [...p, f.name],
            `secrets are not written in trueup.yaml: give ${f.name}Env: VARIABLE (the environment variable that holds it) or store it in the app`,
          );
        else if (f.required && conn.secretEnv[f.name] === undefined)
          yaml.warn(p, `no ${f.name}Env: the ${f.name} must then be stored in the app (trueup serve)`);
        continue;
      }
      const v = conn.settings[f.name];
      if (f.required && v === undefined)
        yaml.error(p, `"${f.name}" is required for a ${conn.kind} connection: ${f.help}`);
      if (v !== undefined && Boolean(f.list) !== Array.isArray(v))
        yaml.error([...p, f.name], f.list ? "expected a list" : "expected text, not a list");
    }
    const known = new Set(connector.fields.map((f) => f.name));
    for (const key of Object.keys(conn.settings))
      if (!known.has(key))
        yaml.warn([...p, key], `unknown key "${key}" of a ${conn.kind} connection is ignored`);
    for (const key of Object.keys(conn.secretEnv))
      if (!known.has(key))
        yaml.warn([...p, `${key}Env`], `unknown key "${key}Env" of a ${conn.kind} connection is ignored`);
    // A bad schedule would stop the app's scheduler for every connection: it is an error here.
    if (conn.schedule !== undefined) {
      try {
        cron().CronExpressionParser.parse(conn.schedule, { tz: "UTC" });
      } catch (e) {
        yaml.error(
          [...p, "schedule"],
          `not a cron expression (minute hour day month weekday, e.g. "0 2 * * *"): ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    if (!conn.url && !connector.defaultUrl && !connector.urlOptional)
      yaml.error(p, `"url" is required for a ${conn.kind} connection (the address of its API)`);
  }
  checkSources(config, yaml);
}

/** `*Env` names only variables the operator allowed; every address is https:// or an allowed host. */
function checkPolicy(conn: Config["connections"][number], yaml: YamlFile, policy: ConnectionPolicy): void {
  const p = ["connections", conn.name];
  for (const [name, variable] of Object.entries(conn.secretEnv)) {
    const why = refusedVariable(variable, policy);
    if (why) yaml.error([...p, `${name}Env`], `the variable ${variable} is refused: ${why}`);
  }
  const addresses: [string, unknown][] = [
    ["url", conn.url],
    ...Object.entries(conn.settings).filter(([k]) => /Url$/.test(k)),
  ];
  for (const [key, text] of addresses) {
    if (typeof text !== "string") continue;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      yaml.error([...p, key], `"${text}" is not an address (https://...)`);
      continue;
    }
    const why = refusedUrl(url, policy);
    if (why) yaml.error([...p, key], why);
  }
}

function checkSources(config: Config, yaml: YamlFile): void {
  for (const s of config.sources) {
    const conn = config.connections.find((c) => c.name === s.connection);
    if (!conn) continue;
    const connector = CONNECTORS[conn.kind];
    if (!connector.provides.includes(s.kind))
      yaml.error(
        ["sources", s.index, "kind"],
        `connection ${conn.name} (${connector.title}) gives ${connector.provides.join(", ")}, not ${s.kind}`,
      );
  }
}
