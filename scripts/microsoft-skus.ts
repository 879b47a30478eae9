import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";

// Derives src/formats/microsoft-skus.json from Microsoft's "Product names and service plan
// identifiers for licensing" CSV: one [SKU part number, skuId GUID, product name, ...older names]
// per SKU, in the order of the CSV (which decides between SKUs sharing a product name). Microsoft
// renames products: every name a SKU had in the table before is kept after its current one, so
// files written before a rename still read; scripts/microsoft-sku-names.json gives current names
// newer than the CSV. SKUs the new CSV no longer lists are kept (old files still name them).
// After downloading a newer CSV, one command:
//   node bin/run-ts.js scripts/microsoft-skus.ts path/to/new.csv

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_CSV = resolve(root, "../shared/formats/microsoft/licensing-service-plans.csv");
export const TABLE_FILE = resolve(root, "src/formats/microsoft-skus.json");
export const NAMES_FILE = resolve(root, "scripts/microsoft-sku-names.json");

export type SkuEntry = [partNumber: string, guid: string, name: string, ...olderNames: string[]];

/** Current names by GUID that the CSV does not have yet. */
export function currentNames(file = NAMES_FILE): Record<string, string> {
  return (JSON.parse(readFileSync(file, "utf8")) as { names: Record<string, string> }).names;
}

/**
 * The SKUs of the licensing CSV's text, one per GUID (the CSV has a row per service plan), each
 * with its current name (`names`, else the CSV's) and every other name `previous` knew it by.
 */
export function skuTable(
  csvText: string,
  previous: readonly string[][] = [],
  names: Record<string, string> = {},
): SkuEntry[] {
  const rows = parse(csvText, { columns: true, bom: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const before = new Map(previous.map((e) => [e[1] ?? "", e]));
  const seen = new Map<string, SkuEntry>();
  for (const r of rows) {
    const guid = (r.GUID ?? "").trim().toLowerCase();
    if (guid === "" || seen.has(guid)) continue;
    const csvName = (r.Product_Display_Name ?? "").trim();
    const name = names[guid] ?? csvName;
    const older = [csvName, ...(before.get(guid)?.slice(2) ?? [])].filter((n) => n !== "" && n !== name);
    seen.set(guid, [(r.String_Id ?? "").trim(), guid, name, ...new Set(older)]);
  }
  for (const e of previous) {
    const [part, guid, name, ...older] = e;
    if (part !== undefined && guid !== undefined && name !== undefined && !seen.has(guid))
      seen.set(guid, [part, guid, names[guid] ?? name, ...older]);
  }
  return [...seen.values()];
}

/** The table as it is now, to keep its names (empty when there is none yet). */
export function shippedTable(): string[][] {
  return existsSync(TABLE_FILE) ? (JSON.parse(readFileSync(TABLE_FILE, "utf8")) as string[][]) : [];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const csv = process.argv[2] ?? DEFAULT_CSV;
  const table = skuTable(readFileSync(csv, "utf8"), shippedTable(), currentNames());
  writeFileSync(TABLE_FILE, `${JSON.stringify(table, null, 2)}\n`);
  execFileSync(resolve(root, "node_modules/.bin/biome"), ["format", "--write", TABLE_FILE], {
    stdio: "ignore",
  });
  console.log(`${table.length} SKUs written to ${TABLE_FILE}`);
}
