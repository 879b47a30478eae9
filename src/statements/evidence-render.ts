import { csvRow } from "./csv.ts";
import type { Evidence } from "./evidence.ts";
import { header } from "./pdf.ts";
import {
  contentWidth,
  type Doc,
  footers,
  heading,
  MUTED,
  newDoc,
  paragraph,
  row,
  toBuffer,
} from "./pdf-table.ts";

// Protection evidence as CSV (one row per device and service, then stale devices and unknown agents)
// and as PDF.

const HEADER = [
  "client",
  "asOf",
  "section",
  "hostname",
  "deviceType",
  "lastSeen",
  "service",
  "status",
  "consoleRow",
];

export function evidenceCsv(e: Evidence): string {
  const base = [e.client.id, e.asOf];
  const rows = [csvRow(HEADER)];
  for (const r of e.rows)
    rows.push(
      csvRow([...base, "protection", r.hostname, r.type, r.lastSeen, r.serviceName, r.status, r.consoleRow]),
    );
  for (const d of e.unprotected)
    rows.push(
      csvRow([...base, "no protective service", d.hostname, d.type, d.lastSeen, null, "not required", null]),
    );
  for (const d of e.stale)
    rows.push(
      csvRow([...base, "stale", d.hostname, d.type, d.lastSeen, null, `not seen for ${d.days} days`, null]),
    );
  for (const a of e.unknownAgents)
    rows.push(
      csvRow([
        ...base,
        "unknown agent",
        a.hostname,
        null,
        null,
        a.deployment,
        "no managed device",
        a.consoleRow,
      ]),
    );
  return `${rows.join("\r\n")}\r\n`;
}

export async function evidencePdf(e: Evidence, logo?: Buffer): Promise<Buffer> {
  const doc = newDoc(e.msp.paper, `Protection evidence: ${e.client.name}, ${e.asOf}`);
  header(doc, e, logo, "Protection evidence", [
    `As of ${e.asOf}`,
    `Stale after ${e.staleDeviceDays} days without contact`,
  ]);
  heading(doc, "Summary");
  for (const s of e.services)
    paragraph(doc, `${s.name}: ${s.covered} of ${s.counted} devices covered, ${s.counted - s.covered} gaps.`);
  paragraph(
    doc,
    `${e.stale.length} stale devices, ${e.unknownAgents.length} console agents that match no managed device.`,
  );
  heading(doc, "Devices and their protection");
  table(
    doc,
    ["Device", "Type", "Last seen", "Service", "Status", "Console row"],
    [0.2, 0.11, 0.12, 0.25, 0.1, 0.22],
    e.rows.map((r) => [
      r.hostname,
      r.type,
      r.lastSeen,
      r.serviceName,
      r.status === "gap" ? "GAP" : "covered",
      r.consoleRow ?? "",
    ]),
  );
  if (e.unprotected.length > 0) {
    heading(doc, "Devices no protective service is required for");
    table(
      doc,
      ["Device", "Type", "Last seen"],
      [0.4, 0.3, 0.3],
      e.unprotected.map((d) => [d.hostname, d.type, d.lastSeen]),
    );
  }
  heading(doc, "Stale devices");
  if (e.stale.length === 0) paragraph(doc, "None.");
  else
    table(
      doc,
      ["Device", "Type", "Last seen", "Days"],
      [0.4, 0.2, 0.2, 0.2],
      e.stale.map((d) => [d.hostname, d.type, d.lastSeen, String(d.days)]),
    );
  heading(doc, "Console agents with no managed device");
  if (e.unknownAgents.length === 0) paragraph(doc, "None.");
  else
    table(
      doc,
      ["Agent", "Deployment", "Console row"],
      [0.4, 0.2, 0.4],
      e.unknownAgents.map((a) => [a.hostname, a.deployment, a.consoleRow]),
    );
  footers(doc, `${e.client.name} · protection evidence as of ${e.asOf} · ${e.msp.name}`);
  return toBuffer(doc);
}

function table(doc: Doc, titles: string[], widths: number[], rows: string[][]): void {
  const w = contentWidth(doc);
  const head = () =>
    row(
      doc,
      titles.map((t, i) => ({
        text: t,
        width: (widths[i] as number) * w,
        bold: true,
        size: 8.5,
        color: MUTED,
      })),
    );
  head();
  for (const r of rows)
    row(
      doc,
      r.map((t, i) => ({
        text: t,
        width: (widths[i] as number) * w,
        size: 8.5,
        bold: t === "GAP",
        color: t === "GAP" ? "#c62828" : undefined,
      })),
      { rule: "thin" },
      head,
    );
}
