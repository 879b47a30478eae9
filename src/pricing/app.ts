import type { Actor, Store } from "../store/store.ts";
import { applyRises } from "./apply.ts";
import { noticeLetter } from "./letter.ts";
import { noticeLetterPdf } from "./letter-pdf.ts";
import { type PricingPlan, planPricing } from "./plan.ts";

// Price rises in the app: planned from the stored catalogue and the latest run's quantities;
// approved, they are written into the stored trueup.yaml (one catalogue save, audited) and the
// workspace is reconciled again. The PSA follows through the PSA sync page with prices included.

export class PricingError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = "PricingError";
  }
}

export async function pricingInApp(
  store: Store,
  opts: { asOf?: string; windowDays?: number; today: string; includeApplied?: boolean },
): Promise<PricingPlan> {
  const config = await store.loadConfig();
  const run = await store.latestRun();
  const report = run ? await store.runReport(run.id) : undefined;
  return planPricing({
    currency: config.currency,
    services: config.services,
    bundles: config.bundles,
    clients: config.clients,
    report: (report ?? { clients: [] }) as unknown as Parameters<typeof planPricing>[0]["report"],
    asOf: opts.asOf ?? config.asOf ?? opts.today,
    windowDays: opts.windowDays,
    includeApplied: opts.includeApplied,
  });
}

export async function letterInApp(
  store: Store,
  clientId: string,
  opts: { asOf?: string; windowDays?: number; today: string; format?: "html" | "pdf" },
): Promise<string | Buffer | undefined> {
  // The letter goes out after the approval too: a rise written already still has one.
  const plan = await pricingInApp(store, { ...opts, includeApplied: true });
  const rise = plan.due.find((c) => c.client === clientId);
  if (!rise) return undefined;
  const msp = (await store.loadConfig()).msp;
  const words = { msp, currency: plan.currency, date: plan.asOf };
  if (opts.format !== "pdf") return noticeLetter(rise, words);
  // The logo uploaded in the app, as on its statements.
  return noticeLetterPdf(rise, words, (await store.mspLogo())?.bytes);
}

export async function applyPricingInApp(
  store: Store,
  opts: { asOf?: string; windowDays?: number; today: string },
  actor: Actor,
): Promise<{ applied: string[]; plan: PricingPlan; runId?: number }> {
  const plan = await pricingInApp(store, opts);
  if (plan.due.length === 0) return { applied: [], plan };
  const { issues } = await store.saveConfigYaml(applyRises(await store.configYaml(), plan.due), actor, {
    keepConnections: true,
  });
  const error = issues.find((i) => i.severity === "error");
  if (error) throw new PricingError(`the new prices could not be saved: ${error.message}`);
  const run = await store.reconcile({ today: opts.today }, actor);
  return { applied: plan.due.map((c) => c.client), plan, runId: run.id };
}
