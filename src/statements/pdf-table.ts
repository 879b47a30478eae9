import { fileURLToPath } from "node:url";
import PDFDocument from "pdfkit";

// A small layout layer over pdfkit: embedded fonts, text blocks and table rows that move whole to
// the next page (a row is never split), with the table's header repeated there.

export type Doc = PDFKit.PDFDocument;

const FONT_FILES = {
  body: "@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff",
  bold: "@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff",
};

export const MARGIN = 48;
export const INK = "#1d2330";
export const ACCENT = "#1d3d6e";
export const MUTED = "#555555";

export function newDoc(paper: "A4" | "Letter", title: string): Doc {
  const doc = new PDFDocument({
    size: paper === "Letter" ? "LETTER" : "A4",
    margin: MARGIN,
    bufferPages: true,
    info: { Title: title, Producer: "Trueup", Creator: "Trueup" },
  });
  for (const [name, file] of Object.entries(FONT_FILES))
    doc.registerFont(name, fileURLToPath(import.meta.resolve(file)));
  doc.font("body").fontSize(10).fillColor(INK);
  return doc;
}

export function toBuffer(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.end();
  });
}

export function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN;
}

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN;
}

/** Starts a new page when `height` does not fit on this one; true when it did. */
export function ensureSpace(doc: Doc, height: number): boolean {
  if (doc.y + height <= bottom(doc)) return false;
  doc.addPage();
  return true;
}

export interface Cell {
  text: string;
  width: number;
  align?: "left" | "right";
  bold?: boolean;
  size?: number;
  color?: string;
}

const PAD = 3;

function cellHeight(doc: Doc, c: Cell): number {
  doc.font(c.bold ? "bold" : "body").fontSize(c.size ?? 9.5);
  // Most cells hold one short line: measuring its width is far cheaper than laying it out.
  if (!c.text.includes("\n") && doc.widthOfString(c.text) <= c.width - 2 * PAD)
    return doc.currentLineHeight(false) + 1;
  return doc.heightOfString(c.text || " ", { width: c.width - 2 * PAD });
}

function fitsOneLine(doc: Doc, c: Cell): boolean {
  doc.font(c.bold ? "bold" : "body").fontSize(c.size ?? 9.5);
  return !c.text.includes("\n") && doc.widthOfString(c.text) <= c.width - 2 * PAD;
}

export interface RowStyle {
  rule?: "thin" | "thick" | "none";
  fill?: string;
}

/** Draws a row of cells at doc.y; moves to a new page first (with `header` redrawn) when it does not fit. */
export function row(doc: Doc, cells: Cell[], style: RowStyle = {}, header?: () => void): void {
  const height = Math.max(...cells.map((c) => cellHeight(doc, c))) + 2 * PAD;
  if (ensureSpace(doc, height) && header) header();
  const top = doc.y;
  if (style.fill) doc.rect(MARGIN, top, contentWidth(doc), height).fill(style.fill);
  if (style.rule && style.rule !== "none") {
    doc
      .moveTo(MARGIN, top)
      .lineTo(MARGIN + contentWidth(doc), top)
      .lineWidth(style.rule === "thick" ? 1.2 : 0.4)
      .strokeColor(style.rule === "thick" ? INK : "#bbbbbb")
      .stroke();
  }
  let x = MARGIN;
  for (const c of cells) {
    const one = fitsOneLine(doc, c);
    const width = c.width - 2 * PAD;
    if (one && c.align === "right") {
      doc
        .fillColor(c.color ?? INK)
        .text(c.text, x + PAD + width - doc.widthOfString(c.text), top + PAD, { lineBreak: false });
    } else if (one) doc.fillColor(c.color ?? INK).text(c.text, x + PAD, top + PAD, { lineBreak: false });
    else doc.fillColor(c.color ?? INK).text(c.text, x + PAD, top + PAD, { width, align: c.align ?? "left" });
    x += c.width;
  }
  doc.x = MARGIN;
  doc.y = top + height;
}

/** A paragraph that moves whole to the next page when it does not fit. */
export function paragraph(
  doc: Doc,
  text: string,
  opts: { bold?: boolean; size?: number; color?: string; gap?: number } = {},
): void {
  doc.font(opts.bold ? "bold" : "body").fontSize(opts.size ?? 10);
  const h = doc.heightOfString(text, { width: contentWidth(doc) });
  ensureSpace(doc, h + (opts.gap ?? 4));
  doc.fillColor(opts.color ?? INK).text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.y += opts.gap ?? 4;
}

export function heading(doc: Doc, text: string): void {
  // A heading keeps at least two rows after it on its page.
  ensureSpace(doc, 60);
  doc.y += 10;
  paragraph(doc, text, { bold: true, size: 13, color: ACCENT, gap: 6 });
}

/** "Page n of m" and a label at the foot of every page. */
export function footers(doc: Doc, label: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN + 14;
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font("body").fontSize(8).fillColor(MUTED);
    doc.text(label, MARGIN, y, { width: contentWidth(doc) / 2, lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN + contentWidth(doc) / 2, y, {
      width: contentWidth(doc) / 2,
      align: "right",
      lineBreak: false,
    });
    doc.page.margins.bottom = keep;
  }
}
