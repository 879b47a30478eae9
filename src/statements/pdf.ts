import {
  ACCENT,
  contentWidth,
  type Doc,
  ensureSpace,
  footers,
  heading,
  MARGIN,
  MUTED,
  newDoc,
  paragraph,
  row,
  toBuffer,
} from "./pdf-table.ts";
import type { Member, Statement, StatementLine } from "./statement.ts";
import { ACKNOWLEDGEMENT, amount, memberText, monthName, PER_WORDS } from "./words.ts";

// The statement as a PDF (pdfkit, fonts embedded): the same sections as the HTML page.

export async function statementPdf(s: Statement, logo?: Buffer): Promise<Buffer> {
  const doc = newDoc(s.msp.paper, `Statement ${monthName(s.month)}: ${s.client.name}`);
  header(doc, s, logo, "Statement", [
    `${monthName(s.month)} · as of ${s.asOf}`,
    `Amounts in ${s.currency}, per month`,
  ]);
  paragraph(
    doc,
    `${amount(s.total)} ${s.currency} per month · ${s.counts.users} users and ${s.counts.devices} devices managed`,
    {
      bold: true,
      size: 11,
    },
  );
  heading(doc, "What you pay for");
  linesTable(doc, s);
  changes(doc, s);
  protection(doc, s);
  acknowledgement(doc);
  footers(doc, `${s.client.name} · ${monthName(s.month)} · ${s.msp.name}`);
  return toBuffer(doc);
}

export function header(
  doc: Doc,
  s: { msp: Statement["msp"]; client: Statement["client"] },
  logo: Buffer | undefined,
  title = "Statement",
  lines: string[] = [],
): void {
  const w = contentWidth(doc);
  const top = doc.y;
  let x = MARGIN;
  if (logo) {
    doc.image(logo, MARGIN, top, { fit: [120, 44] });
    x += 130;
  }
  doc
    .font("bold")
    .fontSize(12)
    .fillColor("#1d2330")
    .text(s.msp.name, x, top, { width: w / 2 - (x - MARGIN) });
  doc.font("body").fontSize(9).fillColor(MUTED);
  for (const l of s.msp.address) doc.text(l, x, doc.y, { width: w / 2 - (x - MARGIN) });
  const leftBottom = Math.max(doc.y, logo ? top + 46 : top);
  doc
    .font("bold")
    .fontSize(20)
    .fillColor(ACCENT)
    .text(title, MARGIN + w / 2, top, { width: w / 2, align: "right" });
  doc
    .font("bold")
    .fontSize(12)
    .fillColor("#1d2330")
    .text(s.client.name, MARGIN + w / 2, doc.y, { width: w / 2, align: "right" });
  doc.font("body").fontSize(9).fillColor(MUTED);
  for (const l of lines) doc.text(l, MARGIN + w / 2, doc.y, { width: w / 2, align: "right" });
  doc.y = Math.max(doc.y, leftBottom) + 8;
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(MARGIN + w, doc.y)
    .lineWidth(1.5)
    .strokeColor(ACCENT)
    .stroke();
  doc.y += 10;
  doc.x = MARGIN;
}

function linesTable(doc: Doc, s: Statement): void {
  const w = contentWidth(doc);
  const num = 72;
  const cols = [w - 3 * num, num, num, num];
  const head = () =>
    row(doc, [
      { text: "Service", width: cols[0] as number, bold: true, size: 8.5, color: MUTED },
      { text: "Quantity", width: num, bold: true, size: 8.5, color: MUTED, align: "right" },
      { text: `Unit price (${s.currency})`, width: num, bold: true, size: 8.5, color: MUTED, align: "right" },
      { text: `Total (${s.currency})`, width: num, bold: true, size: 8.5, color: MUTED, align: "right" },
    ]);
  head();
  for (const l of s.lines) lineRows(doc, l, cols as [number, number, number, number], head);
  row(
    doc,
    [
      { text: "Total per month", width: w - num, bold: true },
      { text: amount(s.total), width: num, bold: true, align: "right" },
    ],
    { rule: "thick" },
    head,
  );
}

function lineRows(
  doc: Doc,
  l: StatementLine,
  cols: [number, number, number, number],
  head: () => void,
): void {
  const [name, qty, unit, total] = cols;
  // A line's name keeps its first details with it on the page.
  if (ensureSpace(doc, 60)) head();
  row(
    doc,
    [
      { text: l.name, width: name, bold: true },
      { text: String(l.quantity), width: qty, align: "right" },
      { text: amount(l.unitPrice), width: unit, align: "right" },
      { text: amount(l.total), width: total, align: "right" },
    ],
    { rule: "thin" },
    head,
  );
  const small = (text: string) =>
    row(doc, [{ text, width: name + qty + unit + total, size: 8.5, color: MUTED }], {}, head);
  small(PER_WORDS[l.per] + (l.includes.length > 0 ? `. Includes: ${l.includes.join(", ")}` : ""));
  for (const n of l.notes) small(n);
  members(doc, `Users (${l.users.length})`, l.users, head);
  members(doc, `Devices (${l.devices.length})`, l.devices, head);
}

