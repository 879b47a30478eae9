import table from "./microsoft-skus.json" with { type: "json" };

// Microsoft licences as Trueup compares them: the SKU part number (SPB), whether a file gives the
// part number, the skuId GUID (Graph's assignedLicenses) or the product name the admin center shows.
// The table is derived from Microsoft's licensing CSV by scripts/microsoft-skus.ts.

const byPart = new Map<string, string>();
const byGuid = new Map<string, string>();
const byName = new Map<string, string[]>();

/** A product name as compared: trimmed, spaces collapsed, without regard to case. */
export const skuNameKey = (name: string) => name.trim().replace(/\s+/g, " ").toLowerCase();
const nameKey = skuNameKey;

// Each SKU: part number, GUID, Microsoft's current product name, then the names it had before
// (files written before a rename still name it so).
for (const [part, guid, ...names] of table as string[][]) {
  if (part === undefined || guid === undefined) continue;
  if (!byPart.has(part.toLowerCase())) byPart.set(part.toLowerCase(), part);
  byGuid.set(guid, part);
  for (const name of names) {
    const key = nameKey(name);
    const parts = byName.get(key);
    if (!parts) byName.set(key, [part]);
    else if (!parts.includes(part)) parts.push(part);
  }
}

/** Number of SKUs in the table. */
export const SKU_COUNT = byGuid.size;

/**
 * The part numbers a licence names: one for a part number or a GUID; for a product name, every SKU
 * of that name, in the table's order (a handful of names, such as "Microsoft 365 Business Basic",
 * belong to two SKUs). Empty when the table does not know it.
 */
export function microsoftSkus(text: string, own?: ReadonlyMap<string, string>): readonly string[] {
  const mine = own?.get(nameKey(text));
  if (mine !== undefined) return [mine];
  let skus = cache.get(text);
  if (skus === undefined) {
    skus = lookup(text);
    if (cache.size > 10_000) cache.clear();
    cache.set(text, skus);
  }
  return skus;
}

// Users files repeat the same few licences thousands of times: look each text up once.
const cache = new Map<string, readonly string[]>();
const NONE: readonly string[] = [];

function lookup(text: string): readonly string[] {
  const lower = text.trim().toLowerCase();
  const part = byPart.get(lower) ?? byGuid.get(lower);
  if (part !== undefined) return [part];
  return byName.get(nameKey(text)) ?? NONE;
}

/** The one part number for a licence (the first for a shared product name), else the text as written. */
export function microsoftSku(text: string, own?: ReadonlyMap<string, string>): string {
  return microsoftSkus(text, own)[0] ?? text.trim();
}

/**
 * The licences of a `+`-joined list, each as part numbers (unknown ones as written). Product names
 * may hold a `+` themselves ("Enterprise Mobility + Security E3"), so the longest run of pieces that
 * names a known licence is taken first. `split(piece)` may cut a tenant prefix off a piece; `own`
 * holds the workspace's own names (`skuNames:`), which come before the table's.
 */
export function splitLicences(
  text: string,
  piece: (s: string) => string = (s) => s,
  own?: ReadonlyMap<string, string>,
): string[] {
  const pieces = text.split("+");
  const out: string[] = [];
  if (!text.includes(" +") && !text.includes("+ ")) {
    // No product name with a "+" in it: each piece is one licence (the common, fast case).
    for (const p of pieces) {
      const one = piece(p).trim();
      if (one === "") continue;
      const skus = microsoftSkus(one, own);
      if (skus.length > 0) out.push(...skus);
      else out.push(one);
    }
    return out;
  }
  for (let i = 0; i < pieces.length; i++) {
    let taken = false;
    for (let j = pieces.length; j > i + 1 && !taken; j--) {
      const skus = microsoftSkus(piece(pieces.slice(i, j).join("+")), own);
      if (skus.length === 0) continue;
      out.push(...skus);
      i = j - 1;
      taken = true;
    }
    if (taken) continue;
    const one = piece(pieces[i] as string).trim();
    if (one === "") continue;
    const skus = microsoftSkus(one, own);
    if (skus.length > 0) out.push(...skus);
    else out.push(one);
  }
  return out;
}
