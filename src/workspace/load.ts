import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AccountIndex } from "../core/accounts.ts";
import type { ReconcileInput } from "../core/types.ts";
import { Fields } from "../formats/fields.ts";
import type { Format, Kind, RowContext, RowsByKind } from "../formats/format.ts";
import { findFormat, formatsFor } from "../formats/index.ts";
import { type Config, readConfig, type SourceConfig } from "./config.ts";
import { CsvError, firstInvalidUtf8, readCsv } from "./csv.ts";
import { type Issue, WorkspaceError } from "./issues.ts";
import { YamlFile } from "./yaml.ts";

export const CONFIG_FILE = "trueup.yaml";

export interface LoadOptions {
  /** Overrides the workspace's asOf. */
  asOf?: string;
  /** Today's date (UTC), the default asOf; the caller reads the clock, not the core. */
  today: string;
}

export interface Loaded {
  config?: Config;
  input?: ReconcileInput;
  /** Every error and warning, in file order. */
  issues: Issue[];
}

type Rows = { [K in Kind]: RowsByKind[K][] };

/** Reads a workspace into the core's input, collecting every problem instead of stopping at the first. */
export async function loadWorkspace(dir: string, opts: LoadOptions): Promise<Loaded> {
  const issues: Issue[] = [];
  let text: Buffer;
  try {
    text = await readFile(join(dir, CONFIG_FILE));
  } catch {
    issues.push({
      severity: "error",
      file: CONFIG_FILE,
      message: `not found in ${resolve(dir)}: is this a workspace? (trueup init DIR makes one)`,
    });
    return { issues };
  }
  if (!isUtf8(text)) {
    const line = text.subarray(0, firstInvalidUtf8(text)).toString("latin1").split("\n").length;
    issues.push({ severity: "error", file: CONFIG_FILE, line, message: "the file is not UTF-8" });
    return { issues };
  }
  const yaml = new YamlFile(CONFIG_FILE, text.toString("utf8"));
  if (yaml.value === null) {
    const message = "the file is empty: expected currency, services, bundles, clients and sources";
    issues.push({ severity: "error", file: CONFIG_FILE, line: 1, message });
    return { issues };
  }
  const config = readConfig(yaml);
  issues.push(...yaml.issues);
  if (!config) return { issues };

  const accounts = new AccountIndex(config.clients);
  const rows: Rows = { users: [], devices: [], deployments: [], licences: [], billing: [] };
  for (const source of config.sources) {
    const format = findFormat(source.format);
    if (!format || format.kind !== source.kind) {
      const known = formatsFor(source.kind).join(", ");
      issues.push({
        severity: "error",
        file: CONFIG_FILE,
        field: `sources[${source.index}].format`,
        message: `unknown ${source.kind} format "${source.format}" (known: ${known})`,
      });
      continue;
    }
    await readSource(
      dir,
      source,
      format,
      accounts,
      rows,
      issues,
      `${CONFIG_FILE}:${yaml.position(["sources", source.index, "file"]).line}`,
    );
  }
  checkDuplicateUsers(rows.users, issues);
  warnUnusedSources(config, issues);
  sortByLine(issues);

  if (issues.some((i) => i.severity === "error")) return { config, issues };
  const input: ReconcileInput = {
    currency: config.currency,
    asOf: opts.asOf ?? config.asOf ?? opts.today,
    rules: config.rules,
    services: config.services,
    bundles: config.bundles,
    clients: config.clients,
    users: rows.users,
    devices: rows.devices,
    deploymentRows: rows.deployments,
    licences: rows.licences,
    billing: rows.billing,
    sources: {
      users: config.sources.some((s) => s.kind === "users"),
      devices: config.sources.some((s) => s.kind === "devices"),
      billing: config.sources.some((s) => s.kind === "billing"),
      licenceVendors: new Set(
        config.sources.filter((s) => s.kind === "licences").map((s) => (s.vendor ?? "").toLowerCase()),
      ),
      deployments: new Set(
        config.sources.flatMap((s) => (s.kind === "deployments" && s.deployment ? [s.deployment] : [])),
      ),
    },
  };
  return { config, input, issues };
}

/** Like loadWorkspace, but a workspace with errors throws them all. */
export async function loadOrThrow(
  dir: string,
  opts: LoadOptions,
): Promise<{ input: ReconcileInput; warnings: Issue[] }> {
  const loaded = await loadWorkspace(dir, opts);
  if (!loaded.input) throw new WorkspaceError(loaded.issues.filter((i) => i.severity === "error"));
  return { input: loaded.input, warnings: loaded.issues };
}

