import { type Money, parseMoney } from "../core/money.ts";
import type { Issue } from "../workspace/issues.ts";

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
    const v = i === undefined ? "" : (this.fields[i] ?? "").trim();
    const table = this.tables?.get(column);
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
    const t = v.toLowerCase();
    if ((values as readonly string[]).includes(t)) return t as T;
    return this.error(column, `expected one of ${values.join(", ")}, got "${v}"`);
  }

  quantity(column: string): number | undefined {
    const v = this.required(column);
    if (v === undefined) return undefined;
    if (!/^-?\d+(\.0+)?$/.test(v)) return this.error(column, `expected a whole number, got "${v}"`);
    const n = Number.parseInt(v, 10);
    if (n < 0) return this.error(column, `a quantity cannot be negative, got "${v}"`);
    if (!Number.isSafeInteger(n)) return this.error(column, `quantity "${v}" is too large`);
    return n;
  }

  money(column: string): Money | undefined {
    const v = this.required(column);
    if (v === undefined) return undefined;
    return parseMoney(v) ?? this.error(column, `expected an amount such as 12.50, got "${v}"`);
  }

  /** An ISO 8601 date or date-time, as a UTC instant (a bare date is its midnight UTC). */
  date(column: string): string | undefined {
    const v = this.required(column);
    if (v === undefined) return undefined;
    const date = utcDate(v);
    return (
      date ??
      this.error(column, `expected an ISO date such as 2026-11-01 or 2026-11-01T08:30:00Z, got "${v}"`)
    );
  }
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

// Exports repeat the same few timestamps thousands of times: parse each distinct text once.
const dateCache = new Map<string, string | undefined>();

export function utcDate(v: string): string | undefined {
  let d = dateCache.get(v);
  if (d === undefined && !dateCache.has(v)) {
    d = parseUtcDate(v);
    if (dateCache.size > 100_000) dateCache.clear();
    dateCache.set(v, d);
  }
  return d;
}

function parseUtcDate(v: string): string | undefined {
  const m = ISO.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m;
  const day = `${y}-${mo}-${d}`;
  const check = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== day) return undefined;
  if (h === undefined) return `${day}T00:00:00.000Z`;
  if (Number(h) > 23 || Number(mi) > 59) return undefined;
  const offset = m[7];
  // A time with no offset is taken as UTC, as the spec keeps all time in UTC.
  const iso = `${day}T${h}:${mi}:${m[6] ?? "00"}${offset === undefined || offset === "Z" ? "Z" : normalizeOffset(offset)}`;
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

function normalizeOffset(o: string): string {
  return o.includes(":") ? o : `${o.slice(0, 3)}:${o.slice(3)}`;
}
