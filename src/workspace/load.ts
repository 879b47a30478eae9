import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { checkConnections } from "../connectors/check.ts";
import { AccountIndex } from "../core/accounts.ts";
import type { Owner, ReconcileInput } from "../core/types.ts";
import type { RowsByKind } from "../formats/format.ts";
import { findFormat, formatsFor } from "../formats/index.ts";
import { skuNameKey } from "../formats/microsoft-skus.ts";
import { type Config, readConfig, type SourceConfig } from "./config.ts";
import { type CsvRecord, firstInvalidUtf8, readCsv } from "./csv.ts";
import { type Issue, WorkspaceError } from "./issues.ts";
import { readSource, type SourceRows, type SourceSummary, splitRef } from "./source.ts";
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
  /** trueup.yaml as read, when it could be read. */
  yamlText?: string;
  /** Per source read: rows read, rows left out by reason, the date order used. */
  summaries?: SourceSummary[];
}

export type { SourceRows, SourceSummary } from "./source.ts";

/**
 * Where a source's CSV records come from: its file in the workspace folder, or an import stored in
 * the database. Either way the rows go through the same formats and checks, so both give one report.
 */
export type RecordsOf = (source: SourceConfig) => AsyncIterable<CsvRecord>;

export function fileRecords(dir: string): RecordsOf {
  return (source) => readCsv(resolve(dir, source.file));
}

/** Reads a workspace into the core's input, collecting every problem instead of stopping at the first. */
export async function loadWorkspace(
  dir: string,
  opts: LoadOptions,
  recordsOf: RecordsOf = fileRecords(dir),
): Promise<Loaded> {
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
  const yamlText = text.toString("utf8");
  const { config, yaml, issues: configIssues } = checkConfig(yamlText);
  issues.push(...configIssues);
  if (!config) return { issues, yamlText };

  const summaries: SourceSummary[] = [];
  const namedAt = (s: SourceConfig) => `${CONFIG_FILE}:${yaml.position(["sources", s.index, "file"]).line}`;
  const rows = await loadSources(config, recordsOf, issues, namedAt, summaries);
  sortIssues(issues);
  if (issues.some((i) => i.severity === "error")) return { config, issues, yamlText, summaries };
  return {
    config,
    input: buildInput(config, rows, opts.asOf ?? config.asOf ?? opts.today),
    issues,
    yamlText,
    summaries,
  };
}

/**
 * trueup.yaml's text -> the configuration, checked as `validate` checks it: syntax, keys, values,
 * references and each source's format (not the source files). No config when it cannot be read.
 */
export function checkConfig(text: string): { config?: Config; yaml: YamlFile; issues: Issue[] } {
  const yaml = new YamlFile(CONFIG_FILE, text);
  if (yaml.value === null) {
    const message = "the file is empty: expected currency, services, bundles, clients and sources";
    return { yaml, issues: [{ severity: "error", file: CONFIG_FILE, line: 1, message }] };
  }
  const config = readConfig(yaml);
  if (!config) return { yaml, issues: [...yaml.issues] };
  for (const source of config.sources) {
    const format = findFormat(source.format);
    if (format && format.kind === source.kind) continue;
    const known = formatsFor(source.kind).join(", ");
    yaml.error(
      ["sources", source.index, "format"],
      `unknown ${source.kind} format "${source.format}" (known: ${known})`,
    );
  }
  checkConnections(config, yaml);
  warnUnusedSources(config, yaml);
  warnInvoiceOnly(config, yaml);
  const issues = [...yaml.issues];
  sortIssues(issues);
  return { config, yaml, issues };
}

/**
 * Maps every source's records through its format, every bad value an issue with its file and line.
 * Sources of an unknown format are skipped: checkConfig reports them.
 */
