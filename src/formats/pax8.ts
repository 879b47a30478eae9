import type { Format } from "./format.ts";
import { termEnd, termMonths } from "./term.ts";
import { col } from "./vendor.ts";

// Pax8 subscriptions, one line per subscription. Pax8 publishes no CSV layout: the column names are
// the API's Subscription fields (companyId, productName, quantity, status, partnerCost) and, as a
// guess, the console's titles of them ("Company Name", "Product Name"): see docs/formats.md.

// Statuses of a subscription Pax8 bills (the API's enum); others (Cancelled, Trial, Pending...) are not.
export const PAX8_BILLED_STATUSES = ["Active", "Activated", "PendingCancel"] as const;
const BILLED = new Set(PAX8_BILLED_STATUSES.map((s) => s.toLowerCase()));

const statusKey = (status: string) => status.toLowerCase().replace(/[\s_-]+/g, "");

/** Whether Pax8 bills a subscription in this status, however the status is written ("Pending Cancel"). */
export function pax8Billed(status: string): boolean {
  return BILLED.has(statusKey(status));
}

export const pax8Subscriptions: Format<"licences"> = {
  name: "pax8-subscriptions",
  kind: "licences",
  columns: [
    col("companyId"),
    col("companyName", false, "Company", "Client"),
    col("sku", false, "Product SKU"),
    col("productName", false, "Product"),
    col("quantity", true, "Qty"),
    col("status", false, "Subscription Status"),
    // The API's commitmentTerm.endDate: a quantity locked in a term can only be cut at its end.
    col("commitmentEnd", false, "commitmentTerm.endDate", "Commitment End Date", "Commitment Term End Date"),
    // The API's commitmentTerm.term ("1-Year"): when the next term ends, once this one has passed.
    col("commitmentTerm", false, "commitmentTerm.term", "Commitment Term"),
  ],
  anyOf: [
    ["companyId", "companyName"],
    ["sku", "productName"],
  ],
  row(f, ctx) {
    const status = statusKey(f.text("status"));
    if (status !== "" && !BILLED.has(status)) return ctx.skip(`status ${f.text("status")}`);
    const owner = ctx.ownerOf(f, "companyId", [f.text("companyId"), f.text("companyName")]);
    const sku = f.first("sku", "productName");
    if (sku === "") f.error("sku", "is empty; a product SKU or name is required");
    const quantity = f.quantity("quantity");
    const commitmentEnd = termEnd(f, "commitmentEnd");
    if (!owner || sku === "" || quantity === undefined || !f.ok) return undefined;
    const row = { ref: ctx.ref, owner, vendor: ctx.vendor ?? "", sku, quantity };
    const months = termMonths(f.text("commitmentTerm"));
    return commitmentEnd === undefined
      ? row
      : { ...row, commitmentEnd, ...(months === undefined ? {} : { commitmentTermMonths: months }) };
  },
};
