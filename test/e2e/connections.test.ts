import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CwFake, startConnectwiseFake } from "../fakes/connectwise.ts";
import { syncFixture } from "../sync-fixture.ts";
import {
  addAccount,
  apiRequest,
  attr,
  buttonsOn,
  ensureWebBuiltLocked,
  horizontalOverflow,
  launchBrowser,
  openAt,
  psaWorkspace,
  type Server,
  screenshotsIn,
  settled,
  signInFirstTime,
  startServerWith,
  WIDTH,
} from "./harness.ts";

// The Connections page in a real browser: `trueup serve` over the sync fixture's workspace, whose
// billing source reads a ConnectWise fake running in this process, plus a Huntress connection no
// source reads. The server knows no ConnectWise secret at first (TRUEUP_SECRET_KEY is set, so an
// admin stores them on the page); one Huntress secret comes from the environment. One server and
// one browser for the file: the tests run in order, each leaving the state the next expects.

const ADMIN = "admin@trueup.local";
const BILLING = "bill.billing@trueup.local";
const VIEWER = "vic.viewer@trueup.local";
const CW = "cw-main";
const HUNTRESS = "edr-agents";
const HUNTRESS_MORE = `  ${HUNTRESS}:
    kind: huntress
    apiKeyEnv: TRUEUP_CONN_HUNTRESS_API_KEY
    apiSecretEnv: TRUEUP_CONN_HUNTRESS_API_SECRET
`;

interface ConnectionJson {
  name: string;
  title: string;
  schedule: string;
  sources: string[];
  psa: boolean;
  secrets: { name: string; source: string; variable?: string }[];
  counts: Record<string, number>;
  lastPullAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  nextPullAt?: string;
}

const shots = screenshotsIn("screenshots-connections");
let fake: CwFake | undefined;
let workspace: string | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
/** What the browser said of the Content-Security-Policy (violations are console errors). */
const cspMessages: string[] = [];

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

function cw(): CwFake {
  if (!fake) throw new Error("the ConnectWise fake did not start");
  return fake;
}

async function newContext(): Promise<BrowserContext> {
  if (!browser) throw new Error("the browser did not start");
  const ctx = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

const open = (path: string, ready: (p: Page) => Locator, on: Page = page) => openAt(on, base(), path, ready);

async function connections(on: Page = page): Promise<ConnectionJson[]> {
  return apiRequest<ConnectionJson[]>(on, base(), "GET", "/api/connections");
}

async function connection(name: string, on: Page = page): Promise<ConnectionJson> {
  const c = (await connections(on)).find((x) => x.name === name);
  if (!c) throw new Error(`no connection ${name}`);
  return c;
}

const row = (name: string, on: Page = page) =>
  on.locator(`[data-testid=connection-row][data-connection="${name}"]`);
const secretRow = (conn: string, secret: string, on: Page = page) =>
  on.locator(`[data-testid=secret-row][data-connection="${conn}"][data-secret="${secret}"]`);

/** How far each table is wider than the box it scrolls in (0: it fits). */
function tableOverflow(on: Page): Promise<number[]> {
  return on.evaluate(() =>
    [...document.querySelectorAll(".table-wrap")].map((w) => Math.max(0, w.scrollWidth - w.clientWidth)),
  );
}

/** The counts the row shows, as { kind: n } from each count's data-value. */
async function shownCounts(name: string): Promise<Record<string, number>> {
  const items = row(name).getByTestId("connection-count");
  const out: Record<string, number> = {};
  for (const item of await items.all())
    out[await attr(item, "data-kind")] = Number(await attr(item.locator("[data-value]"), "data-value"));
  return out;
}

beforeAll(async () => {
  const built = ensureWebBuiltLocked();
  await shots.reset();
  const fixture = syncFixture(8, 4);
  fake = await startConnectwiseFake(fixture.psa);
  workspace = await psaWorkspace(fixture, fake.connection(CW), fake.env, HUNTRESS_MORE);
  const key = randomBytes(32).toString("base64");
  const [started, launched] = await Promise.allSettled([
    built.then(() =>
      startServerWith({
        workspace,
        env: { TRUEUP_SECRET_KEY: key, TRUEUP_CONN_HUNTRESS_API_KEY: "hk-from-the-environment" },
      }),
    ),
    built.then(() => launchBrowser()),
  ]);
  if (started.status === "fulfilled") server = started.value;
  if (launched.status === "fulfilled") browser = launched.value;
  for (const r of [started, launched]) if (r.status === "rejected") throw r.reason;
  context = await newContext();
  page = await context.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) cspMessages.push(m.text());
  });
  page.on("pageerror", (e) => cspMessages.push(`page error: ${e.message}`));
}, 240_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    await fake?.close().catch(() => undefined);
    if (workspace) await rm(workspace, { recursive: true, force: true });
  }
}, 30_000);

