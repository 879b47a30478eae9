import { type Money, toCents } from "./money.ts";
import type { Uplift } from "./types.ts";

// One price rise, for the contract's anniversary (src/pricing) and for a what-if (src/workspace/overlay.ts):
// the same words mean the same figures in both (docs/pricing.md).

/** The percentage applied: `percent`, or `cap` when that is lower. */
export function upliftPercent(u: Uplift): Money {
  return u.cap?.lessThan(u.percent) ? u.cap : u.percent;
}

/** The new unit price: old + old x percent / 100 rounded to cents, at most `capAmount` more. */
export function raised(old: Money, percent: Money, capAmount?: Money): Money {
  let increase = toCents(old.times(percent).dividedBy(100));
  if (capAmount && increase.greaterThan(capAmount)) increase = capAmount;
  return old.plus(increase);
}

/** A unit price after the uplift (the exclusions are the caller's). */
export function upliftPrice(price: Money, u: Uplift): Money {
  return raised(price, upliftPercent(u), u.capAmount);
}
