import { formatPrice, type Money, parseMoney, sum } from "../../core/money.ts";
import { pax8Billed } from "../../formats/pax8.ts";
import type { CanonicalRow } from "../types.ts";

// Pax8 subscriptions -> trueup-licences rows, one per company and SKU. Pure functions.
// Field names confirmed against Pax8's published OpenAPI (Subscription: id, companyId, productId,
// quantity, status, partnerCost, productName; Product: name, sku, vendorSku). Which statuses are
// billed is src/formats/pax8.ts's rule (Active, Activated, PendingCancel), shared with Pax8 CSV files.

export interface Pax8Subscription {
  id?: string;
  companyId?: string;
  productId?: string;
  quantity?: number | null;
  status?: string;
  /** The partner's price per unit (what the MSP pays). */
  partnerCost?: number | null;
  productName?: string;
  billingTerm?: string;
  /** The commitment the quantity is locked in ("1-Year"), with the date-time it ends. */
  commitmentTerm?: { term?: string; endDate?: string | null } | null;
}

export interface Pax8Product {
  id?: string;
  name?: string;
  vendorName?: string;
  /** Pax8's own SKU ("MST-OFC-EE3-C100"). */
  sku?: string;
  /** The vendor's SKU (for Microsoft, an id such as "796B6B5F-613C-4E24-A17C-EBA730D49C02"). */
  vendorSku?: string;
}

/**
 * The SKU a licences row names: Pax8's SKU, else the product name, as the pax8-subscriptions file
 * format reads them, so that one `vendorSkus` entry serves the file and the API; a product Pax8 no
 * longer lists falls back to the name the subscription carries, then its product id.
 */
export function skuOf(product: Pax8Product | undefined, sub: Pax8Subscription): string {
  const pick = (...values: (string | undefined)[]) =>
    values.map((v) => v?.trim() ?? "").find((v) => v !== "");
  return pick(product?.sku, product?.name, sub.productName, sub.productId) ?? "";
}

/** A JSON number as exact decimal text, never through arithmetic (quantities and prices). */
function decimal(n: number | null | undefined, what: string, sub: Pax8Subscription): Money {
  const m = typeof n === "number" ? parseMoney(String(n)) : undefined;
  if (m === undefined)
    throw new Error(`subscription ${sub.id ?? "?"}: ${what} ${JSON.stringify(n)} is not a number`);
  return m;
}

interface Group {
  account: string;
  sku: string;
  /** The commitment term's end (yyyy-mm-dd), "" for none. */
  commitmentEnd: string;
  quantities: Money[];
  /** Partner costs seen, as formatted prices; "" for a subscription without one. */
  costs: Set<string>;
}

/**
 * One row per company and SKU over the subscriptions Pax8 bills: quantities summed; unitCost is the
 * partner cost when every subscription of the pair has the same one, else empty (several prices,
 * e.g. a monthly and an annual subscription, have no single unit cost).
 */
export function licenceRows(
  subs: readonly Pax8Subscription[],
  products: ReadonlyMap<string, Pax8Product>,
): CanonicalRow[] {
  const groups = new Map<string, Group>();
  for (const sub of subs) {
    if (!pax8Billed(sub.status ?? "")) continue;
    const account = sub.companyId?.trim() ?? "";
    if (account === "") throw new Error(`subscription ${sub.id ?? "?"} has no companyId`);
    const sku = skuOf(products.get(sub.productId ?? ""), sub);
    const commitmentEnd = termEnd(sub);
    // Subscriptions locked until different dates stay apart: each quantity is cut at its own term end.
    const key = `${account}\u0000${sku}\u0000${commitmentEnd}`;
    let g = groups.get(key);
    if (!g) {
      g = { account, sku, commitmentEnd, quantities: [], costs: new Set() };
      groups.set(key, g);
    }
    g.quantities.push(decimal(sub.quantity, "quantity", sub));
    const cost = sub.partnerCost;
    g.costs.add(cost === undefined || cost === null ? "" : formatPrice(decimal(cost, "partnerCost", sub)));
  }
  return [...groups.values()].map((g) => {
    const [cost] = g.costs;
    const row: CanonicalRow = {
      account: g.account,
      sku: g.sku,
      quantity: sum(g.quantities).toFixed(),
      unitCost: g.costs.size === 1 ? (cost ?? "") : "",
    };
    if (g.commitmentEnd !== "") row.commitmentEnd = g.commitmentEnd;
    return row;
  });
}

/** The commitment term's end date as a UTC date, "" when the subscription has no term (monthly). */
export function termEnd(sub: Pax8Subscription): string {
  const end = sub.commitmentTerm?.endDate;
  if (end === undefined || end === null || end.trim() === "") return "";
  const t = new Date(end);
  if (Number.isNaN(t.getTime()))
    throw new Error(
      `subscription ${sub.id ?? "?"}: commitmentTerm.endDate ${JSON.stringify(end)} is not a date`,
    );
  return t.toISOString().slice(0, 10);
}
