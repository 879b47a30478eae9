import { planAt } from "../core/contract-prices.ts";
import { formatPrice } from "../core/money.ts";
import type { Bundle, Client, Service } from "../core/types.ts";
import type { PlanReport } from "./plan.ts";

// A price rise approved for a date (src/pricing: a plan's `priceFrom`) reaches the PSA through the
// sync plan whose effective date is on or after it: the report's contracted prices, as of the run's
// own date, are replaced by those in force on the effective date. Quantities are left as reconciled.

export function pricesOn(
  report: PlanReport,
  catalogue: { clients: readonly Client[]; bundles: readonly Bundle[]; services: readonly Service[] },
  effective: string,
): PlanReport {
  const dated = new Map<string, Map<string, string>>();
  for (const client of catalogue.clients) {
    for (const plan of client.plans) {
      if (plan.priceFrom === undefined) continue;
      const id = plan.kind === "bundle" ? plan.bundle : plan.service;
      const listed =
        plan.kind === "bundle"
          ? catalogue.bundles.find((b) => b.id === id)?.price
          : catalogue.services.find((s) => s.id === id)?.price;
      const price = planAt(plan, effective).price ?? listed;
      if (!price) continue;
      const prices = dated.get(client.id) ?? new Map<string, string>();
      prices.set(`${plan.kind}:${id}`, formatPrice(price));
      dated.set(client.id, prices);
    }
  }
  if (dated.size === 0) return report;
  return {
    ...report,
    clients: report.clients.map((c) => {
      const prices = dated.get(c.id);
      if (!prices) return c;
      return {
        ...c,
        lines: c.lines.map((l) => (prices.has(l.subject) ? { ...l, price: prices.get(l.subject) } : l)),
      };
    }),
  };
}
