import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
// Renders pages of a PDF with pdf.js inside Chromium and screenshots them, to look at a statement:
//   node bin/run-ts.js scripts/pdf-screenshot.mts FILE.pdf OUT.png [1,2,...]
const [file = "", out = "pdf.png", pagesArg] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const p = await b.newPage({ viewport: { width: 1000, height: 1300 } });
await p.route("http://x/**", (route) => {
  const u = new URL(route.request().url());
  const map: Record<string, [string, string]> = {
    "/pdf.mjs": ["node_modules/pdfjs-dist/build/pdf.mjs", "text/javascript"],
    "/pdf.worker.mjs": ["node_modules/pdfjs-dist/build/pdf.worker.mjs", "text/javascript"],
    "/doc.pdf": [file, "application/pdf"],
    "/": ["/dev/null", "text/html"],
  };
  const [path, type] = map[u.pathname] ?? ["/dev/null", "text/plain"];
  route.fulfill({ body: u.pathname === "/" ? "<html><body style='margin:0;background:#888'></body></html>" : readFileSync(path), contentType: type });
});
await p.goto("http://x/");
const n = await p.evaluate(async (pages) => {
  const lib: string = "http://x/pdf.mjs";
  // biome-ignore lint/suspicious/noExplicitAny: pdf.js loaded in the page, untyped there
  const pdfjs: any = await import(lib);
  pdfjs.GlobalWorkerOptions.workerSrc = "http://x/pdf.worker.mjs";
  const doc = await pdfjs.getDocument("http://x/doc.pdf").promise;
  for (const i of pages) {
    if (i > doc.numPages) continue;
    const page = await doc.getPage(i);
    const vp = page.getViewport({ scale: 1.5 });
    const c = document.createElement("canvas");
    c.width = vp.width; c.height = vp.height; c.style.display = "block"; c.style.margin = "8px";
    document.body.appendChild(c);
    await page.render({ canvasContext: c.getContext("2d") as CanvasRenderingContext2D, viewport: vp }).promise;
  }
  return doc.numPages;
}, (pagesArg ?? "1").split(",").map(Number));
await p.screenshot({ path: out, fullPage: true });
console.log("pages", n);
await b.close();
