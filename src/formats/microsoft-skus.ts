import table from "./microsoft-skus.json" with { type: "json" };

// Microsoft licences as Trueup compares them: the SKU part number (SPB), whether a file gives the
// part number, the skuId GUID (Graph's assignedLicenses) or the product name the admin center shows.
// The table is derived from Microsoft's licensing CSV by scripts/microsoft-skus.ts.

const byPart = new Map<string, string>();
const byGuid = new Map<string, string>();
const byName = new Map<string, string[]>();

const nameKey = (name: string) => name.trim().replace(/\s+/g, " ").toLowerCase();

for (const [part, guid, name] of table as [string, string, string][]) {
  if (!byPart.has(part.toLowerCase())) byPart.set(part.toLowerCase(), part);
  byGuid.set(guid, part);
  const key = nameKey(name);
  const parts = byName.get(key);
  if (!parts) byName.set(key, [part]);
  else if (!parts.includes(part)) parts.push(part);
}

/** Number of SKUs in the table. */
export const SKU_COUNT = byGuid.size;

/**
 * The part numbers a licence names: one for a part number or a GUID; for a product name, every SKU
 * of that name, in the table's order (a handful of names, such as "Microsoft 365 Business Basic",
 * belong to two SKUs). Empty when the table does not know it.
 */
export function microsoftSkus(text: string): readonly string[] {
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
export function microsoftSku(text: string): string {
  return microsoftSkus(text)[0] ?? text.trim();
}

/**
 * The licences of a `+`-joined list, each as part numbers (unknown ones as written). Product names
 * may hold a `+` themselves ("Enterprise Mobility + Security E3"), so the longest run of pieces that
 * names a known licence is taken first. `split(piece)` may cut a tenant prefix off a piece.
 */
export function splitLicences(text: string, piece: (s: string) => string = (s) => s): string[] {
  const pieces = text.split("+");
  const out: string[] = [];
  if (!text.includes(" +") && !text.includes("+ ")) {
    // No product name with a "+" in it: each piece is one licence (the common, fast case).
    for (const p of pieces) {
      const one = piece(p).trim();
      if (one === "") continue;
      const skus = microsoftSkus(one);
      if (skus.length > 0) out.push(...skus);
      else out.push(one);
    }
    return out;
  }
  for (let i = 0; i < pieces.length; i++) {
    let taken = false;
    for (let j = pieces.length; j > i + 1 && !taken; j--) {
      const skus = microsoftSkus(piece(pieces.slice(i, j).join("+")));
      if (skus.length === 0) continue;
      out.push(...skus);
      i = j - 1;
      taken = true;
    }
    if (taken) continue;
    const one = piece(pieces[i] as string).trim();
    if (one === "") continue;
    const skus = microsoftSkus(one);
    if (skus.length > 0) out.push(...skus);
    else out.push(one);
  }
  return out;
}
