import { header } from "../statements/pdf.ts";
import {
  contentWidth,
  footers,
  heading,
  MUTED,
  newDoc,
  paragraph,
  row,
  toBuffer,
} from "../statements/pdf-table.ts";
import { NO_MSP } from "../workspace/msp.ts";
import { type LetterOptions, letterWords, longDate, money } from "./letter.ts";
import type { ClientRise } from "./plan.ts";

// The notice letter as a PDF, with the statements' machinery (pdfkit, fonts embedded, the MSP's
// header and logo): the same words as the HTML letter (letterWords).

export async function noticeLetterPdf(r: ClientRise, opts: LetterOptions, logo?: Buffer): Promise<Buffer> {
  const msp = opts.msp ?? NO_MSP;
  const words = letterWords(r, opts);
  const doc = newDoc(msp.paper, `Price notice: ${r.clientName}`);
  header(doc, { msp, client: { id: r.client, name: r.clientName } }, logo, "Price notice", [
    longDate(opts.date),
  ]);
  heading(doc, words.title);
  paragraph(doc, words.intro);
  const w = contentWidth(doc);
  const num = 78;
  const cols = [w - 4 * num, num, num, num, num];
  const cell = (text: string, i: number, more: { bold?: boolean; head?: boolean } = {}) => ({
    text,
    width: cols[i] as number,
    align: i === 0 ? ("left" as const) : ("right" as const),
    bold: more.bold || more.head,
    ...(more.head ? { size: 8.5, color: MUTED } : {}),
  });
  const head = () =>
    row(
      doc,
      ["Service", "Price now", "New price", "Quantity", "Monthly change"].map((t, i) =>
        cell(t, i, { head: true }),
      ),
    );
  head();
  for (const x of r.rises)
    row(
      doc,
      [
        x.name,
        money(x.oldPrice, opts.currency),
        money(x.newPrice, opts.currency),
        String(x.quantity),
        money(x.monthlyEffect, opts.currency),
      ].map((t, i) => cell(t, i)),
      { rule: "thin" },
      head,
    );
  row(
    doc,
    [
      { text: "Monthly change in total", width: w - num, bold: true },
      { text: money(r.monthlyEffect, opts.currency), width: num, bold: true, align: "right" },
    ],
    { rule: "thick" },
    head,
  );
  doc.y += 8;
  paragraph(doc, words.quantities, { size: 9, color: MUTED });
  if (words.kept) {
    paragraph(doc, words.kept);
    for (const k of words.keptItems) paragraph(doc, `•  ${k}`, { size: 9.5 });
  }
  paragraph(doc, words.closing);
  if (msp.name) paragraph(doc, msp.name, { bold: true });
  footers(doc, `${r.clientName} · ${longDate(r.anniversary)} · ${msp.name}`);
  return toBuffer(doc);
}
