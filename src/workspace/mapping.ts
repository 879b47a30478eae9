import type { Column } from "../formats/fields.ts";
import { findFormat } from "../formats/index.ts";
import { describe, type Reader } from "./reader.ts";
import { suggest } from "./references.ts";
import type { Path } from "./yaml.ts";

// A source's mapping of another tool's CSV onto a format: `columns:` names the header each field is
// read from, `values:` translates a field's values (their text -> ours). So a new vendor's export
// needs configuration, not code. Keys are checked against the format's fields, target values
// against the values a field takes, each problem at its YAML path.

export interface SourceMapping {
  /** Field -> the header it is read from. */
  columns?: Record<string, string>;
  /** Field -> (their value -> ours). */
  values?: Record<string, Record<string, string>>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Text of a YAML scalar (numbers and booleans as written), else undefined. */
function scalarText(r: Reader, path: Path, v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return r.y.sourceText(path) ?? String(v);
  return undefined;
}

/** The source's columns: and values:, checked against its format (when the format is known). */
export function readMapping(r: Reader, o: Obj, p: Path, formatName: string): SourceMapping {
  const columns = findFormat(formatName)?.columns;
  const field = (key: string, path: Path): Column | undefined | false => {
    if (!columns) return undefined; // an unknown format is reported on its own
    const c = columns.find((col) => col.name === key);
    if (c) return c;
    const names = new Set(columns.map((col) => col.name));
    r.y.error(path, `unknown field "${key}" of ${formatName}${suggest(key, names)}`);
    return false;
  };
  const out: SourceMapping = {};
  if (o.columns !== undefined && o.columns !== null)
    out.columns = readColumns(r, o.columns, [...p, "columns"], field);
  if (o.values !== undefined && o.values !== null)
    out.values = readValues(r, o.values, [...p, "values"], field);
  return out;
}

type FieldOf = (key: string, path: Path) => Column | undefined | false;

function readColumns(r: Reader, v: unknown, p: Path, field: FieldOf): Record<string, string> | undefined {
  if (!isObj(v)) {
    r.y.error(p, `expected a mapping of field: header, got ${describe(v)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [key, header] of Object.entries(v)) {
    if (field(key, [...p, key]) === false) continue;
    const text = scalarText(r, [...p, key], header);
    if (text === undefined || text.trim() === "") r.y.error([...p, key], "expected the header of a column");
    else out[key] = text;
  }
  return out;
}

function readValues(
  r: Reader,
  v: unknown,
  p: Path,
  field: FieldOf,
): Record<string, Record<string, string>> | undefined {
  if (!isObj(v)) {
    r.y.error(p, `expected a mapping of field: { their value: ours }, got ${describe(v)}`);
    return undefined;
  }
  const out: Record<string, Record<string, string>> = {};
  for (const [key, table] of Object.entries(v)) {
    const column = field(key, [...p, key]);
    if (column === false) continue;
    if (!isObj(table)) {
      r.y.error([...p, key], `expected a mapping of their value: ours, got ${describe(table)}`);
      continue;
    }
    out[key] = {};
    for (const [theirs, ours] of Object.entries(table)) {
      const at = [...p, key, theirs];
      const text = scalarText(r, at, ours);
      const allowed = column ? column.values : undefined;
      if (text === undefined) r.y.error(at, `expected text, got ${describe(ours)}`);
      else if (allowed && text.trim() !== "" && !allowed.includes(text.trim().toLowerCase()))
        r.y.error(at, `expected one of ${allowed.join(", ")}, got "${text}"`);
      else (out[key] as Record<string, string>)[theirs] = text;
    }
  }
  return out;
}
