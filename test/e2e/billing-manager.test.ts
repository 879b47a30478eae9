import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../fixtures.ts";
import {
  attr,
  ensureWebBuiltLocked,
  launchBrowser,
  openAt,
  type Server,
  screenshotsIn,
  settled,
  signInFirstTime,
  startServer,
  WIDTH,
} from "./harness.ts";

// Issue 13 items 1–4 and the audit log of item 6, on the demo in a browser set to en-US: money in
// the workspace's currency, names beside ids with the CLI's sentence, a findings table sorted by
// money that searches, sorts and totals what it shows, the dashboard's cards linked to their
// findings with the quantity / price split, net and annual figures, and the audit log as sentences.
// Figures are checked against examples/demo/expected.json. One server and one browser for the file.

interface Expected {
  currency: string;
  totals: Record<string, string | number>;
  clients: {
    id: string;
    name: string;
    findings: { type: string; subject: string; monthlyImpact: string }[];
  }[];
}

const shots = screenshotsIn("screenshots-billing");
let expected: Expected;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

const open = (path: string, ready: string) => openAt(page, base(), path, (p) => p.getByTestId(ready));
const usd = (amount: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(amount));
const rows = () => page.locator("[data-testid=finding-row]");
const impacts = async () =>
  (await rows().evaluateAll((r) =>
    r.map((x) => x.querySelector("[data-testid=finding-impact]")?.getAttribute("data-value") ?? ""),
  )) as string[];

beforeAll(async () => {
  expected = JSON.parse(await readFile(join(repoRoot, "examples", "demo", "expected.json"), "utf8"));
  const built = ensureWebBuiltLocked();
  await shots.reset();
  const [started, launched] = await Promise.allSettled([
    built.then(() => startServer()),
    built.then(() => launchBrowser()),
  ]);
  if (started.status === "fulfilled") server = started.value;
  if (launched.status === "fulfilled") browser = launched.value;
  for (const r of [started, launched]) if (r.status === "rejected") throw r.reason;
  const ctx = await (browser as Browser).newContext({
    viewport: { width: WIDTH, height: 900 },
    locale: "en-US",
  });
  ctx.setDefaultTimeout(20_000);
  page = await ctx.newPage();
  await page.goto(base());
  await settled(page, page.getByRole("button", { name: "Sign in" }));
  await signInFirstTime(page, "admin@trueup.local", (server as Server).password);
}, 240_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
}, 30_000);

