import { createContext } from "../connectors/context.ts";
import { toRecords } from "../connectors/snapshot.ts";
import type { Actor, Store, SyncPlanView } from "../store/store.ts";
import { formatIssue } from "../workspace/issues.ts";
import { type ApplyResult, applyPlan } from "./apply.ts";
import type { PlanReport } from "./plan.ts";
import { billingRows, planFromReport, psaConnection, SyncError, scrubbed } from "./service.ts";

// The sync in the app: the same plan and apply as the CLI, over the stored configuration, with
// secrets from the database (encrypted) or the environment.

export async function planInApp(
  store: Store,
  name: string,
  opts: { effective: string; includePrices: boolean; today: string },
  actor: Actor,
): Promise<SyncPlanView> {
  const config = await store.loadConfig();
  const { conn, psa } = psaConnection(config, name);
  const ctx = createContext(conn, { stored: await store.storedSecrets(name), sandbox: store.sandboxBook() });
  const billing = await scrubbed(ctx, () => psa.readBilling(conn, ctx, opts.effective));
  const records = toRecords("billing", billingRows(billing.lines));
  const { issues } = await store.storePull(name, { billing: records }, billing.counts, actor);
  const first = issues.find((i) => i.severity === "error");
  if (first) throw new SyncError(`the PSA's lines do not read: ${formatIssue(first)}`);
  const run = await store.reconcile({ today: opts.today }, actor);
  const report = (await store.runReport(run.id)) as unknown as PlanReport;
  const plan = planFromReport(config, report, billing, { ...opts, decisions: await store.decisions() });
  return store.saveSyncPlan(name, plan, actor);
}

export async function applyInApp(store: Store, planId: number, actor: Actor): Promise<ApplyResult> {
  const plan = await store.syncPlan(planId);
  if (!plan) throw new SyncError(`no sync plan ${planId}`);
  if (plan.status !== "open")
    throw new SyncError(`plan ${planId} was replaced by a newer plan: apply that one`);
  const config = await store.loadConfig();
  const { conn, psa } = psaConnection(config, plan.connection);
  const stored = await store.storedSecrets(plan.connection);
  // Read again under the lock: another apply may have moved the changes on meanwhile.
  return store.withApplyLock(plan.connection, async () =>
    applyPlan((await store.syncPlan(planId)) as SyncPlanView, {
      store,
      connector: psa,
      conn,
      context: (onExchange) => createContext(conn, { stored, onExchange, sandbox: store.sandboxBook() }),
      actor: actor.name,
    }),
  );
}
