// Dates as consoles export them, and which way round a file's slash dates are. A PC set to en-US
// writes 10/13/2026, one set to en-GB (and en-AU, en-NZ, en-IE, en-ZA, most of the EU) 13/10/2026;
// a date whose day is 12 or less reads both ways, so the order is the file's (a day above 12
// settles it) or the one the workspace states (`dateFormat`), never a guess.

export type DateOrder = "day-first" | "month-first";

const EPOCH = /^\d{9,13}(\.\d+)?$/;
// Day and month either way round, a 4- or 2-digit year, an optional 12- or 24-hour time.
const SLASH =
  /^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp])\.?\s?[Mm]\.?)?)?(?:\s*(?:UTC|GMT|Z))?$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

const pad = (n: number | string) => String(n).padStart(2, "0");

/** A two-digit year as Excel reads it: 00-29 are 2000s, 30-99 1900s. */
function fullYear(y: string): string {
  if (y.length === 4) return y;
  const n = Number(y);
  return String(n < 30 ? 2000 + n : 1900 + n);
}

function hour24(h: string | undefined, half: string | undefined): number | undefined {
  const hour = Number(h ?? 0);
  if (half === undefined) return hour;
  if (hour < 1 || hour > 12) return undefined;
  return (hour % 12) + (half.toLowerCase() === "p" ? 12 : 0);
}

/** Whether a text is a slash date, and if so which order its numbers prove ("either" when both read). */
export function slashOrder(text: string): DateOrder | "either" | undefined {
  const m = SLASH.exec(text.trim());
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a > 12 && b <= 12) return "day-first";
  if (b > 12 && a <= 12) return "month-first";
  return "either";
}

/**
 * A date as consoles export it, as a UTC instant: ISO 8601 (2026-10-31T08:30:00Z), epoch seconds or
 * milliseconds (NinjaOne's lastContact), slash dates in `order` with an optional 12- or 24-hour time
 * (10/31/2026 8:30 PM, 5/11/2026 8:30:00 am, 31/10/26 20:30), or day.month.year (31.10.2026 20:30).
 * Without an order, a slash date is read the way its numbers allow, month-first when both do. A time
 * without an offset is UTC.
 */
export function vendorDate(text: string, order?: DateOrder): string | undefined {
  const v = text.trim();
  const iso = utcDate(v.replace(/^(\d{4})\/(\d{2})\/(\d{2})/, "$1-$2-$3"));
  if (iso !== undefined) return iso;
  if (EPOCH.test(v)) {
    const n = Number(v);
    const d = new Date(n >= 1e11 ? n : n * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  const slash = SLASH.exec(v);
  if (slash) {
    const [, a, b, y, h, mi, s, half] = slash;
    const dayFirst = (order ?? slashOrder(v)) === "day-first";
    const [d, mo] = dayFirst ? [a, b] : [b, a];
    const hour = hour24(h, half);
    if (hour === undefined) return undefined;
    return utcDate(
      `${fullYear(y as string)}-${pad(mo as string)}-${pad(d as string)}T${pad(hour)}:${mi ?? "00"}:${s ?? "00"}Z`,
    );
  }
  const dotted = DOTTED.exec(v);
  if (dotted) {
    const [, d, mo, y, h, mi, s] = dotted;
    return utcDate(
      `${fullYear(y as string)}-${pad(mo as string)}-${pad(d as string)}T${pad(h ?? 0)}:${mi ?? "00"}:${s ?? "00"}Z`,
    );
  }
  return undefined;
}

/** A `dateFormat:` setting as an order: DD/MM/YYYY, D/M/YY, day-first; MM/DD/YYYY, month-first. */
export function parseDateFormat(text: string): DateOrder | undefined {
  const t = text.trim().toLowerCase();
  if (t === "day-first" || t === "dmy") return "day-first";
  if (t === "month-first" || t === "mdy") return "month-first";
  const m = /^(d{1,2}|m{1,2})[/.-](d{1,2}|m{1,2})[/.-]y{2,4}\b/.exec(t);
  if (!m || m[1]?.[0] === m[2]?.[0]) return undefined;
  return m[1]?.startsWith("d") ? "day-first" : "month-first";
}

export const DATE_FORMATS = "DD/MM/YYYY (day-first) or MM/DD/YYYY (month-first)";

/**
 * The slash-date order of one file as its rows are read: the stated one, else settled by the first
 * date that reads only one way. Until then, a row whose dates read both ways is `undecided`: the
 * reader holds it back and reads it again once the order is known.
 */
export class FileDates {
  order?: DateOrder;
  /** Why the order is what it is: the setting, or the value and line that settled it. */
  settledBy?: string;
  /** The current row read a date that reads both ways while the order is unknown. */
  undecided = false;
  /** The first such date, for the error when nothing settles the order. */
  sample?: { value: string; line: number; column: string };
  /** What kinds of dates the file held, for the summary. */
  readonly seen = new Set<"slash" | "other">();

  constructor(stated?: { order: DateOrder; by: string }) {
    if (stated) {
      this.order = stated.order;
      this.settledBy = `set by ${stated.by}`;
    }
  }

  /** One date's text at `line`, as a UTC instant, or undefined when it is no date (in this order). */
  read(text: string, line: number, column: string): string | undefined {
    const proves = slashOrder(text);
    if (proves === undefined) {
      this.seen.add("other");
      return vendorDate(text);
    }
    this.seen.add("slash");
    if (this.order === undefined && proves !== "either") {
      this.order = proves;
      this.settledBy = `settled by "${text.trim()}" at line ${line}`;
    }
    if (this.order === undefined) {
      this.undecided = true;
      this.sample ??= { value: text.trim(), line, column };
      return vendorDate(text, "month-first");
    }
    return vendorDate(text, this.order);
  }

  /** Why a slash date did not read in the file's order ("" when the order is not the reason). */
  why(text: string): string {
    const proves = slashOrder(text);
    if (proves === undefined || this.order === undefined || proves === this.order) return "";
    return ` (this file's dates are ${this.order}, ${this.settledBy})`;
  }

  /** The order used, as the validate summary prints it. */
  describe(): string {
    if (this.order !== undefined && (this.seen.has("slash") || this.settledBy?.startsWith("set")))
      return `${this.order}, ${this.settledBy}`;
    if (this.seen.size === 0) return "no dates read";
    return "ISO or other unambiguous dates (no slash dates)";
  }
}

// ISO 8601 dates and date-times (the contract's), as UTC instants.

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
