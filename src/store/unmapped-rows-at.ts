import { formatMoney, formatPrice, type Money, ZERO } from "../core/money.ts";
import type { ReconcileInput } from "../core/types.ts";
import type { UnmappedRow } from "./store.ts";

// The rows behind the unmapped items, looked up by their `file:line` where the input is (an engine's
// thread: input-engine.ts), with the money on each (spec 5: a billing row's quantity x unitPrice, a
// licences row's quantity x unitCost, 0 for the others).

/** A licences row with the unit cost contract 2 gives it (absent before: its money is then 0). */
type CostedLicence = ReconcileInput["licences"][number] & { unitCost?: Money };

function accountOf(owner: { client: string } | { account: string }): string | undefined {
  return "account" in owner ? owner.account : undefined;
}

/**
 * The rows of the input with these refs, with their money (the first row of a ref, in the input's
 * order). Runs where the input is (an engine's thread: input-engine.ts), over every row once.
 */
export function unmappedRowsAt(input: ReconcileInput, refs: readonly string[]): [string, UnmappedRow][] {
  const wanted = new Set(refs);
  const m = new Map<string, UnmappedRow>();
  const put = (ref: string, row: () => UnmappedRow) => {
    if (wanted.has(ref) && !m.has(ref)) m.set(ref, row());
  };
  for (const b of input.billing)
    put(b.ref, () => ({
      ref: b.ref,
      kind: "billing",
      account: accountOf(b.owner),
      agreement: b.agreement,
      product: b.product,
      quantity: b.quantity,
      unitPrice: formatPrice(b.unitPrice),
      monthly: formatMoney(b.unitPrice.times(b.quantity)),
    }));
  for (const l of input.licences as CostedLicence[])
    put(l.ref, () => {
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
      return row;
    });
  for (const u of input.users)
    put(u.ref, () => ({
      ref: u.ref,
      kind: "users",
      account: accountOf(u.owner),
      name: u.upn,
      monthly: "0.00",
    }));
  for (const d of input.devices)
    put(d.ref, () => ({
      ref: d.ref,
      kind: "devices",
      account: accountOf(d.owner),
      name: d.hostname,
      monthly: "0.00",
    }));
  for (const d of input.deploymentRows)
    put(d.ref, () => ({
      ref: d.ref,
      kind: "deployments",
      account: accountOf(d.owner),
      name: d.hostname || d.serial,
      monthly: "0.00",
    }));
  return [...m];
}
