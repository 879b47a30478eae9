import ExcelJS from "exceljs";
import { csvRow } from "../statements/csv.ts";
import type { Breakdown, Figures } from "./breakdown.ts";

// The breakdown as CSV and as an Excel workbook: one row per client and subject, then the group's total.

const FIGURES = ["required", "billed", "purchased", "deployed"] as const;

function figures(f: Figures): (number | null)[] {
  return FIGURES.map((k) => f[k]);
}

export function breakdownCsv(b: Breakdown): string {
  const rows = [csvRow(["asOf", b.groupBy, "client", "clientName", "subject", "name", ...FIGURES])];
  for (const g of b.groups) {
    for (const r of g.rows)
      rows.push(csvRow([b.asOf, g.key, r.client, r.clientName, r.subject, r.name, ...figures(r)]));
    if (g.total) rows.push(csvRow([b.asOf, g.key, "(total)", null, g.key, g.name, ...figures(g.total)]));
  }
  return `${rows.join("\r\n")}\r\n`;
}

export async function breakdownXlsx(b: Breakdown): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Trueup";
  const ws = wb.addWorksheet("Breakdown", { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = [
    {
      header: b.groupBy === "client" ? "Client" : b.groupBy === "service" ? "Service" : "Bundle",
      key: "group",
      width: 32,
    },
    { header: "Client", key: "client", width: 30 },
    { header: "Subject", key: "name", width: 36 },
    ...FIGURES.map((k) => ({ header: k[0]?.toUpperCase() + k.slice(1), key: k, width: 12 })),
  ];
  ws.getRow(1).font = { bold: true };
  for (const g of b.groups) {
    for (const r of g.rows)
      ws.addRow({
        group: g.name,
        client: r.clientName,
        name: r.component ? `  ${r.name}` : r.name,
        ...pick(r),
      });
    if (g.total) {
      const total = ws.addRow({ group: g.name, client: "Total", name: g.name, ...pick(g.total) });
      total.font = { bold: true };
    }
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 3 + FIGURES.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function pick(f: Figures): Record<string, number | null> {
  return Object.fromEntries(FIGURES.map((k) => [k, f[k]]));
}
