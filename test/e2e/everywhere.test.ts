import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../fixtures.ts";
import {
  attr,
  ensureWebBuiltLocked,
  launchBrowser,
  openAt,
  type Server,
  screenshotsIn,
  signInFirstTime,
  startServer,
  WIDTH,
} from "./harness.ts";

// Every page where a person works (issue 13, item 5): at 1280 px and at 390 px (a phone), printed,
// in dark mode and with the keyboard; axe-core finds no serious or critical violation on any page.
// One server (the demo) and one browser; screenshots in test-output/screens/.

const ADMIN = "admin@trueup.local";
const PHONE = 390;
const shots = screenshotsIn("screens");
const axePath = join(repoRoot, "node_modules", "axe-core", "axe.min.js");

let server: Server | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
let page: Page;

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

/** Every page of the app, by the name its screenshots carry. */
const PAGES: { name: string; path: string }[] = [
  { name: "dashboard", path: "/" },
  { name: "clients", path: "/clients" },
  { name: "client", path: "/clients/evergreen" },
  { name: "findings", path: "/findings" },
  { name: "imports", path: "/imports" },
  { name: "mappings", path: "/mappings" },
  { name: "catalogue", path: "/catalogue" },
  { name: "connections", path: "/connections" },
  { name: "sync", path: "/sync" },
  { name: "runs", path: "/runs" },
  { name: "margin", path: "/margin" },
  { name: "audit", path: "/audit" },
  { name: "users", path: "/users" },
  { name: "password", path: "/password" },
];

/** Opens a page of the app and waits for its heading with nothing left loading. */
const open = (on: Page, path: string) => openAt(on, base(), path, (p) => p.locator("main h1"));

async function newContext(
  width: number,
  more: { colorScheme?: "dark" | "light"; signedIn?: boolean } = {},
): Promise<Page> {
  if (!browser) throw new Error("the browser did not start");
  const ctx = await browser.newContext({
    viewport: { width, height: 900 },
    colorScheme: more.colorScheme ?? "light",
    bypassCSP: true, // axe-core is injected as a script of the test's own
    storageState: more.signedIn === false ? undefined : await page.context().storageState(),
  });
  ctx.setDefaultTimeout(15_000);
  contexts.push(ctx);
  return ctx.newPage();
}

/**
 * How many pixels the page is wider than its viewport (0: no horizontal scroll of the page), and
 * which elements stick out first (the outermost ones past the right edge), to say what to fix.
 */
