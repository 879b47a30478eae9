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
