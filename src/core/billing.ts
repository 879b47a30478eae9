import type { Catalogue } from "./catalogue.ts";
import { type Finding, finding } from "./findings.ts";
import { formatPrice, type Money, ZERO } from "./money.ts";
import type { Requirements } from "./requirements.ts";
import type { BillingRow } from "./types.ts";

// Spec 5, billing: the PSA lines of one client against its billed subjects and tracking lines.

export interface BillingResult {
  findings: Finding[];
  /** PSA quantity per subject ("bundle:gold-user", "service:edr"), summed over lines. */
  billed: Map<string, number>;
  /** Subjects billed in the PSA that no plan of the client requires, with their catalogue price. */
  stray: Map<string, Money>;
}

export function compareBilling(
  rows: readonly BillingRow[],
  req: Requirements,
  catalogue: Catalogue,
): BillingResult {
  const findings: Finding[] = [];
  const billed = new Map<string, number>();
  const stray = new Map<string, Money>();
  const unmapped = new Map<string, Unmapped>();

  for (const row of rows) {
    const target = catalogue.product(row.product);
    if (!target) {
      collect(unmapped, row.product, row.ref, billingMoney(row));
      continue;
    }
    const subject = `${target.kind}:${target.id}`;
    billed.set(subject, (billed.get(subject) ?? 0) + row.quantity);
    const contract = req.billed.get(subject);
    if (contract) {
      if (!row.unitPrice.equals(contract.price)) {
        const mismatch = finding("PRICE_MISMATCH", subject, [row.ref], {
          expected: formatPrice(contract.price),
          actual: formatPrice(row.unitPrice),
          impact: row.unitPrice.minus(contract.price).abs().times(row.quantity),
        });
        mismatch.psaPriceLower = row.unitPrice.lessThan(contract.price);
        findings.push(mismatch);
      }
    } else if (!(target.kind === "service" && req.services.get(target.id)?.asComponent)) {
      stray.set(subject, catalogue.catalogPrice(target.kind, target.id) ?? ZERO);
    }
  }

  for (const subject of req.billed.values()) {
    const actual = billed.get(subject.subject) ?? 0;
    const diff = subject.required - actual;
    if (diff === 0) continue;
    findings.push(
      finding(diff > 0 ? "UNDER_BILLED" : "OVER_BILLED", subject.subject, subject.evidence, {
        expected: subject.required,
        actual,
        impact: subject.price.times(Math.abs(diff)),
      }),
    );
  }
  for (const [subject, price] of stray) {
    const actual = billed.get(subject) ?? 0;
    if (actual > 0) {
      findings.push(
        finding("OVER_BILLED", subject, [], { expected: 0, actual, impact: price.times(actual) }),
      );
    }
  }
  for (const [id, need] of req.services) {
    const subject = `service:${id}`;
    const actual = billed.get(subject);
    if (actual === undefined || req.billed.has(subject) || !need.asComponent) continue;
    if (actual !== need.required) {
      findings.push(finding("TRACKING_DRIFT", subject, [], { expected: need.required, actual }));
    }
  }
  findings.push(...unmappedProducts(unmapped));
  return { findings, billed, stray };
}

export function unmappedProducts(unmapped: ReadonlyMap<string, Unmapped>): Finding[] {
  return [...unmapped.values()].map(({ value, refs, money }) =>
    finding("UNMAPPED_PRODUCT", `product:${value}`, refs, { impact: money }),
  );
}

/** The money on a billing row that nobody reconciles when it is unmapped: quantity x unitPrice. */
export function billingMoney(row: BillingRow): Money {
  return row.unitPrice.times(row.quantity);
}

/** Rows of one unmapped value: where they are, and the money on them. */
export interface Unmapped {
  value: string;
  refs: string[];
  money: Money;
}

/** Groups unmapped values without regard to case; the subject shows the variant that sorts first. */
export function collect(groups: Map<string, Unmapped>, value: string, ref: string, money: Money): void {
  const raw = value.trim();
  const key = raw.toLowerCase();
  const group = groups.get(key);
  if (!group) groups.set(key, { value: raw, refs: [ref], money });
  else {
    group.refs.push(ref);
    group.money = group.money.plus(money);
    if (raw < group.value) group.value = raw;
  }
}
