// CSV for people to open in a spreadsheet (RFC 4180), every cell neutralised against formula
// injection (OWASP "CSV Injection"; docs/security.md "CSV formula cells"). The one CSV writer of the
// CLI's reports and the API's exports; the data export (`trueup export`) writes the imported files
// back byte for byte instead, because they are data to read again, not a report to open.

/**
 * A spreadsheet reads a cell starting with = + - @ (or their full-width forms, which some locales
 * accept), a tab, a carriage return or a NUL as a formula or strips the start and reads on. Leading
 * spaces do not protect: some spreadsheets trim them first.
 */
const FORMULA_START = /^[\s\0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n\0]/u;

/** A plain number ("-12.00", "3") is no formula: left as it is, so that money stays a number. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell: text that a spreadsheet would run gets a leading `'`; quoted when RFC 4180 needs it. */
export function csvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A file: the header and the rows, CRLF line ends as RFC 4180 writes them. */
export function csvText(
  header: readonly string[],
  rows: Iterable<readonly (string | number | null | undefined)[]>,
) {
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(row.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
