import { formatMoney, ZERO } from "../core/money.ts";
import type { Context } from "./context.ts";
import { inputSources } from "./input.ts";
import { onInput } from "./input-engine.ts";
import type { UnmappedItem, UnmappedRow } from "./store.ts";

// The rows behind an unmapped item, looked up by their `file:line` in an engine thread that holds the
// input (unmapped-rows-at.ts; the thread that answers requests never holds it), with the money
// on each (spec 5: a billing row's quantity x unitPrice, a licences row's quantity x unitCost, 0 for
// the others): a billing manager sees what is at stake and where, not only a line number.

/** The rows last found, by the input's key and the refs asked. */
const FOUND = new WeakMap<Context, { key: string; refs: string; rows: Map<string, UnmappedRow> }>();

async function rowsAt(ctx: Context, refs: string[]): Promise<Map<string, UnmappedRow>> {
  const sources = await inputSources(ctx);
  const asked = refs.join("\n");
  const kept = FOUND.get(ctx);
  if (kept?.key === sources.key && kept.refs === asked) return kept.rows;
  const rows = new Map(await onInput(ctx, sources, (engine, key) => engine.rowsAt(key, refs)));
  FOUND.set(ctx, { key: sources.key, refs: asked, rows });
  return rows;
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
      index = await rowsAt(ctx, [...new Set(items.flatMap((i) => i.evidence))].sort());
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
