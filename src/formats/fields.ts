import { type Money, parseMoney } from "../core/money.ts";
import type { Issue } from "../workspace/issues.ts";
import { FileDates, utcDate } from "./dates.ts";

export { utcDate };

// Reading one CSV record by column name, each bad value an issue naming file, line and column.

export interface Column {
  /** The name the format reads it by: a canonical field, or the vendor's usual header. */
  name: string;
  required: boolean;
  /** Other headers the vendor's exports give the same column. */
  aliases?: readonly string[];
  /** The values it takes, when they are a fixed set (checked in a source's `values:` table). */
  values?: readonly string[];
}

/** A header name as compared: without regard to case, spaces, `_`, `-` or `.` ("Last Seen" = lastSeen). */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]+/g, "");
}

/** A source's `values:` tables: per column, their value (lower case, trimmed) -> ours. */
export type ValueTables = ReadonlyMap<string, ReadonlyMap<string, string>>;

export class Fields {
  private fields: string[] = [];
  line = 0;
  ok = true;
  /** The file's date order (its source's setting, or what its dates settle). */
  dates = new FileDates();
  /** Columns whose value sits inside a PowerShell hashtable, by field: the keys to it. */
  nested = new Map<string, string[]>();
  /** Dates may be written as vendors write them, not only ISO (a mapped source: another tool's export). */
  vendorDates = false;
  /** Amounts and quantities may have a decimal comma ("1.234,50"): the file is separated by `;`. */
  decimalComma = false;

  constructor(
    private readonly file: string,
    private readonly index: ReadonlyMap<string, number>,
    private readonly issues: Issue[],
    private readonly tables?: ValueTables,
  ) {}

  reset(fields: string[], line: number): void {
    this.fields = fields;
    this.line = line;
    this.ok = true;
  }

  error(column: string, message: string): undefined {
    this.ok = false;
    this.issues.push({ severity: "error", file: this.file, line: this.line, field: column, message });
    return undefined;
  }

  has(column: string): boolean {
    return this.index.has(column);
  }

  /** The column's value, trimmed, through the source's `values:` table when it has one. */
  text(column: string): string {
    const i = this.index.get(column);
    const raw = i === undefined ? "" : (this.fields[i] ?? "").trim();
    const path = this.nested.size === 0 ? undefined : this.nested.get(column);
    const v = path !== undefined && raw.startsWith("@{") ? hashtableValue(raw, path) : raw;
    const table = this.tables === undefined || this.tables.size === 0 ? undefined : this.tables.get(column);
    return table === undefined ? v : (table.get(v.toLowerCase()) ?? v);
  }

  /** The first of `columns` with a value ("" when none has one). */
  first(...columns: string[]): string {
    for (const c of columns) {
      const v = this.text(c);
      if (v !== "") return v;
    }
    return "";
  }

  required(column: string): string | undefined {
    const v = this.text(column);
    return v === "" ? this.error(column, "is empty; a value is required") : v;
  }

  bool(column: string): boolean | undefined {
    const v = this.required(column);
    if (v === undefined) return undefined;
    const t = v.toLowerCase();
    if (t === "true" || t === "yes" || t === "1") return true;
    if (t === "false" || t === "no" || t === "0") return false;
    return this.error(column, `expected true or false, got "${v}"`);
  }

  oneOf<T extends string>(column: string, values: readonly T[], fallback?: T): T | undefined {
    const v = fallback === undefined ? this.required(column) : this.text(column) || fallback;
    if (v === undefined) return undefined;
    // The format's own string, not this row's copy: rows share one string per value.
    const i = (values as readonly string[]).indexOf(v.toLowerCase());
    if (i !== -1) return values[i] as T;
    return this.error(column, `expected one of ${values.join(", ")}, got "${v}"`);
  }