function accountSystem(source: SourceConfig): string {
  switch (source.kind) {
    case "users":
      return source.vendor ?? "microsoft";
    case "devices":
      return "rmm";
    case "deployments":
      return source.deployment ?? "";
    case "licences":
      return source.vendor ?? "";
    case "billing":
      return "psa";
  }
}

async function readSource(
  dir: string,
  source: SourceConfig,
  format: Format<Kind>,
  accounts: AccountIndex,
  rows: Rows,
  issues: Issue[],
  namedAt: string,
): Promise<void> {
  const file = source.file;
  const system = accountSystem(source);
  const fixed = source.client;
  let fields: Fields | undefined;
  let width = 0;
  const ctx: RowContext = {
    ref: "",
    vendor: source.vendor,
    deployment: source.deployment,
    owner: (f) => {
      if (fixed !== undefined) return { client: fixed };
      const account = f.required("account");
      return account === undefined ? undefined : accounts.owner(system, account);
    },
  };
  try {
    for await (const record of readCsv(resolve(dir, file))) {
      if (!fields) {
        const index = headerIndex(record.fields, format.columns);
        const missing = format.columns.filter(
          (c) => c.required && !index.has(c.name) && !(c.name === "account" && fixed !== undefined),
        );
        for (const c of missing) {
          issues.push({
            severity: "error",
            file,
            line: 1,
            field: c.name,
            message: `missing required column "${c.name}" (the header has: ${record.fields.join(", ")})`,
          });
        }
        if (missing.length > 0) return;
        fields = new Fields(file, index, issues);
        width = record.fields.length;
        continue;
      }
      fields.reset(record.fields, record.line);
      if (record.fields.length !== width) {
        fields.error("", `has ${record.fields.length} values but the header has ${width} columns`);
        continue;
      }
      ctx.ref = `${file}:${record.line}`;
      const row = format.row(fields, ctx);
      if (row && fields.ok) (rows[source.kind] as unknown[]).push(row);
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    issues.push({
      severity: "error",
      file,
      line: e.line,
      message:
        e.message === "file not found"
          ? `file not found (named by sources[${source.index}].file at ${namedAt})`
          : e.message,
    });
  }
}

/** Column positions by name; names compare without regard to case or surrounding spaces. */
function headerIndex(header: readonly string[], columns: readonly { name: string }[]): Map<string, number> {
  const byLower = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!byLower.has(key)) byLower.set(key, i);
  });
  const index = new Map<string, number>();
  for (const c of columns) {
    const i = byLower.get(c.name.toLowerCase());
    if (i !== undefined) index.set(c.name, i);
  }
  return index;
}

/** Issues of one file in line order, files in the order they were read. */
function sortByLine(issues: Issue[]): void {
  const order = new Map<string, number>();
  for (const i of issues) if (!order.has(i.file)) order.set(i.file, order.size);
  issues.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || (a.line ?? 0) - (b.line ?? 0));
}

function checkDuplicateUsers(users: RowsByKind["users"][], issues: Issue[]): void {
  const seen = new Map<string, string>();
  for (const u of users) {
    const owner = "client" in u.owner ? u.owner.client : `${u.owner.system}:${u.owner.account.toLowerCase()}`;
    const key = `${owner}\u0000${u.upn.toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, u.ref);
      continue;
    }
    const [file, line] = splitRef(u.ref);
    issues.push({
      severity: "error",
      file,
      line,
      field: "upn",
      message: `UPN "${u.upn}" is listed twice for one client (first at ${first})`,
    });
  }
}

function splitRef(ref: string): [string, number] {
  const i = ref.lastIndexOf(":");
  return [ref.slice(0, i), Number(ref.slice(i + 1))];
}

function warnUnusedSources(config: Config, issues: Issue[]): void {
  for (const s of config.sources) {
    const field = `sources[${s.index}]`;
    if (
      s.kind === "deployments" &&
      s.deployment &&
      !config.services.some((sv) => sv.deployment === s.deployment)
    ) {
      issues.push({
        severity: "warning",
        file: CONFIG_FILE,
        field,
        message: `no service has deployment: ${s.deployment}, so this source proves no coverage`,
      });
    }
    const vendor = s.vendor?.toLowerCase();
    if (
      s.kind === "licences" &&
      vendor &&
      !config.services.some((sv) => sv.vendorSkus.some((v) => v.vendor.toLowerCase() === vendor))
    ) {
      issues.push({
        severity: "warning",
        file: CONFIG_FILE,
        field,
        message: `no service lists a SKU of vendor ${s.vendor}, so every row will be unmapped`,
      });
    }
  }
}
