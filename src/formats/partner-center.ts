import type { LicenceRow, Owner } from "../core/types.ts";
import type { Fields } from "./fields.ts";
import type { Format } from "./format.ts";
import { microsoftSkus } from "./microsoft-skus.ts";
import { termEnd, termMonths } from "./term.ts";
import { col } from "./vendor.ts";

// Partner Center's new-commerce invoice reconciliation file: one line per charge. Licences bought are
// the BillableQuantity (Microsoft: "Use BillableQuantity for reconciliation") per subscription: the
// quantity of its latest recurring line (which gives the seat total), with the adds and removes made
// after that line's charge started; a credit line (a negative quantity or amount) takes seats off.
// Usage lines (Azure) are not licences. See docs/formats.md for each ChargeType.

const QUANTITY = "BillableQuantity";

/** A whole number that may be negative ("-2", "3.000000"), or an error. */
function signedWhole(f: Fields, column: string): number | undefined {
  const v = f.required(column);
  if (v === undefined) return undefined;
  if (!/^-?\d+(\.0+)?$/.test(v)) return f.error(column, `expected a whole number of licences, got "${v}"`);
  const n = Number.parseInt(v, 10);
  return Number.isSafeInteger(n) ? n : f.error(column, `quantity "${v}" is too large`);
}

/** Whether an amount column holds a negative amount (a credit or refund line). */
function isCredit(f: Fields): boolean {
  const amount = f.first("Total", "Subtotal").replace(/[^\d.-]/g, "");
  return amount.startsWith("-") && Number(amount) !== 0;
}

/**
 * Whether the line is metered usage (an Azure plan's consumption), not licences: its product
 * category is Azure, its charge type says usage, or its unit is a measure ("1 GB", "10K", "1 Hour").
 */
function isUsage(f: Fields): boolean {
  if (f.text("ProductCategory").toLowerCase() === "azure") return true;
  if (f.text("ChargeType").toLowerCase().includes("usage")) return true;
  if (/^\d/.test(f.text("UnitType"))) return true;
  return /^azure plan$/i.test(f.first("SkuName", "ProductName"));
}

/** The SKU part number for the line's SKU or product name, else the SKU name as written. */
function skuOf(f: Fields, own?: ReadonlyMap<string, string>): string | undefined {
  const name = f.first("SkuName", "ProductName");
  if (name === "") return f.error("SkuName", "is empty; a SKU or product name is required");
  return microsoftSkus(name, own)[0] ?? microsoftSkus(f.text("ProductName"), own)[0] ?? name;
}

/** Charge types whose quantity is the subscription's seat total for the charge's period. */
const RECURRING = new Set(["new", "purchase", "renew", "cyclecharge", "cyclefee", "purchasefee", "renewfee"]);

interface Charge {
  subscription: string;
  recurring: boolean;
  /** ChargeStartDate as an instant ("" when the file has none). */
  start: string;
  line: number;
}

// What the combine step needs of each line, which a licence row does not carry.
const charges = new WeakMap<LicenceRow, Charge>();

const ownerKey = (o: Owner) => ("client" in o ? o.client : `${o.system}:${o.account.toLowerCase()}`);

/** Per subscription, the latest recurring line and the changes made after its charge started. */
function combineLines(rows: LicenceRow[], skip: (row: LicenceRow, reason: string) => void): LicenceRow[] {
  const latest = new Map<string, Charge>();
  for (const r of rows) {
    const c = charges.get(r);
    if (!c?.recurring) continue;
    const best = latest.get(c.subscription);
    if (!best || c.start > best.start || (c.start === best.start && c.line > best.line))
      latest.set(c.subscription, c);
  }
  return rows.filter((r) => {
    const c = charges.get(r);
    const total = c && latest.get(c.subscription);
    if (!c || !total || c === total) return true;
    // An earlier recurring line, or a change before the latest one's charge started, is in its total
    // (without dates, a change is taken as made after it, as the file's order suggests).
    const before = c.start !== "" && total.start !== "" && c.start <= total.start;
    if (c.recurring || before) {
      skip(r, c.recurring ? "superseded recurring line" : "seat change already in a later recurring line");
      return false;
    }
    return true;
  });
}

export const partnerCenterReconciliation: Format<"licences"> = {
  name: "partner-center-reconciliation",
  kind: "licences",
  columns: [
    col("CustomerId"),
    col("CustomerDomainName"),
    col("CustomerName"),
    col("SkuName"),
    col("ProductName"),
    col("ChargeType"),
    col(QUANTITY, true),
    col("Subtotal"),
    col("Total"),
    // The end of the subscription's term (new commerce: the quantity is locked until then).
    col("SubscriptionEndDate"),
    // "1 Year, monthly": the term's length, for when the next term ends once this one has passed.
    col("TermAndBillingCycle"),
    col("SubscriptionId"),
    col("ChargeStartDate"),
    col("UnitType"),
    col("ProductCategory"),
  ],
  // Microsoft writes the file's dates month-first (its documented sample: OrderDate 10/3/2020).
  dateOrder: "month-first",
  anyOf: [
    ["CustomerDomainName", "CustomerId"],
    ["SkuName", "ProductName"],
  ],
  row(f, ctx) {
    // Azure plan consumption is metered usage, not licences, whatever its charge type.
    if (isUsage(f)) return ctx.skip("Azure usage (not licences)");
    const owner = ctx.ownerOf(f, "CustomerDomainName", [f.text("CustomerDomainName"), f.text("CustomerId")]);
    const sku = skuOf(f, ctx.skuNames);
    const quantity = signedWhole(f, QUANTITY);
    const startText = f.text("ChargeStartDate");
    const start = startText === "" ? "" : f.dates.read(startText, f.line, "ChargeStartDate");
    if (start === undefined)
      f.error("ChargeStartDate", `expected a date such as 10/1/2026, got "${startText}"`);
    if (!owner || sku === undefined || quantity === undefined || start === undefined) return undefined;
    const signed = isCredit(f) ? -Math.abs(quantity) : quantity;
    const commitmentEnd = termEnd(f, "SubscriptionEndDate");
    const base: LicenceRow = { ref: ctx.ref, owner, vendor: ctx.vendor ?? "", sku, quantity: signed };
    const months = termMonths(f.text("TermAndBillingCycle"));
    const term = months === undefined ? {} : { commitmentTermMonths: months };
    const row: LicenceRow = commitmentEnd === undefined ? base : { ...base, commitmentEnd, ...term };
    const subscription = f.text("SubscriptionId") || `${ownerKey(owner)}\u0000${sku.toLowerCase()}`;
    const type = f
      .text("ChargeType")
      .toLowerCase()
      .replace(/[\s_-]+/g, "");
    charges.set(row, { subscription, recurring: RECURRING.has(type) && signed >= 0, start, line: f.line });
    return row;
  },
  combine: combineLines,
  finish(rows, report) {
    // Credits can only take off what was charged: below zero, the file is not a whole invoice's lines.
    const totals = new Map<string, { sum: number; ref: string; sku: string }>();
    for (const r of rows) {
      const key = `${ownerKey(r.owner)}\u0000${r.sku.toLowerCase()}`;
      const t = totals.get(key);
      if (t) t.sum += r.quantity;
      else totals.set(key, { sum: r.quantity, ref: r.ref, sku: r.sku });
    }
    for (const t of totals.values()) {
      if (t.sum >= 0) continue;
      const message = `the lines of ${t.sku} for this customer come to ${t.sum} licences: credits without their charges (is the file one whole invoice?)`;
      report(t.ref, QUANTITY, message);
    }
  },
};
