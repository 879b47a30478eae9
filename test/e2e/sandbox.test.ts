import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiRequest,
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

// The demo's sandbox PSA in a real browser (issue 13 item 6): `trueup serve` as `npm start` runs it,
// whose first start makes the demo's PSA lines a sandbox PSA kept by the app. An admin plans,
// approves and applies on the PSA sync page, reads the history, sees the new quantities in the next
// pull's plan, and resets the sandbox. One server and one browser; the tests run in order.

const ADMIN = "admin@trueup.local";
const SANDBOX = "sandbox-psa";
const shots = screenshotsIn("screenshots/sandbox");

interface ChangeJson {
  seq: number;
  change: {
    action: string;
    client: string;
    product: string;
    line?: { id: string };
    from: string;
    to: string;
    toPrice?: string;
  };
  state: string;
}
interface PlanJson {
  id: number;
  changes: ChangeJson[];
}
interface LineJson {
  items: { kind: string; details: { method?: string; path?: string; requestBody?: { quantity?: string } } }[];
}

let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let planId = 0;

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}
const open = (path: string, ready: (p: Page) => Locator) => openAt(page, base(), path, ready);
const api = <T>(method: "GET" | "POST", path: string, data?: unknown) =>
  apiRequest<T>(page, base(), method, path, data);

beforeAll(async () => {
  const built = ensureWebBuiltLocked();
  await shots.reset();
  const [started, launched] = await Promise.allSettled([
    built.then(() => startServer()),
    built.then(() => launchBrowser()),
  ]);
  if (started.status === "fulfilled") server = started.value;
  if (launched.status === "fulfilled") browser = launched.value;
  for (const r of [started, launched]) if (r.status === "rejected") throw r.reason;
  const ctx = await (browser as Browser).newContext({ viewport: { width: WIDTH, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  page = await ctx.newPage();
  await open("/", (p) => p.getByRole("button", { name: "Sign in" }));
  await signInFirstTime(page, ADMIN, (server as Server).password);
}, 240_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
}, 30_000);

describe("the demo's sandbox PSA", () => {
  it("is labelled a sandbox, not a real PSA, and plans from the demo's lines", async () => {
    await open("/sync", (p) => p.getByTestId("sandbox-panel"));
    expect(await page.getByTestId("sandbox-panel").textContent()).toContain("not a real PSA");
    expect(await page.getByLabel("PSA connection").inputValue()).toBe(SANDBOX);
    const planned = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/sync/plans" && r.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Plan", exact: true }).click();
    planId = ((await (await planned).json()) as PlanJson).id;
    await page.locator(`[data-testid=plan][data-plan-id="${planId}"]`).waitFor();
    const plan = await api<PlanJson>("GET", `/api/sync/plans/${planId}`);
    expect(plan.changes.filter((c) => c.change.action === "set").length).toBeGreaterThan(0);
    await shots.take(page, "01-planned");
  });

  it("approves and applies: the history shows each write, and the next plan reads the new quantities", async () => {
    const plan = await api<PlanJson>("GET", `/api/sync/plans/${planId}`);
    const sets = plan.changes.filter((c) => c.change.action === "set");
    await page.getByTestId("approve-all").click();
    await page.locator("[data-testid=change-row][data-decision=approved]").first().waitFor();
    await page.getByTestId("apply").click();
    const result = page.getByTestId("apply-result");
    await result.waitFor();
    expect(Number(await attr(result.getByTestId("apply-applied"), "data-value"))).toBe(
      plan.changes.filter((c) => c.change.action !== "choose").length,
    );
    expect(Number(await attr(result.getByTestId("apply-conflicts"), "data-value"))).toBe(0);
    await settled(page, page.getByTestId("history-table"));
    const history = await api<LineJson>("GET", `/api/sync/history?planId=${planId}&limit=500`);
    const patches = history.items.filter((e) => e.kind === "exchange" && e.details.method === "PATCH");
    expect(patches.map((e) => [e.details.path, e.details.requestBody?.quantity]).sort()).toEqual(
      sets.map((c) => [`/sandbox/lines/${c.change.line?.id}`, c.change.to]).sort(),
    );
    expect(await page.locator("[data-testid=history-row][data-kind=exchange]").count()).toBeGreaterThan(0);
    await shots.take(page, "02-applied");

    // The next plan pulls the sandbox again: the quantities written are what it reads now.
    const next = await api<PlanJson>("POST", "/api/sync/plans", { connection: SANDBOX });
    expect(next.changes.filter((c) => c.change.action === "set")).toEqual([]);
  });

  it("resets the sandbox to the demo's lines: the same changes are planned again", async () => {
    await open("/sync", (p) => p.getByTestId("sandbox-panel"));
    await page.getByTestId("sandbox-reset").click();
    expect(await page.getByTestId("sandbox-reset-done").textContent()).toContain("Sandbox reset");
    const before = await api<PlanJson>("GET", `/api/sync/plans/${planId}`);
    const again = await api<PlanJson>("POST", "/api/sync/plans", { connection: SANDBOX });
    const view = (p: PlanJson) =>
      p.changes
        .filter((c) => c.change.action === "set")
        .map((c) => [c.change.line?.id, c.change.from, c.change.to]);
    expect(view(again)).toEqual(view(before));
  });

  it("plans Birchwood's anniversary price rise, approves it, and the PSA follows from its date", async () => {
    await open("/sync", (p) => p.getByTestId("pricing-panel"));
    const birchwood = page.locator("[data-testid=pricing-client][data-client=birchwood]");
    const rise = birchwood.locator("[data-testid=pricing-rise][data-subject='bundle:gold-user']");
    expect(await attr(rise.getByTestId("pricing-new-price"), "data-value")).toBe("173.25");
    expect(await birchwood.getByTestId("pricing-excluded").textContent()).toContain("Email archiving");
    await shots.take(page, "03-pricing");
    await page.getByTestId("pricing-approve").click();
    expect(await page.getByTestId("pricing-done").textContent()).toContain("Birchwood Legal LLP");

    // The PSA sync with prices, effective on the anniversary, sets Birchwood's lines to the new prices.
    await page.getByLabel("Effective from").fill("2026-12-01");
    await page.getByLabel("Include prices").check();
    const planned = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/sync/plans" && r.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Plan", exact: true }).click();
    const plan = (await (await planned).json()) as PlanJson;
    const prices = plan.changes
      .filter((c) => c.change.client === "birchwood")
      .map((c) => [c.change.product, c.change.toPrice])
      .sort();
    expect(prices).toEqual([
      ["DOM-HOST", "4.20"],
      ["GOLD-U", "173.25"],
      ["SRV", "157.50"],
    ]);
    await page.locator(`[data-testid=plan][data-plan-id="${plan.id}"]`).waitFor();
    await page.getByTestId("approve-all").click();
    await page.locator("[data-testid=change-row][data-decision=approved]").first().waitFor();
    await page.getByTestId("apply").click();
    await page.getByTestId("apply-result").waitFor();
    const next = await api<PlanJson>("POST", "/api/sync/plans", {
      connection: SANDBOX,
      effective: "2026-12-01",
      includePrices: true,
    });
    expect(next.changes.filter((c) => c.change.client === "birchwood")).toEqual([]);
  });
});
