import { Decimal } from "decimal.js";

// Money is always exact decimal: decimal.js values, never `number`. A dedicated constructor keeps
// precision and rounding in one place.
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export type Money = Decimal;

export const ZERO: Money = new D(0);

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** Parses a decimal string such as "150.00"; returns undefined when the text is not one. */
export function parseMoney(text: string): Money | undefined {
  const t = text.trim();
  if (!DECIMAL_TEXT.test(t)) return undefined;
  return new D(t);
}

export function money(text: string): Money {
  const m = parseMoney(text);
  if (m === undefined) throw new Error(`not a decimal amount: ${text}`);
  return m;
}

export function times(m: Money, quantity: number): Money {
  return m.times(quantity);
}

/** Rounds to cents, half away from zero, as invoices do. */
export function toCents(m: Money): Money {
  return m.toDecimalPlaces(2, D.ROUND_HALF_UP);
}

/** The edge format: a decimal string with exactly two places. */
export function formatMoney(m: Money): string {
  return toCents(m).toFixed(2);
}

export function sum(values: Iterable<Money>): Money {
  let total: Money = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** A unit price as written: two places, or more when the price has them ("149.996"). */
export function formatPrice(m: Money): string {
  return m.decimalPlaces() <= 2 ? m.toFixed(2) : m.toString();
}
