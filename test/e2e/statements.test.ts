import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensureWebBuiltLocked,
  launchBrowser,
  openAt,
  type Server,
  screenshotsIn,
  signInFirstTime,
  startServer,
  WIDTH,
} from "./harness.ts";

// A shared statement in a real browser: the admin shares Harbor's statement from the client page; the
// client opens the link in a browser that never signed in, reads it and acknowledges; the admin finds
// the view and the acknowledgement in the audit log, then revokes the link, which then answers 404.

const ADMIN = "admin@trueup.local";
const shots = screenshotsIn("screenshots-statements");
let server: Server | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let sharedUrl = "";

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

async function newContext(): Promise<BrowserContext> {
  if (!browser) throw new Error("the browser did not start");
  const ctx = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

const open = (path: string, ready: (p: Page) => Locator, on: Page = page) => openAt(on, base(), path, ready);

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
  context = await newContext();
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
}, 30_000);

describe("a shared statement", () => {
  it("is shared from the client page, and its URL is shown once", async () => {
    await open("/", (p) => p.getByRole("button", { name: "Sign in" }));
    await signInFirstTime(page, ADMIN, (server as Server).password);
    await open("/clients/harbor", (p) => p.getByTestId("statement-panel"));
    await page.getByRole("button", { name: "Share with the client" }).click();
    sharedUrl = await page.getByLabel("Shared link").inputValue();
    expect(sharedUrl).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
    await page.getByTestId("statement-links").getByRole("cell", { name: "2026-11" }).waitFor();
    await shots.take(page, "client-statement-panel");
  });

  it("opens without signing in, and the client acknowledges it", async () => {
    const anonymous = await newContext();
    try {
      const client = await anonymous.newPage();
      const response = await client.goto(sharedUrl);
      expect(response?.status()).toBe(200);
      await client.getByRole("heading", { name: "Statement" }).waitFor();
      const text = await client.locator("main").textContent();
      expect(text).toContain("Harbor Dental Group");
      expect(text).toContain("greta.lindqvist@harbordental.example");
      expect(text).toContain("HDG-CEPH01");
      expect(text).toContain("1,785.00");
      expect(await client.getByTestId("account").count()).toBe(0);
      await shots.take(client, "shared-statement");
      await client.getByLabel("Your name").fill("Maya Laurent");
      await client.getByRole("button", { name: "Acknowledge" }).click();
      await client.getByText("Acknowledged by Maya Laurent").waitFor();
      await shots.take(client, "shared-statement-acknowledged");
    } finally {
      await anonymous.close();
    }
  });

  it("the view and the acknowledgement are in the audit log", async () => {
    await open("/audit", (p) => p.getByRole("table"));
    const ack = page.getByRole("row").filter({ hasText: "statement.acknowledge" });
    await ack.first().waitFor();
    expect(await ack.first().textContent()).toContain("Maya Laurent");
    expect(await ack.first().textContent()).toContain("client:harbor");
    expect(await page.getByRole("row").filter({ hasText: "statement.view" }).count()).toBeGreaterThanOrEqual(
      2,
    );
    await shots.take(page, "audit-statement");
  });

  it("once revoked, the link answers 404", async () => {
    await open("/clients/harbor", (p) => p.getByTestId("statement-links"));
    const row = page.getByTestId("statement-links").getByRole("row").filter({ hasText: "Maya Laurent" });
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByText("revoked").waitFor();
    const anonymous = await newContext();
    try {
      const response = await (await anonymous.newPage()).goto(sharedUrl);
      expect(response?.status()).toBe(404);
    } finally {
      await anonymous.close();
    }
  });
});
