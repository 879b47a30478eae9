import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";

// Derives src/formats/microsoft-skus.json from Microsoft's "Product names and service plan
// identifiers for licensing" CSV: one [SKU part number, skuId GUID, product name] per SKU, in the
// order of the CSV (which decides between SKUs sharing a product name). Run after a new CSV:
//   node bin/run-ts.js scripts/microsoft-skus.ts [CSV] && npx biome format --write src/formats/microsoft-skus.json

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_CSV = resolve(root, "../shared/formats/microsoft/licensing-service-plans.csv");
export const TABLE_FILE = resolve(root, "src/formats/microsoft-skus.json");

export type SkuEntry = [partNumber: string, guid: string, name: string];

/** The SKUs of the licensing CSV's text, one per GUID (the CSV has a row per service plan). */
export function skuTable(csvText: string): SkuEntry[] {
  const rows = parse(csvText, { columns: true, bom: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const seen = new Map<string, SkuEntry>();
  for (const r of rows) {
    const guid = (r.GUID ?? "").trim().toLowerCase();
    if (guid === "" || seen.has(guid)) continue;
    seen.set(guid, [(r.String_Id ?? "").trim(), guid, (r.Product_Display_Name ?? "").trim()]);
  }
  return [...seen.values()];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const csv = process.argv[2] ?? DEFAULT_CSV;
  const table = skuTable(readFileSync(csv, "utf8"));
  writeFileSync(TABLE_FILE, `${JSON.stringify(table, null, 2)}\n`);
  console.log(`${table.length} SKUs written to ${TABLE_FILE}`);
}
