import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../fixtures.ts";
import {
  attr,
  type CliReport,
  cliReport,
  ensureWebBuiltLocked,
  horizontalOverflow,
  launchBrowser,
  openAt,
  resetScreenshots,
  type Server,
  screenshot,
  settled,
  startServer,
  WIDTH,
} from "./harness.ts";

// The app in a real browser: `trueup serve` on a fresh database (the demo and its October, reconciled, and the
// admin's one-time password, which the admin replaces at first sign-in), Chromium headless. One server and one browser for the whole file: the
// tests run in order and each leaves the state the next one expects (runs #1 and #2 from the first
// start: the demo's October, then November; run #3 after a dismissal, run #4 after a mapping). Every login succeeds: failed ones get the
// address rate limited.

const ADMIN = "admin@trueup.local";
const VIEWER = "vera.viewer@trueup.local";
/** The password the first admin chooses in place of the one-time password. */
const ADMIN_PASSWORD = "the first admin's own password";
const demoDir = join(repoRoot, "examples", "demo");

let server: Server | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let report: CliReport;

function base(): string {
  if (!server) throw new Error("the server did not start");
  return server.url;
}

async function newContext(): Promise<BrowserContext> {
  if (!browser) throw new Error("the browser did not start");
  const ctx = await browser.newContext({ viewport: { width: WIDTH, height: 900 }, locale: "en-US" });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

/** Opens a path of the app (a full load) and waits for `ready` with nothing left loading. */
const open = (path: string, ready: (p: Page) => Locator, on: Page = page) => openAt(on, base(), path, ready);

/** Follows a link of the main navigation (no reload), as a person does. */
async function nav(label: string, ready: (p: Page) => Locator): Promise<void> {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: label, exact: true })
    .click();
  await settled(page, ready(page));
}

async function signIn(on: Page, email: string, password: string): Promise<void> {
  await on.getByLabel("Email").fill(email);
  await on.getByLabel("Password").fill(password);
  await on.getByRole("button", { name: "Sign in" }).click();
  await on.getByTestId("account").waitFor();
}

/** Signs in with a one-time password, and chooses `chosen` on the page that then asks for it. */
async function signInFirstTime(on: Page, email: string, oneTime: string, chosen: string): Promise<void> {
  await on.getByLabel("Email").fill(email);
  await on.getByLabel("Password").fill(oneTime);
  await on.getByRole("button", { name: "Sign in" }).click();
  await choosePassword(on, null, chosen);
  await on.getByTestId("account").waitFor();
}

/** Fills the password form; `current` null where the form does not ask (just after a one-time sign-in). */
async function choosePassword(
  on: Page,
  current: string | null,
  chosen: string,
  repeat = chosen,
): Promise<void> {
  const form = on.getByTestId("password-form");
  if (current !== null) await form.getByLabel("Current password").fill(current);
  await form.getByLabel("New password", { exact: true }).fill(chosen);
  await form.getByLabel("Repeat the new password").fill(repeat);
  await form.getByRole("button", { name: /Choose password|Change password/ }).click();
}