describe("the Connections page", () => {
  it("lists each connection and where each of its secrets comes from", async () => {
    await open("/", (p) => p.getByRole("button", { name: "Sign in" }));
    await signInFirstTime(page, ADMIN, (server as Server).password);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Connections", exact: true })
      .click();
    await settled(page, page.getByTestId("connections-table"));
    expect(new URL(page.url()).pathname).toBe("/connections");
    expect(await page.locator("main h1").textContent()).toBe("Connections");

    const api = await connections();
    expect(api.map((c) => c.name).sort()).toEqual([CW, HUNTRESS].sort());
    const main = row(CW);
    expect(await attr(main, "data-psa")).toBe("true");
    expect(await main.getByTestId("connection-title").textContent()).toBe("ConnectWise PSA");
    expect(await main.getByTestId("connection-feeds").textContent()).toBe("billing");
    expect(await main.getByTestId("connection-schedule").textContent()).toBe("0 2 * * *");
    expect(await main.getByTestId("connection-last-pull").textContent()).toBe("Never");
    expect(await main.getByTestId("connection-last-success").textContent()).toBe("Never");
    expect(await main.getByTestId("connection-error").count()).toBe(0);
    const huntress = row(HUNTRESS);
    expect(await attr(huntress, "data-psa")).toBe("false");
    expect(await huntress.getByTestId("connection-title").textContent()).toBe("Huntress");
    expect(await huntress.getByTestId("connection-feeds").textContent()).toBe("No source reads it");

    // Where each secret comes from, as the API says: missing (with the variable to set), or the
    // environment variable that holds it.
    for (const c of api)
      for (const s of c.secrets) expect(await attr(secretRow(c.name, s.name), "data-source")).toBe(s.source);
    for (const [secret, variable] of [
      ["publicKey", "TRUEUP_CONN_CW_PUBLIC_KEY"],
      ["privateKey", "TRUEUP_CONN_CW_PRIVATE_KEY"],
      ["clientId", "TRUEUP_CONN_CW_CLIENT_ID"],
    ] as const) {
      const r = secretRow(CW, secret);
      expect(await attr(r, "data-source")).toBe("missing");
      expect(await r.getByTestId("secret-source").textContent()).toBe(`Missing: set ${variable} or store it`);
    }
    expect(await secretRow(HUNTRESS, "apiKey").getByTestId("secret-source").textContent()).toBe(
      "Environment variable TRUEUP_CONN_HUNTRESS_API_KEY",
    );
    expect(await attr(secretRow(HUNTRESS, "apiSecret"), "data-source")).toBe("missing");
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await tableOverflow(page)).toEqual([0, 0]);
    await shots.take(page, "01-secrets-missing");
  });

  it("says why Pull now failed when a secret is missing, and stores nothing", async () => {
    await row(CW).getByRole("button", { name: "Pull now" }).click();
    const outcome = row(CW).getByTestId("pull-outcome");
    await outcome.waitFor();
    expect(await attr(outcome, "data-ok")).toBe("false");
    const error = row(CW).getByTestId("connection-error");
    await error.waitFor();
    expect(await error.textContent()).toContain("TRUEUP_CONN_CW_PUBLIC_KEY");
    const api = await connection(CW);
    expect(await error.textContent()).toBe(api.lastError);
    expect(api.lastSuccessAt).toBeUndefined();
    expect(await row(CW).getByTestId("connection-last-success").textContent()).toBe("Never");
    expect(await attr(row(CW).getByTestId("connection-last-pull"), "data-value")).toBe(api.lastPullAt);
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it("lets an admin store the secrets, and never shows their values", async () => {
    const values = cw().credentials;
    for (const secret of ["publicKey", "privateKey", "clientId"] as const) {
      const r = secretRow(CW, secret);
      const input = r.getByLabel(`Value of ${secret} for ${CW}`);
      expect(await input.getAttribute("type")).toBe("password");
      await input.fill(values[secret]);
      await r.getByRole("button", { name: "Store" }).click();
      await page.locator(`[data-testid=secret-row][data-secret="${secret}"][data-source=stored]`).waitFor();
      expect(await r.getByTestId("secret-source").textContent()).toBe("Stored (encrypted)");
      expect(await input.inputValue()).toBe("");
      expect(await r.getByRole("button", { name: "Replace" }).isDisabled()).toBe(true);
    }
    await secretRow(CW, "clientId").getByTestId("secret-stored").waitFor();
    const html = await page.content();
    const api = JSON.stringify(await connections());
    for (const secret of ["publicKey", "privateKey", "clientId"] as const) {
      expect(html).not.toContain(values[secret]);
      expect(api).not.toContain(values[secret]);
    }
    expect((await connection(CW)).secrets.map((s) => s.source)).toEqual(["stored", "stored", "stored"]);
    await shots.take(page, "02-secrets-stored");
  });

  it("pulls now: the button waits for the PSA, then the row shows the pull's counts", async () => {
    // The PSA makes the first request wait a second (429, Retry-After: 1): long enough to see.
    cw().throttleNext(1, 1);
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/connections/${CW}/pull`);
    await row(CW).getByRole("button", { name: "Pull now" }).click();
    const busy = row(CW).getByRole("button", { name: "Pulling…" });
    await busy.waitFor();
    expect(await busy.isDisabled()).toBe(true);
    const outcome = (await (await answered).json()) as { ok: boolean; counts: Record<string, number> };
    expect(outcome.ok).toBe(true);
    await row(CW).locator("[data-testid=pull-outcome][data-ok=true]").waitFor();
    await row(CW).getByTestId("connection-count").first().waitFor();
    await page.waitForFunction(
      (name) =>
        document.querySelector(
          `[data-testid=connection-row][data-connection="${name}"] [data-testid=connection-error]`,
        ) === null,
      CW,
    );

    const api = await connection(CW);
    expect(api.lastError).toBeUndefined();
    expect(api.counts).toEqual(outcome.counts);
    expect(await shownCounts(CW)).toEqual(api.counts);
    // What the fake holds: its active agreements, and every active line of them is a billing line.
    const live = cw()
      .lines()
      .filter((l) => l.active);
    expect(api.counts.lines).toBe(live.length);
    expect(api.counts.agreements).toBe(new Set(live.map((l) => l.agreement)).size);
    const text = (await row(CW).getByTestId("pull-outcome").textContent()) ?? "";
    expect(text).toContain(`${api.counts.lines} lines`);
    expect(await attr(row(CW).getByTestId("connection-last-success"), "data-value")).toBe(api.lastSuccessAt);
    expect(await row(CW).getByTestId("connection-last-success").textContent()).not.toBe("Never");
    expect(await row(CW).getByRole("button", { name: "Pull now" }).isEnabled()).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shots.take(page, "03-pulled");
  });

  it("gives billing Pull now without the secret forms, and a viewer no button at all", async () => {
    const billingPassword = await addAccount(page, base(), BILLING, "billing");
    const viewerPassword = await addAccount(page, base(), VIEWER, "viewer");
    for (const [email, password, pull] of [
      [BILLING, billingPassword, true],
      [VIEWER, viewerPassword, false],
    ] as const) {
      const ctx = await newContext();
      try {
        const p = await ctx.newPage();
        await open("/connections", (x) => x.getByRole("button", { name: "Sign in" }), p);
        await signInFirstTime(p, email, password);
        await settled(p, p.getByTestId("connections-table"));
        expect(await p.getByTestId("secret-form").count()).toBe(0);
        expect(await p.locator("input[type=password]").count()).toBe(0);
        expect(await attr(secretRow(CW, "publicKey", p), "data-source")).toBe("stored");
        expect(await row(CW, p).getByTestId("connection-count").count()).toBeGreaterThan(0);
        expect(await buttonsOn(p)).toEqual(pull ? ["Pull now", "Pull now"] : []);
        expect(await horizontalOverflow(p)).toBe(0);
        await shots.take(p, `04-${pull ? "billing" : "viewer"}`);
      } finally {
        await ctx.close();
      }
    }
  });

  it("shows the error of a pull when the PSA does not answer, keeping the last success", async () => {
    const before = await connection(CW);
    await cw().close();
    fake = undefined;
    // Reads are tried six times over about 30 s before the pull gives up.
    await row(CW).getByRole("button", { name: "Pull now" }).click();
    await row(CW).getByRole("button", { name: "Pulling…" }).waitFor();
    await row(CW).locator("[data-testid=pull-outcome][data-ok=false]").waitFor({ timeout: 90_000 });
    const error = row(CW).getByTestId("connection-error");
    await error.waitFor();
    const after = await connection(CW);
    expect(after.lastError).toContain("got no answer");
    expect(await error.textContent()).toBe(after.lastError);
    expect(await error.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(192, 38, 45)");
    expect(after.lastSuccessAt).toBe(before.lastSuccessAt);
    expect(after.counts).toEqual(before.counts);
    expect(await attr(row(CW).getByTestId("connection-last-success"), "data-value")).toBe(
      before.lastSuccessAt,
    );
    expect(await shownCounts(CW)).toEqual(before.counts);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await tableOverflow(page)).toEqual([0, 0]);
    await shots.take(page, "05-psa-down");
  }, 120_000);

  it("runs under the Content-Security-Policy with no violation, and says stored secrets follow the address", async () => {
    const answer = await page.goto(new URL("/connections", base()).href);
    await settled(page, page.getByTestId("connections-table"));
    expect(answer?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(answer?.headers()["x-frame-options"]).toBe("DENY");
    expect(await page.getByTestId("secrets-binding").textContent()).toContain(
      "bound to its connection's kind and address",
    );
    // Every page of the app was opened by the tests above under the same policy.
    expect(cspMessages).toEqual([]);
  });
});
