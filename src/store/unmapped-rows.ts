import { formatMoney, formatPrice, type Money, ZERO } from "../core/money.ts";
import type { ReconcileInput } from "../core/types.ts";
import type { Context } from "./context.ts";
import { storedInput } from "./input.ts";
import type { UnmappedItem, UnmappedRow } from "./store.ts";

// The rows behind an unmapped item, read from the stored input by their `file:line`, with the money
// on each (spec 5: a billing row's quantity x unitPrice, a licences row's quantity x unitCost, 0 for
// the others): a billing manager sees what is at stake and where, not only a line number.

/** A licences row with the unit cost contract 2 gives it (absent before: its money is then 0). */
type CostedLicence = ReconcileInput["licences"][number] & { unitCost?: Money };

const INDEXES = new WeakMap<ReconcileInput, Map<string, UnmappedRow>>();

function accountOf(owner: { client: string } | { account: string }): string | undefined {
  return "account" in owner ? owner.account : undefined;
}

function rowsByRef(input: ReconcileInput): Map<string, UnmappedRow> {
  const known = INDEXES.get(input);
  if (known) return known;
  const m = new Map<string, UnmappedRow>();
  const put = (row: UnmappedRow) => {
    if (!m.has(row.ref)) m.set(row.ref, row);
  };
  for (const b of input.billing)
    put({
      ref: b.ref,
      kind: "billing",
      account: accountOf(b.owner),
      agreement: b.agreement,
      product: b.product,
      quantity: b.quantity,
      unitPrice: formatPrice(b.unitPrice),
      monthly: formatMoney(b.unitPrice.times(b.quantity)),
    });
  for (const l of input.licences as CostedLicence[]) {
    const row: UnmappedRow = {
      ref: l.ref,
      kind: "licences",
      account: accountOf(l.owner),
      vendor: l.vendor,
      sku: l.sku,
      quantity: l.quantity,
      monthly: formatMoney((l.unitCost ?? ZERO).times(l.quantity)),
    };
    if (l.unitCost !== undefined) row.unitCost = formatPrice(l.unitCost);
    put(row);
  }
  for (const u of input.users)
    put({ ref: u.ref, kind: "users", account: accountOf(u.owner), name: u.upn, monthly: "0.00" });
  for (const d of input.devices)
    put({ ref: d.ref, kind: "devices", account: accountOf(d.owner), name: d.hostname, monthly: "0.00" });
  for (const d of input.deploymentRows)
    put({
      ref: d.ref,
      kind: "deployments",
      account: accountOf(d.owner),
      name: d.hostname || d.serial,
      monthly: "0.00",
    });
  INDEXES.set(input, m);
  return m;
}

/**
 * The items with their rows and money, most money first (ties keep their order). A row no longer in
 * the stored input (a newer import since the run) shows its `file:line` only, at 0.
 */
export async function withRows(
  ctx: Context,
  items: Omit<UnmappedItem, "monthly" | "rows">[],
): Promise<UnmappedItem[]> {
  let index: Map<string, UnmappedRow> = new Map();
  if (items.length > 0) {
    try {
      index = rowsByRef((await storedInput(ctx)).input);
    } catch {
      // Stored data that does not reconcile now: the queue still shows what the run found.
    }
  }
  const out = items.map((item) => {
    const rows = item.evidence.map((ref) => index.get(ref) ?? { ref, kind: kindOf(item), monthly: "0.00" });
    let total = ZERO;
    for (const r of rows) total = total.plus(r.monthly);
    rows.sort((a, b) => compareMoney(b.monthly, a.monthly));
    return { ...item, monthly: formatMoney(total), rows };
  });
  return out
    .map((item, i) => ({ item, i }))
    .sort((a, b) => compareMoney(b.item.monthly, a.item.monthly) || a.i - b.i)
    .map(({ item }) => item);
}

function kindOf(item: { kind: UnmappedItem["kind"] }): UnmappedRow["kind"] {
  return item.kind === "sku" ? "licences" : "billing";
}

function compareMoney(a: string, b: string): number {
  return ZERO.plus(a).comparedTo(ZERO.plus(b));
}
