import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

// Text of a PDF page by page, read back with a real PDF parser (pdf.js): what a reader's viewer sees.

export async function pdfPages(bytes: Buffer): Promise<string[]> {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    const lines: string[] = [];
    let line = "";
    for (const item of content.items) {
      if (!("str" in item)) continue;
      line += item.str;
      if (item.hasEOL) {
        lines.push(line);
        line = "";
      } else line += " ";
    }
    lines.push(line);
    pages.push(lines.join("\n").replace(/[ \t]+/g, " "));
  }
  await doc.destroy();
  return pages;
}
