import { csvText } from "../core/csv.ts";
import { formatMoney } from "../core/money.ts";
import type { Report } from "../core/report.ts";

// One row per finding, for a spreadsheet: through the one CSV writer (core/csv.ts) that neutralises
// formula cells.

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

function* rows(report: Report) {
  for (const c of report.clients) {
    for (const f of c.findings) {
      yield [
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
    }
  }
}

export function reportToCsv(report: Report): string {
  return csvText(HEADER, rows(report));
}
