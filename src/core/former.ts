import { type BillingResult, collect, type Unmapped, unmappedProducts } from "./billing.ts";
import type { Catalogue } from "./catalogue.ts";
import { type Finding, finding } from "./findings.ts";
import { type Money, ZERO } from "./money.ts";
import type { BillingRow, Client } from "./types.ts";

// Spec 4.6: a former client is owed nothing. What still runs for it is waste or a refund to make.

/** A client with `ended` on or before asOf. */
export function isFormer(client: Client, asOf: string): boolean {
  return client.ended !== undefined && asOf >= client.ended;
}

/**
 * Each PSA product a former client is still billed for is OVER_BILLED against 0, at what the client
 * is still charged (its lines' quantity x their own unit price, tracking lines at their zero price).
 * No price is contracted, so no PRICE_MISMATCH or TRACKING_DRIFT, and no line carries a price.
 */
export function formerBilling(rows: readonly BillingRow[], catalogue: Catalogue): BillingResult {
  const billed = new Map<string, number>();
  const charged = new Map<string, Money>();
  const unmapped = new Map<string, Unmapped>();
  for (const row of rows) {
    const charge = row.unitPrice.times(row.quantity);
    const target = catalogue.product(row.product);
    if (!target) {
      collect(unmapped, row.product, row.ref, charge);
      continue;
    }
    const subject = `${target.kind}:${target.id}`;
    billed.set(subject, (billed.get(subject) ?? 0) + row.quantity);
    charged.set(subject, (charged.get(subject) ?? ZERO).plus(charge));
  }
  const findings: Finding[] = [];
  for (const [subject, actual] of billed) {
    if (actual === 0) continue;
    findings.push(
      finding("OVER_BILLED", subject, [], { expected: 0, actual, impact: charged.get(subject) ?? ZERO }),
    );
  }
  findings.push(...unmappedProducts(unmapped));
  return { findings, billed, stray: new Map() };
}
