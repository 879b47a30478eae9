import type { Statement } from "./statement.ts";

// The statement as CSV: one row per line, then one per user or device behind it, for a spreadsheet.

export function csvRow(values: readonly (string | number | null)[]): string {
  return values
    .map((v) => {
      if (v === null) return "";
      let s = String(v);
      // A text that a spreadsheet would run as a formula is written as text.
      if (typeof v === "string" && /^[=@]/.test(s)) s = `'${s}`;
      return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(",");
}

const HEADER = [
  "client",
  "month",
  "currency",
  "line",
  "per",
  "quantity",
  "unitPrice",
  "total",
  "member",
  "name",
  "deviceType",
  "lastSeen",
];

export function statementCsv(s: Statement): string {
  const rows = [csvRow(HEADER)];
  const base = [s.client.id, s.month, s.currency];
  for (const l of s.lines) {
    rows.push(csvRow([...base, l.name, l.per, l.quantity, l.unitPrice, l.total, null, null, null, null]));
    for (const m of [...l.users, ...l.devices])
      rows.push(
        csvRow([
          ...base,
          l.name,
          l.per,
          null,
          null,
          null,
          m.kind,
          m.name,
          m.type ?? null,
          m.lastSeen ?? null,
        ]),
      );
  }
  rows.push(csvRow([...base, "Total per month", null, null, null, s.total, null, null, null, null]));
  return `${rows.join("\r\n")}\r\n`;
}
