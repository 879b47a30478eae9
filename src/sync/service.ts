import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Context, type ContextOptions, createContext } from "../connectors/context.ts";
import { ConnectionError } from "../connectors/errors.ts";
import { connectorOf, psaOf } from "../connectors/index.ts";
import { writeSnapshot } from "../connectors/snapshot.ts";
import type {
  CanonicalRow,
  Connection,
  PsaBilling,
  PsaConnector,
  PsaLine,
  PullResult,
} from "../connectors/types.ts";
import { reconcile } from "../core/reconcile.ts";
import { reportToJson } from "../core/report.ts";
import type { Config } from "../workspace/config.ts";
import { WorkspaceError } from "../workspace/issues.ts";
import { CONFIG_FILE, checkConfig, loadOrThrow } from "../workspace/load.ts";
import { type Plan, type PlanDecision, type PlanReport, planSync } from "./plan.ts";
import { pricesOn } from "./prices.ts";

// The steps the CLI and the app share: pull a connection, and plan a PSA sync from a reconciliation
// made with the PSA's lines as they stand now.

/** Pulls one connection; a failure of the outside system is a ConnectionError with no secret in it. */
export async function pullConnection(conn: Connection, opts: ContextOptions = {}): Promise<PullResult> {
  const ctx = createContext(conn, opts);
  return scrubbed(ctx, () => connectorOf(conn.kind).pull(conn, ctx));
}

/** Runs `f`; any error leaves with every secret the context saw replaced by ***. */
export async function scrubbed<T>(ctx: Context, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof ConnectionError) {
      e.message = ctx.scrub(e.message);
      throw e;
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new ConnectionError(ctx.scrub(message));
  }
}

/** The workspace's trueup.yaml, checked; a bad one throws every error. */
export async function workspaceConfig(dir: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(join(dir, CONFIG_FILE), "utf8");
  } catch {
    throw new WorkspaceError([{ severity: "error", file: CONFIG_FILE, message: `not found in ${dir}` }]);
  }
  const { config, issues } = checkConfig(text);
  if (!config || issues.some((i) => i.severity === "error"))
    throw new WorkspaceError(issues.filter((i) => i.severity === "error"));
  return config;
}

export class SyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncError";
  }
}

export function findConnection(config: Config, name: string): Connection {
  const conn = config.connections.find((c) => c.name === name);
  if (!conn) {
    const known = config.connections.map((c) => c.name).join(", ") || "none";
    throw new SyncError(`no connection "${name}" in trueup.yaml (connections: ${known})`);
  }
  return conn;
}

/** The connection, which must be a PSA that a billing source reads. */
export function psaConnection(config: Config, name: string): { conn: Connection; psa: PsaConnector } {
  const conn = findConnection(config, name);
  const psa = psaOf(conn.kind);
  if (!psa)
    throw new SyncError(`connection ${name} is ${conn.kind}, not a PSA (connectwise, autotask or halopsa)`);
  if (!config.sources.some((s) => s.kind === "billing" && s.connection === name))
    throw new SyncError(
      `no billing source reads connection ${name}: add "- { kind: billing, connection: ${name} }" to sources`,
    );
  return { conn, psa };
}

export function billingRows(lines: readonly PsaLine[]): CanonicalRow[] {
  return lines.map((l) => ({
    account: l.account,
    product: l.product,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    agreement: l.agreement,
    lineId: l.id,
  }));
}

export interface PlanOptions {
  effective: string;
  includePrices: boolean;
  today: string;
  asOf?: string;
  context?: ContextOptions;
  /** The decisions that hold (store.decisions()): dismissed differences are left as agreed. */
  decisions?: readonly PlanDecision[];
}

/**
 * Reads the PSA's billing now, keeps it as the connection's pull (so the reconciliation compares with
 * the very lines the plan will write), reconciles the workspace and plans.
 */
export async function planWorkspace(
  dir: string,
  name: string,
  opts: PlanOptions,
): Promise<{ plan: Plan; billing: PsaBilling; config: Config }> {
  const config = await workspaceConfig(dir);
  const { conn, psa } = psaConnection(config, name);
  const ctx = createContext(conn, opts.context);
  const billing = await scrubbed(ctx, () => psa.readBilling(conn, ctx, opts.effective));
  await writeSnapshot(
    dir,
    conn,
    { rows: { billing: billingRows(billing.lines) }, counts: billing.counts },
    ctx.now(),
  );
  const { input } = await loadOrThrow(dir, { today: opts.today, asOf: opts.asOf });
  // The report as a run stores it: the decisions compare a finding's figures as written there.
  const report = reportToJson(reconcile(input)) as PlanReport;
  return { plan: planFromReport(config, report, billing, opts), billing, config };
}

export function planFromReport(
  config: Config,
  report: PlanReport,
  billing: PsaBilling,
  opts: { effective: string; includePrices: boolean; decisions?: readonly PlanDecision[] },
): Plan {
  return planSync({
    // Prices are planned as contracted on the effective date (a price rise from that date on).
    report: opts.includePrices ? pricesOn(report, config, opts.effective) : report,
    clients: config.clients,
    services: config.services,
    bundles: config.bundles,
    billing,
    effective: opts.effective,
    includePrices: opts.includePrices,
    decisions: opts.decisions,
  });
}
