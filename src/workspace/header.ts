import { listed } from "../core/listing.ts";
import { type Column, Fields, headerKey, type ValueTables } from "../formats/fields.ts";
import type { Format, Kind } from "../formats/format.ts";
import type { SourceConfig } from "./config.ts";
import type { CsvRecord } from "./csv.ts";
import type { Issue } from "./issues.ts";

// A source file's header matched to its format's columns (or to the source's `columns:`), and the
// reader of its records: which column each field is read from, where a value sits inside another
// (PowerShell's hashtable text), and each value through the source's `values:`.

/**
 * Column positions by field. A field mapped by the source's `columns:` is read from that header
 * only; others from their name or an alias. Names compare as headerKey does ("Last Seen" = lastSeen).
 */
export function headerIndex(
  header: readonly string[],
  columns: readonly Column[],
  mapped: Readonly<Record<string, string>> = {},
): Map<string, number> {
  const byKey = new Map<string, number>();
  header.forEach((name, i) => {
    const key = headerKey(name.trim());
    if (!byKey.has(key)) byKey.set(key, i);
  });
  const index = new Map<string, number>();
  for (const c of columns) {
    const names = mapped[c.name] !== undefined ? [mapped[c.name] as string] : [c.name, ...(c.aliases ?? [])];
    const i =
      names.map((n) => byKey.get(headerKey(n.trim()))).find((x) => x !== undefined) ??
      (mapped[c.name] === undefined
        ? names.map((n) => withParents(byKey, n)).find((x) => x !== undefined)
        : undefined);
    if (i !== undefined) index.set(c.name, i);
  }
  return index;
}

/**
 * Where a column's value sits inside another: PowerShell's Export-Csv writes an object field as
 * hashtable text (`deviceType` = `@{category=Desktop; type=Desktop}`), so a column known as
 * `deviceType.category` read from a `deviceType` header takes the `category` key of its value.
 */
function nestedPaths(
  header: readonly string[],
  columns: readonly Column[],
  index: ReadonlyMap<string, number>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of columns) {
    const i = index.get(c.name);
    if (i === undefined) continue;
    const h = headerKey((header[i] ?? "").trim());
    for (const n of [c.name, ...(c.aliases ?? [])]) {
      const parts = n.trim().split(".");
      if (parts.length > 1 && headerKey(parts[0] as string) === h) {
        out.set(c.name, parts.slice(1));
        break;
      }
    }
  }
  return out;
}

/** Column positions by field, with a dotted name also found under its first part (`system.serialNumber` under `system`). */
function withParents(byKey: Map<string, number>, name: string): number | undefined {
  const exact = byKey.get(headerKey(name.trim()));
  if (exact !== undefined || !name.includes(".")) return exact;
  return byKey.get(headerKey(name.trim().split(".")[0] as string));
}

/** The problems of a header: mapped headers it lacks, required columns it lacks. */
function headerIssues(
  header: readonly string[],
  index: ReadonlyMap<string, number>,
  format: Format<Kind>,
  source: SourceConfig,
): { field: string; message: string }[] {
  const has = `(the header has: ${listed(header)})`;
  const out: { field: string; message: string }[] = [];
  for (const [field, name] of Object.entries(source.columns ?? {})) {
    if (!index.has(field))
      out.push({
        field,
        message: `missing column "${name}" (sources[${source.index}].columns.${field}) ${has}`,
      });
  }
  for (const c of format.columns) {
    const fixed = c.name === "account" && source.client !== undefined;
    if (c.required && !index.has(c.name) && !fixed && source.columns?.[c.name] === undefined)
      out.push({ field: c.name, message: `missing required column "${c.name}" ${has}` });
  }
  for (const group of format.anyOf ?? []) {
    if (!group.some((c) => index.has(c)))
      out.push({
        field: group[0] as string,
        message: `missing a column: one of "${group.join('", "')}" ${has}`,
      });
  }
  return out;
}

/** The reader of a file's records once its header is checked; undefined (and issues) when it lacks columns. */
export function openHeader(
  header: CsvRecord,
  format: Format<Kind>,
  source: SourceConfig,
  issues: Issue[],
): Fields | undefined {
  const index = headerIndex(header.fields, format.columns, source.columns);
  const problems = headerIssues(header.fields, index, format, source);
  for (const p of problems) issues.push({ severity: "error", file: source.file, line: header.line, ...p });
  if (problems.length > 0) return undefined;
  const fields = new Fields(source.file, index, issues, valueTables(source));
  fields.nested = nestedPaths(header.fields, format.columns, index);
  return fields;
}

function valueTables(source: SourceConfig): ValueTables | undefined {
  if (!source.values) return undefined;
  const tables = new Map<string, Map<string, string>>();
  for (const [field, table] of Object.entries(source.values)) {
    tables.set(
      field,
      new Map(Object.entries(table).map(([theirs, ours]) => [theirs.trim().toLowerCase(), ours.trim()])),
    );
  }
  return tables;
}