  quantity(column: string): number | undefined {
    const v = this.number(column);
    if (v === undefined) return undefined;
    if (!/^-?\d+(\.0+)?$/.test(v)) return this.error(column, `expected a whole number, got "${v}"`);
    const n = Number.parseInt(v, 10);
    if (n < 0) return this.error(column, `a quantity cannot be negative, got "${v}"`);
    if (!Number.isSafeInteger(n)) return this.error(column, `quantity "${v}" is too large`);
    return n;
  }

  money(column: string): Money | undefined {
    const v = this.number(column);
    if (v === undefined) return undefined;
    const example = this.decimalComma ? "12,50" : "12.50";
    return parseMoney(v) ?? this.error(column, `expected an amount such as ${example}, got "${v}"`);
  }

  /** A required number's text, a decimal comma read as a point in a `;` file (decimalComma). */
  private number(column: string): string | undefined {
    const v = this.required(column);
    if (v === undefined || !this.decimalComma) return v;
    const read = fromDecimalComma(v);
    if (read !== AMBIGUOUS) return read;
    return this.error(
      column,
      `"${v}" reads two ways in a file separated by semicolons: ${v.replaceAll(".", "")} (a dot between thousands) or ${v} (a decimal point); write ${v.replaceAll(".", "")} or ${v.replaceAll(".", "")},00 for the first, ${v.replace(".", ",")} for the second`,
    );
  }

  /** An ISO 8601 date or date-time, as a UTC instant (a bare date is its midnight UTC). */
  date(column: string): string | undefined {
    const v = this.required(column);
    if (v === undefined) return undefined;
    if (!this.vendorDates) this.dates.seen.add("other");
    const date = this.vendorDates ? this.dates.read(v, this.line, column) : utcDate(v);
    const also = this.vendorDates ? ", 11/01/2026 or 01/11/2026 in the file's order" : "";
    return (
      date ??
      this.error(
        column,
        `expected an ISO date such as 2026-11-01 or 2026-11-01T08:30:00Z${also}, got "${v}"${this.dates.why(v)}`,
      )
    );
  }
}

const AMBIGUOUS = Symbol("ambiguous");
const GROUPED = /^-?\d{1,3}\.\d{3}$/;
const COMMA_DECIMAL = /^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/;

/**
 * A number as Excel writes it where the decimal separator is a comma ("1.234,50", "165,00") in the
 * usual notation ("1234.50", "165.00"); other text as it is, a point decimal ("12.50") included.
 * One dot before three digits and no decimal comma ("1.234") reads two ways: AMBIGUOUS.
 */
export function fromDecimalComma(v: string): string | typeof AMBIGUOUS {
  if (GROUPED.test(v)) return AMBIGUOUS;
  if (!COMMA_DECIMAL.test(v)) return v;
  return v.replaceAll(".", "").replace(",", ".");
}

/**
 * The value at `path` in PowerShell's text of a hashtable, as Export-Csv writes an object field:
 * `@{category=Desktop; type=Desktop}`, nested as `@{organization=@{name=Contoso}}`. "" when absent.
 */
export function hashtableValue(text: string, path: readonly string[]): string {
  let v = text.trim();
  for (const key of path) {
    if (!v.startsWith("@{") || !v.endsWith("}")) return "";
    const entries = splitEntries(v.slice(2, -1));
    const hit = entries.find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (!hit) return "";
    v = hit[1];
  }
  return v;
}

/** "a=1; b=@{c=2; d=3}" -> [["a","1"],["b","@{c=2; d=3}"]], splitting at "; " outside nested braces. */
function splitEntries(body: string): [string, string][] {
  const out: [string, string][] = [];
  let depth = 0;
  let from = 0;
  const push = (end: number) => {
    const piece = body.slice(from, end);
    const eq = piece.indexOf("=");
    if (eq > 0) out.push([piece.slice(0, eq).trim(), piece.slice(eq + 1).trim()]);
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (ch === ";" && depth === 0) {
      push(i);
      from = i + 1;
    }
  }
  push(body.length);
  return out;
}
