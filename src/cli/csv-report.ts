import { formatMoney } from "../core/money.ts";
import type { Report } from "../core/report.ts";

// One row per finding, for a spreadsheet.

const HEADER = [
  "client",
  "clientName",
  "type",
  "subject",
  "expected",
  "actual",
  "monthlyImpact",
  "currency",
  "evidence",
];

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function reportToCsv(report: Report): string {
  const lines = [HEADER.join(",")];
  for (const c of report.clients) {
    for (const f of c.findings) {
      const row = [
        c.id,
        c.name,
        f.type,
        f.subject,
        f.expected === null ? "" : String(f.expected),
        f.actual === null ? "" : String(f.actual),
        formatMoney(f.monthlyImpact),
        report.currency,
        f.evidence.join("; "),
      ];
      lines.push(row.map(csvField).join(","));
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