export async function loadSources(
  config: Config,
  recordsOf: RecordsOf,
  issues: Issue[],
  namedAt?: (source: SourceConfig) => string,
  summaries?: SourceSummary[],
): Promise<SourceRows> {
  const accounts = new AccountIndex(config.clients);
  const skuNames = new Map(
    Object.entries(config.skuNames ?? {}).map(([name, part]) => [skuNameKey(name), part] as const),
  );
  const options = { dateFormat: config.dateFormat, skuNames, summaries, lineTexts: [] };
  const rows: SourceRows = { users: [], devices: [], deployments: [], licences: [], billing: [] };
  for (const source of config.sources) {
    const format = findFormat(source.format);
    if (!format || format.kind !== source.kind) continue;
    // Where trueup.yaml names the file: asked only for a file that is not found.
    const where = () => namedAt?.(source) ?? CONFIG_FILE;
    await readSource(recordsOf(source), source, format, accounts, rows, issues, where, options);
  }
  checkDuplicateUsers(rows.users, issues);
  return rows;
}

/** The core's input from a checked configuration and its sources' rows. */
export function buildInput(config: Config, rows: SourceRows, asOf: string): ReconcileInput {
  return {
    currency: config.currency,
    asOf,
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

/** Issues of one file in line order, files in the order they were read. */
export function sortIssues(issues: Issue[]): void {
  const order = new Map<string, number>();
  for (const i of issues) if (!order.has(i.file)) order.set(i.file, order.size);
  issues.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || (a.line ?? 0) - (b.line ?? 0));
}

function checkDuplicateUsers(users: RowsByKind["users"][], issues: Issue[]): void {
  // Per owner (one map per client, or per unmapped account), the first ref of each UPN.
  const byOwner = new Map<string, Map<string, string>>();
  const ownerMaps = new Map<Owner, Map<string, string>>();
  for (const u of users) {
    let seen = ownerMaps.get(u.owner);
    if (!seen) {
      const o = u.owner;
      const owner = "client" in o ? o.client : `${o.system}:${o.account.toLowerCase()}`;
      seen = byOwner.get(owner);
      if (!seen) {
        seen = new Map();
        byOwner.set(owner, seen);
      }
      ownerMaps.set(o, seen);
    }
    const key = u.upn.toLowerCase();
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

/**
 * An invoice's reconciliation file lists a subscription billed annually or up front only in the
 * months it is charged: as a vendor's only licence source it misses those seats in other months.
 */
function warnInvoiceOnly(config: Config, yaml: YamlFile): void {
  const licences = config.sources.filter((s) => s.kind === "licences");
  for (const s of licences) {
    if (s.format !== "partner-center-reconciliation") continue;
    const vendor = (s.vendor ?? "").toLowerCase();
    const same = licences.filter((o) => (o.vendor ?? "").toLowerCase() === vendor);
    if (same.some((o) => o.format !== "partner-center-reconciliation")) continue;
    const services = config.services
      .filter((sv) => sv.vendorSkus.some((v) => v.vendor.toLowerCase() === vendor))
      .map((sv) => sv.id);
    if (services.length === 0) continue;
    yaml.warn(
      ["sources", s.index],
      `a Partner Center invoice file is the only licence source of ${s.vendor} (services ${services.join(", ")}): subscriptions billed annually or up front appear only in the months they are charged, so their seats are missing in other months; add a source of the seats in force (pax8-subscriptions, or an msgraph connection's subscribed SKUs)`,
    );
  }
}

function warnUnusedSources(config: Config, yaml: YamlFile): void {
  for (const s of config.sources) {
    if (
      s.kind === "deployments" &&
      s.deployment &&
      !config.services.some((sv) => sv.deployment === s.deployment)
    ) {
      yaml.warn(
        ["sources", s.index],
        `no service has deployment: ${s.deployment}, so this source proves no coverage`,
      );
    }
    const vendor = s.vendor?.toLowerCase();
    if (
      s.kind === "licences" &&
      vendor &&
      !config.services.some((sv) => sv.vendorSkus.some((v) => v.vendor.toLowerCase() === vendor))
    ) {
      yaml.warn(
        ["sources", s.index],
        `no service lists a SKU of vendor ${s.vendor}, so every row will be unmapped`,
      );
    }
  }
}
