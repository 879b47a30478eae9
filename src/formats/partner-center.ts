import type { Owner } from "../core/types.ts";
import type { Fields } from "./fields.ts";
import type { Format } from "./format.ts";
import { microsoftSkus } from "./microsoft-skus.ts";
import { termEnd } from "./term.ts";
import { col } from "./vendor.ts";

// Partner Center's new-commerce invoice reconciliation file: one line per charge. Licences bought are
// the BillableQuantity (Microsoft: "Use BillableQuantity for reconciliation") per customer and SKU,
// summed over the file's lines; a credit line (a negative quantity or amount) takes its quantity off.

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

/** The SKU part number for the line's SKU or product name, else the SKU name as written. */
function skuOf(f: Fields): string | undefined {
  const name = f.first("SkuName", "ProductName");
  if (name === "") return f.error("SkuName", "is empty; a SKU or product name is required");
  return microsoftSkus(name)[0] ?? microsoftSkus(f.text("ProductName"))[0] ?? name;
}

const ownerKey = (o: Owner) => ("client" in o ? o.client : `${o.system}:${o.account.toLowerCase()}`);

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
  ],
  anyOf: [
    ["CustomerDomainName", "CustomerId"],
    ["SkuName", "ProductName"],
  ],
  row(f, ctx) {
    // Azure plan consumption is metered usage, not licences.
    if (f.text("ChargeType").toLowerCase().includes("usage")) return undefined;
    const owner = ctx.ownerOf(f, "CustomerDomainName", [f.text("CustomerDomainName"), f.text("CustomerId")]);
    const sku = skuOf(f);
    const quantity = signedWhole(f, QUANTITY);
    const commitmentEnd = termEnd(f, "SubscriptionEndDate");
    if (!owner || sku === undefined || quantity === undefined || !f.ok) return undefined;
    const signed = isCredit(f) ? -Math.abs(quantity) : quantity;
    const row = { ref: ctx.ref, owner, vendor: ctx.vendor ?? "", sku, quantity: signed };
    return commitmentEnd === undefined ? row : { ...row, commitmentEnd };
  },
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