describe("the billing manager's app (issue 13)", () => {
  it("shows the dashboard's money in the workspace currency, split into quantity and price, with net, annual and a monthly trend", async () => {
    await open("/", "dashboard-totals");
    const t = expected.totals;
    expect(expected.currency).toBe("USD");
    for (const key of ["underBilled", "overBilled", "licenceWaste", "licenceShortfall"])
      expect([key, await page.getByTestId(`total-${key}`).textContent()]).toEqual([key, usd(String(t[key]))]);
    expect(await page.getByTestId("total-underBilled").textContent()).toBe("$198.00");

    // 198.00 = the by-type chart's under-billed quantities (8.00 + 50.00) + Cobalt's price (140.00).
    const quantity = expected.clients
      .flatMap((c) => c.findings)
      .filter((f) => f.type === "UNDER_BILLED")
      .reduce((s, f) => s.plus(f.monthlyImpact), new Decimal(0));
    const split = page.getByTestId("split-underBilled");
    expect(await attr(split, "data-quantity")).toBe(quantity.toFixed(2));
    expect(await split.textContent()).toBe(
      `quantity ${usd(quantity.toFixed(2))} · price ${usd(new Decimal(String(t.underBilled)).minus(quantity).toFixed(2))}`,
    );
    const byType = page.locator("[data-testid=by-type-row][data-type=UNDER_BILLED]");
    expect(await byType.locator(".money").getAttribute("data-value")).toBe(quantity.toFixed(2));

    const net = new Decimal(String(t.underBilled))
      .plus(String(t.licenceWaste))
      .minus(String(t.overBilled))
      .minus(String(t.licenceShortfall));
    expect(await page.getByTestId("total-net").textContent()).toBe(usd(net.toFixed(2)));
    expect(await page.getByTestId("total-annual").textContent()).toBe(
      `${usd(net.times(12).toFixed(2))} a year`,
    );

    // The trend is by month, newest first: the demo's runs as of November and October 2026.
    const months = await page
      .locator("[data-testid=trend-row]")
      .evaluateAll((r) => r.map((x) => x.getAttribute("data-month")));
    expect(months).toEqual(["2026-11", "2026-10"]);
    await shots.take(page, "dashboard");
  });

  it("opens the under-billed card's findings, largest first, with names, the CLI's sentence and their total", async () => {
    await page.getByTestId("link-underBilled").click();
    await settled(page, page.getByTestId("findings-table"));
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=finding-row]").length === 3);
    expect(new URL(page.url()).searchParams.get("total")).toBe("underBilled");
    const view = page.getByTestId("findings-view-total");
    expect(await attr(view, "data-value")).toBe(expected.totals.underBilled);
    expect(await view.textContent()).toContain("$198.00");
    // Sorted by money, largest first, without asking.
    expect(await impacts()).toEqual(["140.00", "50.00", "8.00"]);
    expect(await page.locator("th[aria-sort]").textContent()).toContain("Monthly impact");

    const gold = page.locator("[data-testid=finding-row][data-key='cobalt|PRICE_MISMATCH|bundle:gold-user']");
    expect(await gold.getByTestId("finding-subject-name").textContent()).toBe("Gold (per user)");
    expect(await gold.locator(".subject-id").textContent()).toBe("bundle:gold-user");
    expect(await gold.getByTestId("finding-why").textContent()).toBe(
      "billed at 155.00, contract says 165.00",
    );
    expect(await gold.getByTestId("finding-impact").textContent()).toBe("$140.00");
    // The row's buttons say which finding they act on.
    await gold
      .getByRole("button", {
        name: "Accept: Cobalt Freight & Logistics, price mismatch Gold (per user)",
        exact: true,
      })
      .waitFor();
    await shots.take(page, "findings-under-billed");
  });

  it("sorts on any column, searches clients, subjects and evidence, and folds long evidence with a count", async () => {
    await open("/findings", "findings-table");
    await shots.take(page, "findings");
    const all = await impacts();
    const sortedDown = [...all].sort((a, b) => new Decimal(b).comparedTo(a));
    expect(all).toEqual(sortedDown);

    await page.getByTestId("sort-client").click();
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get("sort") === "client");
    await settled(page, page.getByTestId("findings-table"));
    await page.locator("th[aria-sort=ascending]").getByText("Client").waitFor();
    const clients = await rows().evaluateAll((r) =>
      r.map((x) => x.querySelector("td a, td span")?.textContent?.toLowerCase() ?? ""),
    );
    expect(clients).toEqual([...clients].sort());

    // Search: a device in the evidence, then a service by its name.
    await page.getByTestId("findings-search").fill("EFC-NS03");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=finding-row]").length === 1);
    expect(await attr(rows().first(), "data-key")).toBe("evergreen|STALE_DEVICE|device:EFC-NS03");
    await page.getByTestId("findings-search").fill("singularity");
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("[data-testid=finding-row]")].every((r) =>
          r.getAttribute("data-key")?.endsWith("|service:edr"),
        ) && document.querySelectorAll("[data-testid=finding-row]").length > 1,
    );
    const edr = expected.clients.flatMap((c) => c.findings).filter((f) => f.subject === "service:edr");
    expect(await rows().count()).toBe(edr.length);
    const edrTotal = edr.reduce((s, f) => s.plus(f.monthlyImpact), new Decimal(0)).toFixed(2);
    expect(await attr(page.getByTestId("findings-view-total"), "data-value")).toBe(edrTotal);

    // Evergreen's 26 over-billed devices: three shown, the rest folded behind their count.
    await open("/findings?clientId=evergreen&type=OVER_BILLED", "findings-table");
    const evidence = rows().first().getByTestId("finding-evidence");
    expect(await evidence.locator(":scope > ul > li").count()).toBe(3);
    const fold = evidence.locator("details");
    expect(await fold.getAttribute("open")).toBeNull();
    expect(await fold.locator("summary").textContent()).toBe("Show 23 more (26 in all)");
  });

  it("sorts a client's findings on its page too: largest money first, then any column", async () => {
    await open("/clients/cobalt", "findings-table");
    const all = await impacts();
    expect(all.length).toBeGreaterThan(1);
    expect(all).toEqual([...all].sort((a, b) => new Decimal(b).comparedTo(a)));
    await page.getByTestId("sort-type").click();
    await page.locator("th[aria-sort=ascending]").getByText("Type").waitFor();
    await page.getByTestId("sort-impact").click();
    await page.locator("th[aria-sort=descending]").getByText("Monthly impact").waitFor();
    await page.getByTestId("sort-impact").click();
    await page.locator("th[aria-sort=ascending]").getByText("Monthly impact").waitFor();
    expect(await impacts()).toEqual([...all].reverse());
  });

  it("writes the audit log as sentences, with the JSON folded behind them", async () => {
    const key = "evergreen|OVER_BILLED|bundle:bronze-device";
    await open(`/findings?clientId=evergreen&type=OVER_BILLED`, "findings-table");
    const row = page.locator(`[data-testid=finding-row][data-key="${key}"]`);
    await row
      .getByRole("button", { name: "Dismiss: Evergreen Family Clinic, over-billed Bronze (per device)" })
      .click();
    await page.getByLabel(/Reason for dismissing/).fill("client agreed to keep 28 seats");
    await page.getByRole("button", { name: "Dismiss finding" }).click();
    await page.locator(`[data-testid=finding-row][data-key="${key}"][data-status=dismissed]`).waitFor();

    await open("/audit", "audit-table");
    const entry = page.locator("[data-testid=audit-row][data-action='finding.decide']").first();
    expect(await entry.getByTestId("audit-sentence").textContent()).toBe(
      "admin@trueup.local dismissed Over-billed Bronze (per device) at Evergreen Family Clinic: client agreed to keep 28 seats",
    );
    const details = entry.locator("details");
    expect(await details.getAttribute("open")).toBeNull();
    expect(await details.locator("code.details").textContent()).toContain('"status": "dismissed"');
    await shots.take(page, "audit");
  });
});
