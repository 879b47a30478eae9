import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_FILES, cleanup, workspace } from "../fixtures.ts";
import {
  apiRequest,
  ensureWebBuiltLocked,
  launchBrowser,
  openAt,
  type Server,
  signInFirstTime,
  startServerWith,
  WIDTH,
} from "./harness.ts";

// Long evidence and catalogue saves in a real browser: `trueup serve` over a workspace whose client
// has 300 devices without an EDR agent (one COVERAGE_GAP finding with 300+ items of evidence). The
// findings page shows the first items and "and N more" with a button that loads the rest; the
// catalogue page warns, naming the source, before a save that would detach its imported data.

const ADMIN = "admin@trueup.local";
const DEVICES = 300;

let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

const open = (path: string, ready: (p: Page) => Locator) => openAt(page, base(), path, ready);

beforeAll(async () => {
  const rows = Array.from({ length: DEVICES }, (_, i) => `ACME,HOST-${i},SN${i},workstation,2026-10-30,`);
  const dir = await workspace({
    "data/devices.csv": `${BASE_FILES["data/devices.csv"]}${rows.join("\n")}\n`,
  });
  await ensureWebBuiltLocked();
  server = await startServerWith({ workspace: dir });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  await page.goto(base());
  await signInFirstTime(page, ADMIN, server.password);
  await apiRequest(page, base(), "POST", "/api/runs", { asOf: "2026-11-01" });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await cleanup();
});

describe("a finding with long evidence", () => {
  it("shows its first items and 'and N more', and loads the rest on demand", async () => {
    await open("/findings?type=COVERAGE_GAP", (p) => p.getByTestId("findings-table"));
    const row = page.locator("[data-testid=finding-row][data-type=COVERAGE_GAP]").first();
    const more = row.getByTestId("evidence-more");
    await expect(more.textContent()).resolves.toMatch(/and \d+ more/);
    const left = Number((await more.textContent())?.match(/and ([\d,]+) more/)?.[1]?.replace(/,/g, ""));
    expect(left).toBeGreaterThanOrEqual(DEVICES - 50);
    expect(await row.locator(".evidence li").count()).toBe(50);
    await more.getByRole("button").click();
    await more.waitFor({ state: "detached" });
    expect(await row.locator(".evidence li").count()).toBe(50 + left);
  });
});

describe("the catalogue page", () => {
  it("warns before a save that detaches imported data, naming the source", async () => {
    await open("/catalogue", (p) => p.getByTestId("catalogue-editor"));
    const area = page.getByTestId("catalogue-yaml");
    const yaml = await area.inputValue();
    const changed = yaml.replace(/(kind: devices,\s*format: )trueup-devices/, "$1ninjaone-devices");
    expect(changed).not.toBe(yaml);
    await area.fill(changed);
    await page.getByRole("button", { name: "Check and save" }).click();
    const warning = page.getByTestId("catalogue-detach-warning");
    await warning.waitFor();
    await expect(warning.getByTestId("catalogue-detached-source").allTextContents()).resolves.toEqual([
      expect.stringContaining("data/devices.csv"),
    ]);
    // Nothing was saved yet.
    const stored = await apiRequest<{ yaml: string }>(page, base(), "GET", "/api/catalogue");
    expect(stored.yaml).toBe(yaml);
    await page.getByTestId("catalogue-save-anyway").click();
    await page.getByTestId("catalogue-saved").waitFor();
    const sources = await apiRequest<{ file: string; lastImport?: object }[]>(
      page,
      base(),
      "GET",
      "/api/sources",
    );
    expect(sources.find((s) => s.file === "data/devices.csv")?.lastImport).toBeUndefined();
    expect(sources.find((s) => s.file === "data/users.csv")?.lastImport).toBeDefined();
  });

  it("saves unchanged sources without a warning", async () => {
    await open("/catalogue", (p) => p.getByTestId("catalogue-editor"));
    const area = page.getByTestId("catalogue-yaml");
    await area.fill(`# a comment\n${await area.inputValue()}`);
    await page.getByRole("button", { name: "Check and save" }).click();
    await page.getByTestId("catalogue-saved").waitFor();
    expect(await page.getByTestId("catalogue-detach-warning").count()).toBe(0);
  });
});
