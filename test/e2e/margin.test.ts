import { readFile } from "node:fs/promises";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  apiRequest,
  attr,
  ensureWebBuiltLocked,
  launchBrowser,
  openAt,
  type Server,
  signInFirstTime,
  startServer,
  WIDTH,
} from "./harness.ts";

// Margin and what-if in a real browser over `trueup serve` with the demo (issue 15 items 1 and 2):
// the Margin page shows Harbor below the 78 % target, and the catalogue's what-if panel, given the
// demo's Gold change, answers before and after and the five Gold lines. One server, one browser.

let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

const open = (path: string, ready: (p: Page) => Locator) => openAt(page, base(), path, ready);
const value = (testId: string) => attr(page.getByTestId(testId), "data-value");

beforeAll(async () => {
  await ensureWebBuiltLocked();
  server = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  await page.goto(base());
  await signInFirstTime(page, "admin@trueup.local", server.password);
  await apiRequest(page, base(), "POST", "/api/runs", { asOf: "2026-11-01" });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it("the Margin page shows the demo's figures, Harbor below target first among clients", async () => {
  await open("/margin", (p) => p.getByTestId("margin-table"));
  expect(await value("margin-total-revenue")).toBe("21611.50");
  expect(await value("margin-total-cost")).toBe("4063.20");
  expect(await value("margin-harbor-pct")).toBe("75.9");
  expect(await value("margin-harbor-bundle:gold-user-unit-cost")).toBe("42.00");
  const flags = await page.getByTestId("margin-flag").allTextContents();
  expect(flags[0]).toContain("Harbor Dental Group: Gold (per user)");
  expect(flags).toHaveLength(7);
});

it("the what-if panel answers the demo's Gold change without saving it", async () => {
  await open("/catalogue", (p) => p.getByTestId("whatif"));
  await page.getByTestId("whatif-yaml").fill(await readFile("examples/demo/whatif-gold.yaml", "utf8"));
  await page.getByTestId("whatif-run").click();
  await page.getByTestId("whatif-table").waitFor();
  expect(await value("whatif-total-before-revenue")).toBe("21611.50");
  expect(await value("whatif-total-after-revenue")).toBe("22611.50");
  expect(await value("whatif-harbor-after-pct")).toBe("77.1");
  const lines = await page.getByTestId("whatif-line").allTextContents();
  expect(lines).toHaveLength(5);
  expect(lines.find((l) => l.startsWith("Cobalt"))).toContain("14 × $155.00 → 14 × $175.00");
  // Nothing was saved: the catalogue still sells Gold at 165.00.
  const cat = await apiRequest<{ yaml: string }>(page, base(), "GET", "/api/catalogue");
  expect(cat.yaml).toContain("price: '165.00'");
});
