import type { Fields } from "./fields.ts";

/**
 * The end of a licence's commitment term (yyyy-mm-dd, UTC) from the first of `columns` that has a
 * value, read in the file's date order like its other dates; undefined when none has one. A value
 * that is no date is an error at its column.
 */
export function termEnd(f: Fields, ...columns: string[]): string | undefined {
  for (const column of columns) {
    const text = f.text(column);
    if (text === "") continue;
    const instant = f.dates.read(text, f.line, column);
    if (instant === undefined)
      return f.error(
        column,
        `expected the date the term ends, such as 2027-01-31, got "${text}"${f.dates.why(text)}`,
      );
    return instant.slice(0, 10);
  }
  return undefined;
}

const NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, five: 5, "1": 1, "2": 2, "3": 3, "5": 5 };

/**
 * The length in months of a commitment term as vendors write it: Pax8's `commitmentTerm.term`
 * ("1-Year", "3-Year", "Monthly"), Partner Center's `TermAndBillingCycle` ("1 Year, monthly",
 * "One-Year commitment for monthly/yearly billing", "Monthly term, Monthly billing"), or an ISO
 * duration ("P1Y", "P1M"). Undefined for anything else: a length is never guessed.
 */
export function termMonths(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const iso = /^p(\d+)([ym])$/.exec(t);
  if (iso) return Number(iso[1]) * (iso[2] === "y" ? 12 : 1);
  const counted = /\b(one|two|three|five|\d+)[\s-]*(year|yr|month)s?\b/.exec(t);
  if (counted) {
    const n = NUMBERS[counted[1] as string] ?? Number(counted[1]);
    return counted[2] === "month" ? n : n * 12;
  }
  if (/^(annual|yearly|annual term|monthly|monthly term)\b/.test(t)) return t.startsWith("month") ? 1 : 12;
  return undefined;
}