/** Names two to a row, so that a long list breaks between rows. */
export function members(doc: Doc, title: string, list: Member[], head?: () => void): void {
  if (list.length === 0) return;
  const w = contentWidth(doc);
  row(doc, [{ text: title, width: w, bold: true, size: 8.5, color: MUTED }], {}, head);
  for (let i = 0; i < list.length; i += 2) {
    const pair = list.slice(i, i + 2);
    row(
      doc,
      pair.map((m) => ({ text: memberText(m), width: w / 2, size: 8.5 })),
      {},
      head,
    );
  }
}

function changes(doc: Doc, s: Statement): void {
  const c = s.changes;
  if (!c) {
    heading(doc, "What changed");
    paragraph(doc, "This is the first statement: there is no earlier month to compare with.");
    return;
  }
  heading(doc, `What changed since ${monthName(c.previousMonth)}`);
  const w = contentWidth(doc);
  const num = 72;
  if (c.lines.length === 0) paragraph(doc, "No line changed.");
  else {
    const head = () =>
      row(doc, [
        { text: "Line", width: w - 3 * num, bold: true, size: 8.5, color: MUTED },
        { text: "Was", width: num, bold: true, size: 8.5, color: MUTED, align: "right" },
        { text: "Now", width: num, bold: true, size: 8.5, color: MUTED, align: "right" },
        { text: `Effect (${s.currency})`, width: num, bold: true, size: 8.5, color: MUTED, align: "right" },
      ]);
    head();
    for (const l of c.lines)
      row(
        doc,
        [
          { text: l.name, width: w - 3 * num },
          { text: String(l.from), width: num, align: "right" },
          { text: String(l.to), width: num, align: "right" },
          { text: amount(l.effect), width: num, align: "right" },
        ],
        { rule: "thin" },
        head,
      );
    row(
      doc,
      [
        { text: "Change per month", width: w - num, bold: true },
        { text: amount(c.effect), width: num, bold: true, align: "right" },
      ],
      { rule: "thick" },
      head,
    );
  }
  doc.y += 6;
  if (c.members.length === 0) {
    paragraph(doc, "No user or device joined or left.");
    return;
  }
  const head = () =>
    row(doc, [
      { text: "User or device", width: w * 0.45, bold: true, size: 8.5, color: MUTED },
      { text: "Change", width: w * 0.4, bold: true, size: 8.5, color: MUTED },
      { text: "Date", width: w * 0.15, bold: true, size: 8.5, color: MUTED },
    ]);
  head();
  for (const m of c.members) {
    const what = m.change === "moved" ? `moved from ${m.from} to ${m.line}` : `${m.change} (${m.line})`;
    row(
      doc,
      [
        { text: memberText(m.member), width: w * 0.45, size: 9 },
        { text: what, width: w * 0.4, size: 9 },
        { text: m.date, width: w * 0.15, size: 9 },
      ],
      { rule: "thin" },
      head,
    );
  }
}

function protection(doc: Doc, s: Statement): void {
  if (s.protection.length === 0) return;
  heading(doc, "Protection");
  const w = contentWidth(doc);
  for (const p of s.protection) {
    const fill = p.gaps.length === 0 ? "#f3f8f3" : "#fdf1f1";
    row(doc, [{ text: `${p.name}: ${p.covered} of ${p.counted} devices protected`, width: w, bold: true }], {
      fill,
    });
    row(doc, [{ text: p.why, width: w, size: 9 }], { fill });
    members(doc, "Not protected", p.gaps);
    doc.y += 6;
  }
}

function acknowledgement(doc: Doc): void {
  const w = contentWidth(doc);
  ensureSpace(doc, 120);
  heading(doc, "Acknowledgement");
  paragraph(doc, ACKNOWLEDGEMENT);
  doc.y += 30;
  const y = doc.y;
  const third = (w - 40) / 3;
  for (const [i, label] of ["Name", "Signature", "Date"].entries()) {
    const x = MARGIN + i * (third + 20);
    doc
      .moveTo(x, y)
      .lineTo(x + third, y)
      .lineWidth(0.6)
      .strokeColor("#555555")
      .stroke();
    doc
      .font("body")
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(label, x, y + 3, { width: third });
  }
  doc.x = MARGIN;
  doc.y = y + 20;
}
