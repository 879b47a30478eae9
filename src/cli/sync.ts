import type { Command } from "commander";
import { createContext } from "../connectors/context.ts";
import { ConnectionError } from "../connectors/errors.ts";
import type { Store, SyncPlanView } from "../store/store.ts";
import { applyPlan } from "../sync/apply.ts";
import { nextMonth } from "../sync/plan.ts";
import { planWorkspace, psaConnection, SyncError, workspaceConfig } from "../sync/service.ts";
import { formatIssue, WorkspaceError } from "../workspace/issues.ts";
import { isIsoDate } from "../workspace/reader.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { CLI, DATABASE_HELP, withStore } from "./store.ts";
import { historyText, planText } from "./sync-text.ts";

interface PlanOptions {
  workspace: string;
  connection: string;
  effective?: string;
  includePrices?: boolean;
  format?: string;
  asOf?: string;
}

interface ApplyOptions {
  workspace: string;
  connection: string;
  yes?: boolean;
}

export function syncCommand(program: Command, io: Io, run: Runner): void {
  const sync = program
    .command("sync")
    .description(
      "Make the PSA bill what Trueup derived: plan the changes, approve them, apply them exactly once.",
    );
  sync
    .command("plan")
    .description("Read the PSA's lines now, reconcile, and save the changes that would make the PSA match.")
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .requiredOption("-c, --connection <name>", "the PSA connection (connectwise, autotask or halopsa)")
    .option(
      "--effective <date>",
      "date the new quantities bill from, YYYY-MM-DD (default: the 1st of next month)",
    )
    .option("--include-prices", "also set unit prices to the contracted prices")
    .option("--as-of <date>", "reconcile as of this date (default: the workspace's asOf, else today)")
    .option("--format <format>", "table (default on a terminal) or json")
    .addHelpText(
      "after",
      `${DATABASE_HELP}\nExample:\n  trueup sync plan --workspace my-msp --connection cw\n`,
    )
    .action(run((opts) => runSyncPlan(io, opts as PlanOptions)));
  sync
    .command("apply")
    .description(
      "Approve every planned change (--yes) and apply the latest plan; safe to run again after any failure.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .requiredOption("-c, --connection <name>", "the PSA connection")
    .option("--yes", "approve the plan's pending changes and apply them")
    .addHelpText(
      "after",
      `${DATABASE_HELP}\nExit status 3 when a change was left unapplied (a conflict, or the PSA failing: run apply again).\n`,
    )
    .action(run((opts) => runSyncApply(io, opts as ApplyOptions)));
  sync
    .command("history")
    .description("Every plan, approval, request sent, PSA answer and outcome, oldest first.")
    .option("-c, --connection <name>", "only this connection")
    .option("--plan <id>", "only this plan")
    .option("--format <format>", "table (default on a terminal) or json")
    .action(
      run((opts) => runSyncHistory(io, opts as { connection?: string; plan?: string; format?: string })),
    );
}

export async function runSyncPlan(io: Io, opts: PlanOptions): Promise<number> {
  const format = opts.format ?? (io.isTty ? "table" : "json");
  if (!["table", "json"].includes(format))
    return usage(io, `--format must be table or json, not "${format}"`);
  const effective = opts.effective ?? nextMonth(io.today());
  if (!isIsoDate(effective))
    return usage(io, `--effective must be a date as YYYY-MM-DD, not "${opts.effective}"`);
  if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
    return usage(io, `--as-of must be a date as YYYY-MM-DD`);
  return guarded(io, async () =>
    withStore(io, async (store) => {
      // The decisions people took in this database (the app's, or the CLI's own) drive the plan.
      const { plan } = await planWorkspace(opts.workspace, opts.connection, {
        effective,
        includePrices: opts.includePrices === true,
        today: io.today(),
        asOf: opts.asOf,
        context: { onProgress: (m) => io.err(`${opts.connection}: ${m}\n`), sandbox: store.sandboxBook() },
        decisions: await store.decisions(),
      });
      const saved = await store.saveSyncPlan(opts.connection, plan, CLI);
      io.out(format === "json" ? `${JSON.stringify(saved, null, 2)}\n` : planText(saved));
      if (format !== "json")
        io.err(
          `Saved as plan ${saved.id}. Apply it with: trueup sync apply --workspace ${opts.workspace} --connection ${opts.connection} --yes\n`,
        );
      return 0;
    }),
  );
}

export async function runSyncApply(io: Io, opts: ApplyOptions): Promise<number> {
  return guarded(io, async () => {
    const config = await workspaceConfig(opts.workspace);
    const { conn, psa } = psaConnection(config, opts.connection);
    return withStore(io, async (store) => {
      const plan = await openPlan(store, opts.connection);
      if (!opts.yes) {
        io.out(planText(plan));
        return usage(io, "nothing applied: add --yes to approve these changes and apply them");
      }
      await store.decideChanges(plan.id, "all", "approved", CLI);
      const result = await store.withApplyLock(opts.connection, async () =>
        applyPlan((await store.syncPlan(plan.id)) as SyncPlanView, {
          store,
          connector: psa,
          conn,
          context: (onExchange) => createContext(conn, { onExchange, sandbox: store.sandboxBook() }),
          actor: CLI.name,
          progress: (m) => io.err(`${m}\n`),
        }),
      );
      io.out(
        `Plan ${plan.id}: ${result.applied} applied, ${result.alreadyDone} already right in the PSA, ` +
          `${result.conflicts} conflicts, ${result.failed} failed (run apply again), ` +
          `${result.notApproved} left for a person to choose, ${result.finished} finished before.\n`,
      );
      return result.conflicts + result.failed > 0 ? 3 : 0;
    });
  });
}

export async function runSyncHistory(
  io: Io,
  opts: { connection?: string; plan?: string; format?: string },
): Promise<number> {
  const format = opts.format ?? (io.isTty ? "table" : "json");
  if (!["table", "json"].includes(format))
    return usage(io, `--format must be table or json, not "${format}"`);
  const planId = opts.plan === undefined ? undefined : Number(opts.plan);
  if (planId !== undefined && !Number.isInteger(planId)) return usage(io, `--plan must be a plan number`);
  return withStore(io, async (store) => {
    const page = await store.syncHistory({ connection: opts.connection, planId, limit: 100_000, offset: 0 });
    io.out(format === "json" ? `${JSON.stringify(page.items, null, 2)}\n` : historyText(page.items));
    return 0;
  });
}

async function openPlan(store: Store, connection: string): Promise<SyncPlanView> {
  const plan = await store.latestSyncPlan(connection);
  if (!plan) throw new SyncError(`no plan for ${connection} yet: run trueup sync plan first`);
  return plan;
}

async function guarded(io: Io, f: () => Promise<number>): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof WorkspaceError) {
      io.err(`trueup: the workspace has errors; nothing was planned or applied\n`);
      for (const i of e.issues) io.err(`${formatIssue(i)}\n`);
      return 2;
    }
    if (e instanceof SyncError) return usage(io, e.message);
    if (e instanceof ConnectionError) {
      io.err(`trueup: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
}

function usage(io: Io, message: string): number {
  io.err(`trueup: ${message}\n`);
  return 2;
}
