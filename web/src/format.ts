// Display helpers. Money arrives as exact decimal strings and stays text: grouping digits is done
// on the string, sums and chart scales on integer cents (bigint), never on floating point.

const MONEY = /^(-?)(\d+)(?:\.(\d+))?$/;

/** The one money format: the workspace's currency (set at sign-in) in the browser's locale. */
let moneyFormat: Intl.NumberFormat | undefined;

function makeMoneyFormat(currency: string, locale?: string): Intl.NumberFormat | undefined {
  try {
    const places = new Intl.NumberFormat(locale, { style: "currency", currency }).resolvedOptions();
    // More places than the currency's are kept ("149.996"): amounts are exact, never rounded for show.
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: places.minimumFractionDigits,
      maximumFractionDigits: 20,
    });
  } catch {
    return undefined;
  }
}

/** The workspace's currency (ISO 4217, from trueup.yaml via the session); the browser's locale unless given. */
export function setCurrency(currency: string, locale?: string): void {
  moneyFormat = makeMoneyFormat(currency, locale);
}

/**
 * "1234567.50" -> "$1,234,567.50" (en-US, USD) or "1.234.567,50 $" (de-DE). The decimal string is
 * handed to Intl as a string, so it is formatted exactly, never through a floating-point number.
 * Without a currency (or an unknown one) digits are grouped and padded to two places.
 */
export function formatMoney(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const text = value.trim();
  const m = MONEY.exec(text);
  if (!m) return value;
  // ES2023 Intl takes a decimal string; the ES2022 typings only know numbers.
  if (moneyFormat) return (moneyFormat.format as unknown as (v: string) => string)(text);
  const [, sign, whole = "", frac = ""] = m;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign === "-" ? "−" : ""}${grouped}.${frac.padEnd(2, "0")}`;
}

/** Exact integer cents of a decimal string (more than two places are cut: for scales only). */
export function cents(value: string | null | undefined): bigint {
  const m = MONEY.exec((value ?? "").trim());
  if (!m) return 0n;
  const [, sign, whole = "0", frac = ""] = m;
  const c = BigInt(whole) * 100n + BigInt(`${frac}00`.slice(0, 2));
  return sign === "-" ? -c : c;
}

/** Integer cents back to a two-place decimal string. */
export function centsText(c: bigint): string {
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

export function isZeroMoney(value: string | null | undefined): boolean {
  return cents(value) === 0n;
}

/** a / b in [0, 1] for bar lengths and chart positions (b <= 0 gives 0). */
export function ratio(a: bigint, b: bigint): number {
  if (b <= 0n || a <= 0n) return 0;
  return Number((a * 100000n) / b) / 100000;
}

/** A round axis maximum at or above `max` cents (1, 2 or 5 times a power of ten; at least 1.00). */
export function niceCeiling(max: bigint): bigint {
  let step = 100n;
  while (step * 10n < max) step *= 10n;
  for (const f of [1n, 2n, 5n]) if (step * f >= max) return step * f;
  return step * 10n;
}

const numberFormat = new Intl.NumberFormat();

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return numberFormat.format(n);
}

const dateTime = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** An ISO instant in the reader's time zone, e.g. "25 Nov 2026, 09:13". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "2026-11" -> "Nov 2026" in the reader's language. */
export function formatMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", timeZone: "UTC" }).format(d);
}

/** A bare YYYY-MM-DD stays as written: it is a day, not an instant. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return "—";
  return iso.length >= 10 ? iso.slice(0, 10) : iso;
}

export const FINDING_TYPES = [
  "UNDER_BILLED",
  "OVER_BILLED",
  "PRICE_MISMATCH",
  "TRACKING_DRIFT",
  "LICENCE_SHORTFALL",
  "LICENCE_SURPLUS",
  "ORPHAN_LICENCE",
  "COVERAGE_GAP",
  "UNKNOWN_AGENT",
  "STALE_DEVICE",
  "UNCOVERED",
  "UNMAPPED_ACCOUNT",
  "UNMAPPED_SKU",
  "UNMAPPED_PRODUCT",
] as const;

const TYPE_LABELS: Record<string, string> = {
  UNDER_BILLED: "Under-billed",
  OVER_BILLED: "Over-billed",
  PRICE_MISMATCH: "Price mismatch",
  TRACKING_DRIFT: "Tracking drift",
  LICENCE_SHORTFALL: "Licence shortfall",
  LICENCE_SURPLUS: "Licence surplus",
  ORPHAN_LICENCE: "Orphan licence",
  COVERAGE_GAP: "Coverage gap",
  UNKNOWN_AGENT: "Unknown agent",
  STALE_DEVICE: "Stale device",
  UNCOVERED: "Uncovered",
  UNMAPPED_ACCOUNT: "Unmapped account",
  UNMAPPED_SKU: "Unmapped SKU",
  UNMAPPED_PRODUCT: "Unmapped product",
};

export function typeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type;
}

/** What a finding's type costs or saves, for its colour: lost revenue, extra cost, or neither. */
export function typeTone(type: string): "loss" | "cost" | "info" {
  if (type === "UNDER_BILLED" || type === "PRICE_MISMATCH") return "loss";
  if (type === "OVER_BILLED" || type === "LICENCE_SURPLUS" || type === "ORPHAN_LICENCE") return "cost";
  if (type === "LICENCE_SHORTFALL" || type === "COVERAGE_GAP") return "loss";
  return "info";
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function statusLabel(status: string): string {
  if (status === "accepted") return "Accepted: to be fixed";
  if (status === "dismissed") return "Dismissed";
  return "Open";
}