function overflow(on: Page): Promise<number | string> {
  return on.evaluate(() => {
    const over = Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
    if (over === 0) return 0;
    const out = (e: Element) => e.getBoundingClientRect().right > window.innerWidth + 1;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((e) => out(e) && !(e.parentElement && out(e.parentElement)))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`);
    return `${over} px: ${culprits.join(", ")}`;
  });
}

/** axe-core's serious and critical violations on the page, as "rule: target, target". */
async function axeViolations(on: Page): Promise<string[]> {
  if (!(await on.evaluate(() => "axe" in window))) await on.addScriptTag({ content: axeSource });
  const found = await on.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return found;
}

interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
}

let axeSource = "";

beforeAll(async () => {
  const built = ensureWebBuiltLocked();
  await shots.reset();
  axeSource = await readFile(axePath, "utf8");
  const [started, launched] = await Promise.allSettled([
    built.then(() => startServer()),
    built.then(() => launchBrowser()),
  ]);
  if (started.status === "fulfilled") server = started.value;
  if (launched.status === "fulfilled") browser = launched.value;
  for (const r of [started, launched]) if (r.status === "rejected") throw r.reason;
  const ctx = await browser?.newContext({
    viewport: { width: WIDTH, height: 900 },
    colorScheme: "light",
    bypassCSP: true,
  });
  if (!ctx) throw new Error("no browser context");
  ctx.setDefaultTimeout(15_000);
  contexts.push(ctx);
  page = await ctx.newPage();
}, 240_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
}, 30_000);

describe("every page, every screen", () => {
  it("signs in at 390 px: the sign-in and password pages fit a phone and pass axe", async () => {
    const phone = await newContext(PHONE, { signedIn: false });
    await openAt(phone, base(), "/", (p) => p.getByRole("button", { name: "Sign in" }));
    await openAt(page, base(), "/", (p) => p.getByRole("button", { name: "Sign in" }));
    expect(await overflow(phone)).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shots.take(page, "login-desktop");
    await shots.take(phone, "login-390");
    await signInFirstTime(page, ADMIN, (server as Server).password);
  });

  it("shows every page at 1280 and 390 px with no horizontal scroll and no serious axe violation", async () => {
    const phone = await newContext(PHONE);
    const violations: Record<string, string[]> = {};
    const overflows: Record<string, number | string> = {};
    for (const p of PAGES) {
      await open(page, p.path);
      violations[p.name] = await axeViolations(page);
      await shots.take(page, `${p.name}-desktop`);
      await open(phone, p.path);
      overflows[p.name] = await overflow(phone);
      await shots.take(phone, `${p.name}-390`);
    }
    expect({ violations, overflows }).toEqual({
      violations: Object.fromEntries(PAGES.map((p) => [p.name, []])),
      overflows: Object.fromEntries(PAGES.map((p) => [p.name, 0])),
    });

    // The navigation collapses behind a menu button on a phone, and the button opens it.
    await open(phone, "/");
    const nav = phone.getByRole("navigation", { name: "Main" });
    const menu = phone.getByRole("button", { name: "Menu" });
    expect(await nav.isVisible()).toBe(false);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await nav.getByRole("link", { name: "Clients", exact: true }).click();
    await phone.getByRole("heading", { level: 1, name: "Clients" }).waitFor();
    expect(await nav.isVisible()).toBe(false); // closed again after a choice
    // A table wider than the phone scrolls inside its own box.
    const box = phone.locator(".table-wrap").first();
    expect(await box.evaluate((el) => getComputedStyle(el).overflowX)).toBe("auto");
  }, 240_000);

  it("in dark mode: dark colours from prefers-color-scheme, and still no serious axe violation", async () => {
    const dark = await newContext(WIDTH, { colorScheme: "dark" });
    const violations: Record<string, string[]> = {};
    const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    for (const p of PAGES) {
      await open(dark, p.path);
      violations[p.name] = await axeViolations(dark);
      if (["dashboard", "client", "findings", "sync"].includes(p.name))
        await shots.take(dark, `${p.name}-dark`);
    }
    expect(violations).toEqual(Object.fromEntries(PAGES.map((p) => [p.name, []])));
    const background = await dark.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).not.toBe(light);
    // Dark: each RGB channel of the page's background is below a quarter of full.
    const channels = (background.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    expect(channels.length).toBe(3);
    for (const c of channels) expect(c).toBeLessThan(64);
  }, 240_000);

  it("prints a client's page without navigation or buttons", async () => {
    await open(page, "/clients/evergreen");
    await page.emulateMedia({ media: "print" });
    try {
      expect(await page.locator(".sidebar").isVisible()).toBe(false);
      expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
      const visibleButtons = await page
        .getByRole("button")
        .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
      expect(visibleButtons).toBe(0);
      // Nor fields to type in (filters, a link's validity), nor the statement's actions.
      const visibleFields = await page
        .locator("input, select, textarea")
        .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
      expect(visibleFields).toBe(0);
      expect(await page.getByRole("heading", { name: "Statement and evidence" }).isVisible()).toBe(false);
      expect(await page.getByTestId("devices-table").isVisible()).toBe(true);
      expect(await page.getByRole("heading", { level: 1 }).isVisible()).toBe(true);
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
        "rgb(255, 255, 255)",
      );
      await shots.take(page, "client-print");
      await page.pdf({ path: join(repoRoot, "test-output", "screens", "client-print.pdf") });
    } finally {
      await page.emulateMedia({ media: "screen" });
    }
  });

  it("works with the keyboard: a visible focus, the skip link, folds that open with Enter", async () => {
    await open(page, "/");
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => document.activeElement?.textContent);
    expect(skip).toBe("Skip to content");
    await page.keyboard.press("Enter");
    // Tab on until a button has the focus: its focus ring shows.
    let outline = "";
    for (let n = 0; n < 60 && !outline; n++) {
      await page.keyboard.press("Tab");
      outline = await page.evaluate(() => {
        const el = document.activeElement;
        if (!(el instanceof HTMLButtonElement)) return "";
        const s = getComputedStyle(el);
        return s.outlineStyle !== "none" && Number.parseFloat(s.outlineWidth) >= 2 ? s.outlineStyle : "";
      });
    }
    expect(outline).not.toBe("");
    // A fold (the dashboard's "Show as a table") opens from the keyboard.
    const summary = page.locator("details > summary").first();
    await summary.focus();
    await page.keyboard.press("Enter");
    expect(await summary.evaluate((s) => (s.parentElement as HTMLDetailsElement).open)).toBe(true);
  });

  it("reconciles an import at once: the dashboard's figure changes", async () => {
    await open(page, "/");
    const before = await attr(page.getByTestId("total-licenceWaste"), "data-value");
    // Birchwood's Microsoft 365 licences go from 20 to 30: ten more than anyone uses.
    const csv = (await readFile(join(repoRoot, "examples", "demo", "data", "pax8.csv"), "utf8")).replace(
      "MST-365-BP-NCE-M,20,22.00",
      "MST-365-BP-NCE-M,30,22.00",
    );
    await open(page, "/imports");
    const option = await page
      .getByTestId("import-source")
      .locator("option", { hasText: "pax8.csv" })
      .getAttribute("value");
    await page.getByTestId("import-source").selectOption(option ?? "");
    await page
      .getByTestId("import-file")
      .setInputFiles({ name: "pax8.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByTestId("import-submit").click();
    const said = await page.getByTestId("import-run").textContent();
    expect(said).toMatch(/Reconciled at once: run #3/);
    await page.getByTestId("import-run").getByRole("link", { name: "Dashboard" }).click();
    await page.getByTestId("dashboard-run").filter({ hasText: "Run #3" }).waitFor();
    const after = await attr(page.getByTestId("total-licenceWaste"), "data-value");
    expect(new Decimal(after).gt(before), `${before} -> ${after}`).toBe(true);
  });
});