async function apiGet<T>(path: string, on: Page = page): Promise<T> {
  const res = await on.request.get(new URL(path, base()).href);
  if (!res.ok()) throw new Error(`GET ${path}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

// Buttons that only read or navigate; any other button changes something.
const READ_ONLY_BUTTONS = new Set(["Sign out", "Compare", "Previous", "Next", "Clear filters", "Try again"]);
const ACTION_TEST_IDS = ["start-run", "importer", "import-submit", "add-user-form", "mapping-done"];

/** The buttons (by name) and action areas (by test id) of the page that change something. */
async function actionsOn(on: Page): Promise<string[]> {
  // A column header's sort button only reorders the list.
  const buttons = await on
    .getByRole("button")
    .evaluateAll((bs) =>
      bs.filter((b) => !b.classList.contains("sort-button")).map((b) => (b.textContent ?? "").trim()),
    );
  if (!buttons.includes("Sign out")) throw new Error(`no Sign out button among ${buttons.join(", ")}`);
  const actions = buttons.filter((b) => !READ_ONLY_BUTTONS.has(b));
  for (const testId of ACTION_TEST_IDS) if ((await on.getByTestId(testId).count()) > 0) actions.push(testId);
  return actions;
}

function findingsOf(clientId: string, type: string) {
  const client = report.clients.find((c) => c.id === clientId);
  return client?.findings.filter((f) => f.type === type) ?? [];
}

beforeAll(async () => {
  // The build, the server's first start (PGlite, the demo, a run) and the CLI's report at once.
  const built = ensureWebBuiltLocked();
  await resetScreenshots();
  const [started, cli, launched] = await Promise.allSettled([
    built.then(() => startServer()),
    cliReport(demoDir),
    built.then(() => launchBrowser()),
  ]);
  // Keep what started, for afterAll to stop, before failing on what did not.
  if (started.status === "fulfilled") server = started.value;
  if (launched.status === "fulfilled") browser = launched.value;
  if (cli.status === "fulfilled") report = cli.value;
  for (const r of [started, cli, launched]) if (r.status === "rejected") throw r.reason;
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

describe("the app in a browser", () => {
  it("signs in with the one-time password printed on the first start, and must choose a password first", async () => {
    const oneTime = (server as Server).password;
    await open("/", (p) => p.getByRole("button", { name: "Sign in" }));
    await screenshot(page, "01-login");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.getByLabel("Email").fill(ADMIN);
    await page.getByLabel("Password").fill(oneTime);
    await page.getByRole("button", { name: "Sign in" }).click();

    // Nothing but the password form until the one-time password is replaced: no menu, no page.
    await page.getByRole("heading", { name: "Choose your password" }).waitFor();
    expect(await page.getByTestId("account").count()).toBe(0);
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    const blocked = await page.request.get(new URL("/api/dashboard", base()).href);
    expect([blocked.status(), (await blocked.json()).error]).toEqual([403, "password_change_required"]);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, "01-choose-password");

    // The one-time password just typed is not asked for again (it is held in memory only).
    const form = page.getByTestId("password-form");
    expect(await form.getByLabel("Current password").count()).toBe(0);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toContain(
      oneTime,
    );

    // The form's own checks, then the server's: the errors are shown and the form stays.
    const error = page.getByTestId("password-error");
    await choosePassword(page, null, ADMIN_PASSWORD, `${ADMIN_PASSWORD}x`);
    expect(await error.textContent()).toBe("The two new passwords are not the same.");
    await choosePassword(page, null, "too short");
    expect(await error.textContent()).toBe("The new password needs at least 12 characters.");
    // The server still checks the current password of a first change.
    const me = await page.request.get(new URL("/api/auth/me", base()).href);
    const wrong = await page.request.post(new URL("/api/auth/password", base()).href, {
      headers: { "X-CSRF-Token": ((await me.json()) as { csrf: string }).csrf },
      data: { current: "not the one-time password", next: ADMIN_PASSWORD },
    });
    expect([wrong.status(), ((await wrong.json()) as { message: string }).message]).toEqual([
      400,
      "the current password is wrong",
    ]);

    // After a reload the one-time password is gone from memory: the form asks for it.
    await page.reload();
    await page.getByRole("heading", { name: "Choose your password" }).waitFor();
    expect(await page.getByTestId("account").count()).toBe(0);
    await choosePassword(page, oneTime, ADMIN_PASSWORD);
    await page.getByTestId("account").waitFor();
    expect(await page.getByTestId("account-role").textContent()).toBe("admin");
    expect(await page.getByTestId("account").textContent()).toContain(ADMIN);
    await settled(page, page.getByTestId("total-findings"));
    expect(new URL(page.url()).pathname).toBe("/");
  });

  it("shows on the dashboard the totals of the CLI's report of the same workspace", async () => {
    const keys = [
      "underBilled",
      "overBilled",
      "licenceWaste",
      "licenceShortfall",
      "unmapped",
      "coverageGaps",
      "findings",
    ];
    expect(Object.keys(report.totals).sort()).toEqual([...keys].sort());
    await open("/", (p) => p.getByTestId("total-findings"));
    for (const key of keys)
      expect(await attr(page.getByTestId(`total-${key}`), "data-value"), key).toBe(
        String(report.totals[key]),
      );
    expect(await page.getByTestId("dashboard-run").textContent()).toContain(`Run #2 as of ${report.asOf}`);
    await screenshot(page, "02-dashboard");
  });

  it("shows on the dashboard the surpluses to cut within 30 days and the spike since October", async () => {
    await open("/", (p) => p.getByTestId("renewals-soon"));
    const soon = await page.getByTestId("renewals-soon").textContent();
    expect(soon).toContain("Cobalt Freight & Logistics");
    expect(soon).toContain("Microsoft 365 F3");
    expect(await attr(page.getByTestId("renewals-30").locator("[data-value]"), "data-value")).toBe("32.00");
    // Ivy's window (31 January, 91 days away) is in none of the horizons; the calendar lists it.
    await page.getByText("Calendar of every window").click();
    expect(await page.getByTestId("renewals-calendar").textContent()).toContain("January 2027");
    const alerts = page.getByTestId("changes-alerts");
    await alerts.waitFor();
    expect(await alerts.locator("tbody tr").first().textContent()).toContain(
      "Granite Ridge Construction: Gold (per user) required +40 % (+8) since October",
    );
    await screenshot(page, "02b-dashboard-renewals-changes");
  });

  it("shows on a client's page the devices behind its coverage gap", async () => {
    const [gap] = findingsOf("evergreen", "COVERAGE_GAP");
    expect(gap?.evidence.length).toBeGreaterThan(0);
    const expected = [...(gap?.evidence ?? [])].sort();
    const deployment = "edr"; // the deployment of service:edr in examples/demo/trueup.yaml
    expect(gap?.subject).toBe("service:edr");

    await nav("Clients", (p) => p.getByTestId("clients-table"));
    await page
      .locator("[data-testid=client-row][data-client-id=evergreen]")
      .getByRole("link")
      .first()
      .click();
    await settled(page, page.getByTestId("devices-table"));
    expect(new URL(page.url()).pathname).toBe("/clients/evergreen");

    const finding = page.locator("[data-testid=finding-row][data-type=COVERAGE_GAP]");
    expect(await finding.count()).toBe(1);
    const shown = await finding.getByTestId("finding-evidence").locator("li").allTextContents();
    expect([...shown].sort()).toEqual(expected);

    const gapRows = page.locator("[data-testid=device-row][data-coverage-gap=true]");
    expect(
      (await gapRows.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-hostname")))).sort(),
    ).toEqual(expected);
    for (const hostname of expected) {
      const row = page.locator(`[data-testid=device-row][data-hostname="${hostname}"]`);
      const cell = row.locator(`[data-testid=device-deployment][data-deployment=${deployment}]`);
      expect(await attr(cell, "data-seen"), hostname).toBe("false");
      expect(await cell.textContent()).toContain("missing");
    }

    // The evidence links to the device row; the filter leaves only the devices with a gap.
    await finding.getByRole("link", { name: expected[0] }).click();
    expect(new URL(page.url()).hash).toBe(`#device-${expected[0]}`);
    await page.getByLabel(/Only devices with a coverage gap/).check();
    const rows = page.locator("[data-testid=device-row]");
    await page.waitForFunction(
      (n) => document.querySelectorAll("[data-testid=device-row]").length === n,
      expected.length,
    );
    expect((await rows.evaluateAll((r) => r.map((x) => x.getAttribute("data-hostname")))).sort()).toEqual(
      expected,
    );
    await page.getByLabel(/Only devices with a coverage gap/).uncheck();
    await screenshot(page, "03-client-evergreen");
  });

  it("dismisses a finding with a reason, and it stays dismissed after a new run started from the UI", async () => {
    const key = "foxglove|LICENCE_SURPLUS|service:m365-bs";
    const reason = "Two spare seats kept for the seasonal staff";
    await nav("Findings", (p) => p.getByTestId("findings-table"));
    await page.getByLabel("Client").selectOption("foxglove");
    await page.getByLabel("Type").selectOption("LICENCE_SURPLUS");
    const row = page.locator(`[data-testid=finding-row][data-key="${key}"]`);
    await settled(page, row);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=finding-row]").length === 1);
    const query = new URL(page.url()).searchParams;
    expect([query.get("clientId"), query.get("type")]).toEqual(["foxglove", "LICENCE_SURPLUS"]);
    expect(await attr(row, "data-status")).toBe("open");

    // An empty reason sends nothing.
    await row.getByRole("button", { name: /^Dismiss: / }).click();
    await page.getByRole("button", { name: "Dismiss finding" }).click();
    await page.getByText("A reason is required to dismiss a finding.").waitFor();
    expect(await attr(row, "data-status")).toBe("open");

    await page.getByLabel(/Reason for dismissing/).fill(reason);
    await page.getByRole("button", { name: "Dismiss finding" }).click();
    await page.getByTestId("decision-notice").waitFor();
    await page.locator(`[data-testid=finding-row][data-key="${key}"][data-status=dismissed]`).waitFor();
    await screenshot(page, "04-findings-dismissed");

    await nav("Runs", (p) => p.getByTestId("runs-table"));
    await page.getByTestId("start-run").click();
    expect(await page.getByTestId("run-done").textContent()).toContain("Run #3");
    await page.locator("[data-testid=run-row][data-run-id='3']").waitFor();
    await screenshot(page, "05-runs-after-run");

    // The latest run is #3: the finding is in it, still dismissed, with its reason.
    await open(`/findings?clientId=foxglove&type=LICENCE_SURPLUS`, (p) => p.getByTestId("findings-table"));
    const after = page.locator(`[data-testid=finding-row][data-key="${key}"]`);
    expect(await attr(after, "data-status")).toBe("dismissed");
    expect(await after.textContent()).toContain(reason);
    const fromApi = await apiGet<{ items: { key: string; status: string; reason: string | null }[] }>(
      "/api/findings?runId=3&clientId=foxglove&type=LICENCE_SURPLUS",
    );
    expect(fromApi.items.map((f) => [f.key, f.status, f.reason])).toEqual([[key, "dismissed", reason]]);
  });

  it("names the bad line of an uploaded CSV and stores nothing", async () => {
    const before = await apiGet<{ total: number }>("/api/imports?limit=1");
    await nav("Imports", (p) => p.getByTestId("imports-table"));
    const rowsBefore = await page.getByTestId("import-row").count();

    const csv = [
      "account,sku,quantity,unitCost",
      "NWIT-BIRCHWOOD,WORKSTATION,22,3.00",
      "NWIT-BIRCHWOOD,SERVER,two,35.00",
      "NWIT-COBALT,WORKSTATION-É,20,3.00",
      "",
    ].join("\n");
    const source = page.getByLabel("Source");
    const option = source.locator("option", { hasText: "data/cove.csv" });
    await source.selectOption(await attr(option, "value"));
    await page.getByLabel("CSV file").setInputFiles({
      name: "cove-december.csv",
      mimeType: "text/csv",
      // As Excel saves it on Windows (Windows-1252): the page sends the bytes, the server decodes them.
      buffer: Buffer.from(csv, "latin1"),
    });
    const errors = page.getByTestId("import-errors");
    await errors.waitFor();
    expect(await errors.textContent()).toContain("Nothing has been stored.");
    const issues = page.locator("[data-testid=import-issues] [data-testid=issue]");
    expect(await issues.evaluateAll((l) => l.map((i) => i.getAttribute("data-line")))).toEqual(["3"]);
    const issue = (await issues.first().textContent()) ?? "";
    expect(issue).toContain("Line 3");
    expect(issue).toContain("quantity");
    const previewRows = page.getByTestId("import-rows").locator("tbody tr");
    expect(await previewRows.count()).toBe(3);
    expect(await attr(page.locator("[data-testid=import-rows] tr[data-line='3']"), "class")).toContain(
      "row-error",
    );
    expect(await page.locator("[data-testid=import-rows] tr.row-error").count()).toBe(1);
    expect(await page.locator("[data-testid=import-rows] tr[data-line='4']").textContent()).toContain(
      "WORKSTATION-É",
    );
    expect(await page.getByTestId("import-submit").isDisabled()).toBe(true);
    await screenshot(page, "06-imports-bad-line");

    // The server refuses the same file as a whole: nothing stored, by the UI or the API.
    const { csrf } = await apiGet<{ csrf: string }>("/api/auth/me");
    const refused = await page.request.post(new URL("/api/imports", base()).href, {
      headers: { "X-CSRF-Token": csrf },
      data: { sourceId: Number(await attr(option, "value")), fileName: "cove-december.csv", content: csv },
    });
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: "invalid",
      issues: [expect.objectContaining({ line: 3 })],
    });
    expect((await apiGet<{ total: number }>("/api/imports?limit=1")).total).toBe(before.total);
    await open("/imports", (p) => p.getByTestId("imports-table"));
    expect(await page.getByTestId("import-row").count()).toBe(rowsBefore);
  });

  it("maps an unmapped SKU, runs, and its UNMAPPED_SKU finding goes", async () => {
    const sku = "MST-PBI-PRO-NCE-M";
    const key = `granite|UNMAPPED_SKU|sku:pax8:${sku}`;
    expect(findingsOf("granite", "UNMAPPED_SKU").map((f) => f.subject)).toEqual([`sku:pax8:${sku}`]);

    // The demo sells no Power BI service: mapped to any service, the SKU leaves the queue.
    await nav("Mappings", (p) => p.getByTestId("mappings-table"));
    const row = page.locator(
      `[data-testid=unmapped-row][data-kind=sku][data-system=pax8][data-value=${sku}]`,
    );
    await row.getByLabel(new RegExp(`Map SKU ${sku} to`)).selectOption("service:m365-bp");
    await row.getByRole("button", { name: "Map", exact: true }).click();
    await page.locator(`[data-testid=unmapped-row][data-value=${sku}][data-pending=true]`).waitFor();
    expect(await row.getByTestId("unmapped-pending").textContent()).toContain(sku);
    const done = page.getByTestId("mapping-done");
    await screenshot(page, "07-mappings-pending");

    await done.getByRole("button", { name: "Run the reconciliation now" }).click();
    expect(await done.getByTestId("run-done").textContent()).toContain("Run #4");
    await row.waitFor({ state: "detached" });
    await settled(page, page.locator("main h1"));
    await screenshot(page, "08-mappings-after-run");

    await open(`/findings?type=UNMAPPED_SKU`, (p) => p.getByTestId("findings-count"));
    expect(await page.getByTestId("findings-count").textContent()).toBe("0 findings");
    expect(await page.locator("[data-testid=finding-row]").count()).toBe(0);
    const latest = await apiGet<{ total: number }>("/api/findings?type=UNMAPPED_SKU");
    expect(latest.total).toBe(0);

    // The runs page says so too: fixed between run #3 and run #4; and the dismissal held again.
    await open("/runs?from=3&to=4", (p) => p.getByTestId("run-diff"));
    await page.locator(`[data-testid=diff-fixed] [data-testid=diff-row][data-key="${key}"]`).waitFor();
    await screenshot(page, "09-runs-diff");
    const dismissed = await apiGet<{ items: { key: string }[] }>("/api/findings?status=dismissed");
    expect(dismissed.items.map((f) => f.key)).toEqual(["foxglove|LICENCE_SURPLUS|service:m365-bs"]);
  });

  // Every admin page, as the last state leaves it: a screenshot each, and none wider than 1280 px.
  // `acts`: an admin has buttons there that change something (a viewer has none anywhere).
  const PAGES: { name: string; path: string; ready: (p: Page) => Locator; acts: boolean }[] = [
    { name: "dashboard", path: "/", ready: (p) => p.getByTestId("chart-trend"), acts: true },
    { name: "clients", path: "/clients", ready: (p) => p.getByTestId("clients-table"), acts: false },
    {
      name: "client-evergreen",
      path: "/clients/evergreen",
      ready: (p) => p.getByTestId("devices-table"),
      acts: true,
    },
    {
      name: "client-granite",
      path: "/clients/granite",
      ready: (p) => p.getByTestId("lines-table"),
      acts: true,
    },
    { name: "findings", path: "/findings", ready: (p) => p.getByTestId("findings-table"), acts: true },
    { name: "margin", path: "/margin", ready: (p) => p.getByTestId("margin-table"), acts: false },
    { name: "catalogue", path: "/catalogue", ready: (p) => p.getByTestId("catalogue-editor"), acts: true },
    { name: "mappings", path: "/mappings", ready: (p) => p.getByTestId("mappings-table"), acts: true },
    { name: "imports", path: "/imports", ready: (p) => p.getByTestId("imports-table"), acts: true },
    { name: "runs", path: "/runs?from=2&to=4", ready: (p) => p.getByTestId("run-diff"), acts: true },
    { name: "users", path: "/users", ready: (p) => p.getByTestId("users-admin-table"), acts: true },
    { name: "audit", path: "/audit", ready: (p) => p.getByTestId("audit-table"), acts: false },
    // The demo's sandbox PSA (issue 13 item 6): a connection to pull, a PSA to plan against.
    {
      name: "connections",
      path: "/connections",
      ready: (p) => p.getByTestId("connections-table"),
      acts: true,
    },
    { name: "sync", path: "/sync", ready: (p) => p.getByTestId("sandbox-panel"), acts: true },
    { name: "password", path: "/password", ready: (p) => p.getByTestId("password-form"), acts: true },
    { name: "not-found", path: "/no-such-page", ready: (p) => p.getByText("Page not found"), acts: false },
  ];

  it("keeps every page within 1280 px (a screenshot of each)", async () => {
    const overflow: Record<string, number> = {};
    const actions: Record<string, boolean> = {};
    for (const [n, p] of PAGES.entries()) {
      await open(p.path, p.ready);
      overflow[p.name] = await horizontalOverflow(page);
      actions[p.name] = (await actionsOn(page)).length > 0;
      await screenshot(page, `page-${String(n + 1).padStart(2, "0")}-${p.name}`);
    }
    expect(overflow).toEqual(Object.fromEntries(PAGES.map((p) => [p.name, 0])));
    // What the viewer test looks for is there for an admin.
    expect(actions).toEqual(Object.fromEntries(PAGES.map((p) => [p.name, p.acts])));
  });

  it("gives a viewer, added on the Users page, every page but no action button", async () => {
    await open("/users", (p) => p.getByTestId("add-user-form"));
    const form = page.getByTestId("add-user-form");
    await form.getByLabel("Email").fill(VIEWER);
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByRole("button", { name: "Add account" }).click();
    const password = (await page.getByTestId("new-user-password").textContent()) ?? "";
    expect(password.length).toBeGreaterThan(8);
    await page.locator(`[data-testid=user-admin-row][data-email="${VIEWER}"]`).waitFor();

    const viewerContext = await newContext();
    try {
      const v = await viewerContext.newPage();
      await open("/findings", (p) => p.getByRole("button", { name: "Sign in" }), v);
      await signInFirstTime(v, VIEWER, password, "vera's own password 1");
      expect(await v.getByTestId("account-role").textContent()).toBe("viewer");
      await settled(v, v.getByTestId("findings-table")); // the page asked for, after signing in
      const links = await v.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
      expect(links).not.toContain("Users");
      expect(links).not.toContain("Audit log");

      const viewerPages = [
        // Changing one's own password (the last step below) is the one thing a viewer may do.
        ...PAGES.filter((p) => p.name !== "users" && p.name !== "audit" && p.name !== "password"),
        {
          name: "users",
          path: "/users",
          ready: (p: Page) => p.getByText("Only an admin manages accounts."),
          acts: false,
        },
      ];
      const found: Record<string, string[]> = {};
      const overflow: Record<string, number> = {};
      for (const p of viewerPages) {
        await open(p.path, p.ready, v);
        found[p.name] = await actionsOn(v);
        overflow[p.name] = await horizontalOverflow(v);
        await screenshot(v, `viewer-${p.name}`);
      }
      expect(found).toEqual(Object.fromEntries(viewerPages.map((p) => [p.name, []])));
      expect(overflow).toEqual(Object.fromEntries(viewerPages.map((p) => [p.name, 0])));
      await open("/catalogue", (p) => p.getByLabel("trueup.yaml text"), v);
      expect(await v.getByLabel("trueup.yaml text").getAttribute("readonly")).not.toBeNull();

      // Every account changes its own password from the account menu.
      await v.getByTestId("account").getByRole("link", { name: "Change password" }).click();
      await settled(v, v.getByTestId("password-form"));
      expect(new URL(v.url()).pathname).toBe("/password");
      await choosePassword(v, "vera's own password 1", "vera's own password 1");
      expect(await v.getByTestId("password-error").textContent()).toBe(
        "The new password must differ from the current one.",
      );
      await choosePassword(v, "vera's own password 1", "vera's own password 2");
      await v.getByTestId("password-changed").waitFor();
      expect(await horizontalOverflow(v)).toBe(0);
      await screenshot(v, "viewer-change-password");
    } finally {
      await viewerContext.close();
    }
  });

  it("signs out", async () => {
    await open("/", (p) => p.getByTestId("account"));
    const loggedOut = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/auth/logout");
    await page.getByRole("button", { name: "Sign out" }).click();
    expect((await loggedOut).status()).toBe(204);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    expect((await page.request.get(new URL("/api/auth/me", base()).href)).status()).toBe(401);

    // The admin's own password signs in straight to the app now.
    await signIn(page, ADMIN, ADMIN_PASSWORD);
    await settled(page, page.getByTestId("total-findings"));
    expect(await page.getByTestId("choose-password").count()).toBe(0);
  });
});
