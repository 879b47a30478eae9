import type { Fields } from "./fields.ts";
import { vendorDate } from "./vendor.ts";

/**
 * The end of a licence's commitment term (yyyy-mm-dd, UTC) from the first of `columns` that has a
 * value, in any date form vendors export; undefined when none has one. A value that is no date is an
 * error at its column.
 */
export function termEnd(f: Fields, ...columns: string[]): string | undefined {
  for (const column of columns) {
    const text = f.text(column);
    if (text === "") continue;
    const instant = vendorDate(text);
    if (instant === undefined)
      return f.error(column, `expected the date the term ends, such as 2027-01-31, got "${text}"`);
    return instant.slice(0, 10);
  }
  return undefined;
}
