import { rm } from "node:fs/promises";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CwFake, startConnectwiseFake } from "../fakes/connectwise.ts";
import type { FakePsaLine } from "../fakes/psa.ts";
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

// The PSA sync page in a real browser: `trueup serve` over the sync fixture's workspace, its billing
// source reading a ConnectWise fake in this process (secrets from the server's environment), plus a
// Huntress connection (not a PSA). A billing account plans, approves some changes, rejects one, and
// applies; the fake's lines must change for the approved changes only, and the history must show
// every request sent. One server and one browser for the file; the tests run in order.

const ADMIN = "admin@trueup.local";
const BILLING = "bea.billing@trueup.local";
const VIEWER = "val.viewer@trueup.local";
const CW = "cw-main";
const HUNTRESS_MORE = `  edr-agents:
    kind: huntress
    apiKeyEnv: TRUEUP_CONN_HUNTRESS_API_KEY
    apiSecretEnv: TRUEUP_CONN_HUNTRESS_API_SECRET
`;
const fixture = syncFixture(8, 4);

interface ChangeJson {
  seq: number;
  change: {
    action: "set" | "create" | "choose";
    clientName: string;
    agreement?: string;
    product: string;
    line?: { id: string; agreement: string };
    from: string;
    to: string;
    monthlyImpact: string;
  };
  decision: string;
  state: string;
  result?: string;
}

interface PlanJson {
  id: number;
  connection: string;
  effective: string;
  status: string;
  monthlyImpact: string;
  changes: ChangeJson[];
}

interface EventJson {
  kind: string;
  seq?: number;
  actor: string;
  details: Record<string, unknown>;
}

const shots = screenshotsIn("screenshots-sync");
let fake: CwFake | undefined;
let workspace: string | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let admin: Page;
let page: Page; // billing
let planId = 0;
let seeded: FakePsaLine[] = [];
const passwords: Record<string, string> = {};

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

async function signedIn(email: string, password: string): Promise<Page> {
  const p = await (await newContext()).newPage();
  await open("/", (x) => x.getByRole("button", { name: "Sign in" }), p);
  await signInFirstTime(p, email, password);
  return p;
}

const planJson = () => apiRequest<PlanJson>(page, base(), "GET", `/api/sync/plans/${planId}`);
const changeRow = (seq: number, on: Page = page) => on.locator(`[data-testid=change-row][data-seq="${seq}"]`);

/** The next month's first day as the page computes it (the browser runs on this machine's clock). */
function firstOfNextMonth(): string {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-01`;
}

/** How far each table is wider than the box it scrolls in (0: it fits). */
function tableOverflow(on: Page): Promise<number[]> {
  return on.evaluate(() =>
    [...document.querySelectorAll(".table-wrap")].map((w) => Math.max(0, w.scrollWidth - w.clientWidth)),
  );
}

beforeAll(async () => {
  const built = ensureWebBuiltLocked();
  await shots.reset();
  fake = await startConnectwiseFake(fixture.psa);
  seeded = fake.lines();
  workspace = await psaWorkspace(fixture, fake.connection(CW), fake.env, HUNTRESS_MORE);
  const [started, launched] = await Promise.allSettled([
    built.then(() => startServerWith({ workspace, env: { ...cw().env } })),
    built.then(() => launchBrowser()),
  ]);
  if (started.status === "fulfilled") server = started.value;
  if (launched.status === "fulfilled") browser = launched.value;
  for (const r of [started, launched]) if (r.status === "rejected") throw r.reason;
  admin = await signedIn(ADMIN, (server as Server).password);
  passwords[BILLING] = await addAccount(admin, base(), BILLING, "billing");
  passwords[VIEWER] = await addAccount(admin, base(), VIEWER, "viewer");
  page = await signedIn(BILLING, passwords[BILLING]);
}, 240_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    await fake?.close();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  }
}, 30_000);

describe("the PSA sync page", () => {
  it("plans from the UI: every change the server saved, those needing an agreement not approvable", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "PSA sync", exact: true })
      .click();
    await settled(page, page.getByTestId("plan-form"));
    expect(new URL(page.url()).pathname).toBe("/sync");
    expect(await page.getByTestId("plan-section").getByTestId("empty").textContent()).toContain(
      `No plan for ${CW} yet.`,
    );
    // Only PSA connections to choose from; the effective date starts at the next month's first day.
    const select = page.getByLabel("PSA connection");
    expect(
      await select.locator("option").evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
    ).toEqual([CW]);
    expect(await page.getByLabel("Effective from").inputValue()).toBe(firstOfNextMonth());
    expect(await page.getByLabel("Include prices").isChecked()).toBe(false);

    const planned = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/sync/plans" && r.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Plan", exact: true }).click();
    const response = await planned;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as PlanJson;
    planId = body.id;
    await page.getByTestId("plan-done").waitFor();
    await page.locator(`[data-testid=plan][data-plan-id="${planId}"]`).waitFor();
    await settled(page, page.getByTestId("history-table"));

    const plan = await planJson();
    expect(plan.effective).toBe(firstOfNextMonth());
    expect(plan.changes.filter((c) => c.change.action === "set").length).toBeGreaterThanOrEqual(4);
    expect(plan.changes.some((c) => c.change.action === "choose")).toBe(true);
    expect(await attr(page.getByTestId("plan-impact"), "data-value")).toBe(plan.monthlyImpact);
    const rows = page.getByTestId("change-row");
    expect(await rows.evaluateAll((r) => r.map((x) => Number(x.getAttribute("data-seq"))))).toEqual(
      plan.changes.map((c) => c.seq),
    );
    for (const c of plan.changes) {
      const r = changeRow(c.seq);
      expect(await attr(r, "data-action")).toBe(c.change.action);
      expect(await attr(r, "data-decision")).toBe("pending");
      expect(await attr(r, "data-state")).toBe("planned");
      expect(await r.getByTestId("change-client").textContent()).toBe(c.change.clientName);
      expect(await r.getByTestId("change-product").textContent()).toBe(c.change.product);
      const q = r.getByTestId("change-quantity");
      expect([await attr(q, "data-from"), await attr(q, "data-to")]).toEqual([c.change.from, c.change.to]);
      expect(await attr(r.getByTestId("change-impact"), "data-value")).toBe(c.change.monthlyImpact);
      if (c.change.action === "set")
        expect(await r.getByTestId("change-line").textContent()).toBe(`line ${c.change.line?.id}`);
      if (c.change.action === "choose") {
        expect(await r.getByTestId("change-agreement").textContent()).toContain("Needs an agreement");
        expect(await r.getByTestId("change-decision").textContent()).toContain("Not approvable");
        expect(await r.getByRole("button").count()).toBe(0);
      } else {
        expect(await r.getByRole("button").allTextContents()).toEqual(["Approve", "Reject"]);
      }
    }
    expect(await page.locator("[data-testid=history-row][data-kind=plan]").count()).toBe(1);
    expect(await page.getByTestId("apply").isDisabled()).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shots.take(page, "01-planned");
  });

  it("approves some, rejects one, applies: the PSA changes for the approved ones only", async () => {
    const plan = await planJson();
    const sets = plan.changes.filter((c) => c.change.action === "set");
    const creates = plan.changes.filter((c) => c.change.action === "create");
    const [first, second, rejected, conflicted] = sets as [ChangeJson, ChangeJson, ChangeJson, ChangeJson];
    const approved = [first, second, ...creates.slice(0, 1)];

    for (const c of [...approved, conflicted]) {
      await changeRow(c.seq).getByRole("button", { name: "Approve", exact: true }).click();
      await page.locator(`[data-testid=change-row][data-seq="${c.seq}"][data-decision=approved]`).waitFor();
    }
    await changeRow(rejected.seq).getByRole("button", { name: "Reject", exact: true }).click();
    await page
      .locator(`[data-testid=change-row][data-seq="${rejected.seq}"][data-decision=rejected]`)
      .waitFor();
    expect(await changeRow(first.seq).getByRole("button").allTextContents()).toEqual(["Reject", "Undo"]);
    expect(await changeRow(rejected.seq).getByRole("button").allTextContents()).toEqual(["Approve", "Undo"]);
    const decided = await planJson();
    expect(
      Object.fromEntries(
        decided.changes.filter((c) => c.decision !== "pending").map((c) => [c.seq, c.decision]),
      ),
    ).toEqual({
      ...Object.fromEntries([...approved, conflicted].map((c) => [c.seq, "approved"])),
      [rejected.seq]: "rejected",
    });

    // Someone edits one approved line in the PSA after the plan: applying must not overwrite it.
    const line = conflicted.change.line?.id ?? "";
    const edited = Number(conflicted.change.from) + 7;
    cw().setQuantity(line, edited);
    const writesBefore = cw().writes.length;

    await page.getByTestId("apply").click();
    const result = page.getByTestId("apply-result");
    await result.waitFor();
    const figure = async (key: string) =>
      Number(await attr(result.getByTestId(`apply-${key}`), "data-value"));
    expect(await figure("applied")).toBe(approved.length);
    expect(await figure("conflicts")).toBe(1);
    expect(await figure("failed")).toBe(0);
    expect(await figure("alreadyDone")).toBe(0);
    expect(await figure("notApproved")).toBe(plan.changes.length - approved.length - 1);

    // The PSA: approved set lines at their target, the edited line as the person left it, every other
    // seeded line as it was, and one new line for the approved create.
    const now = cw().lines();
    const target = new Map(seeded.map((l) => [l.id, l.quantity]));
    for (const c of approved)
      if (c.change.action === "set") target.set(c.change.line?.id ?? "", Number(c.change.to));
    target.set(line, edited);
    expect(Object.fromEntries(now.filter((l) => target.has(l.id)).map((l) => [l.id, l.quantity]))).toEqual(
      Object.fromEntries(target),
    );
    const fresh = now.filter((l) => !target.has(l.id));
    expect(fresh.map((l) => [l.agreement, l.product, l.quantity])).toEqual(
      creates.slice(0, 1).map((c) => [c.change.agreement, c.change.product, Number(c.change.to)]),
    );
    const writes = cw().writes.slice(writesBefore);
    expect(writes.map((w) => w.op).sort()).toEqual(approved.map((c) => c.change.action).sort());
    expect(writes.filter((w) => w.op === "set").map((w) => w.line)).toEqual(
      approved.filter((c) => c.change.action === "set").map((c) => c.change.line?.id),
    );

    // The page: applied, conflict (marked, with its reason), rejected and untouched rows.
    for (const c of approved) {
      const r = page.locator(`[data-testid=change-row][data-seq="${c.seq}"][data-state=applied]`);
      await r.waitFor();
      expect(await r.getByTestId("change-result").textContent()).toContain("in the PSA");
      expect(await r.getByRole("button").count()).toBe(0);
    }
    const conflict = page.locator(
      `[data-testid=change-row][data-seq="${conflicted.seq}"][data-state=conflict]`,
    );
    await conflict.waitFor();
    expect(await attr(conflict, "class")).toContain("row-conflict");
    const after = await planJson();
    const conflictView = after.changes.find((c) => c.seq === conflicted.seq);
    expect(conflictView?.state).toBe("conflict");
    expect(await conflict.getByTestId("change-result").textContent()).toBe(conflictView?.result);
    expect(await conflict.getByTestId("change-state").textContent()).toBe("Conflict");
    expect(await attr(changeRow(rejected.seq), "data-state")).toBe("planned");
    expect(await attr(changeRow(rejected.seq), "data-decision")).toBe("rejected");
    expect(await horizontalOverflow(page)).toBe(0);
    await shots.take(page, "02-applied");
  });

  it("lists the plan's history: decisions, attempts, and each request sent with its body and status", async () => {
    const plan = await planJson();
    await open("/sync", (p) => p.getByTestId("history-table"));
    const history = await apiRequest<{ items: EventJson[]; total: number }>(
      page,
      base(),
      "GET",
      `/api/sync/history?planId=${planId}&limit=100`,
    );
    const rows = page.getByTestId("history-row");
    expect(await rows.count()).toBe(history.total);
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute("data-kind")))).toEqual(
      history.items.map((e) => e.kind),
    );
    const kinds = new Set(history.items.map((e) => e.kind));
    for (const k of ["plan", "approve", "reject", "attempt", "exchange", "applied", "conflict"])
      expect(kinds.has(k), k).toBe(true);
    expect(
      history.items.filter((e) => e.kind === "approve" || e.kind === "reject").map((e) => e.actor),
    ).not.toContain(ADMIN);

    // Every write: the PATCH of each applied set line (its quantity in the body, 200), the POST of the
    // new line (201); none for the conflict, the rejected change or the pending ones.
    const writes = page.locator("[data-testid=history-row][data-kind=exchange]:not([data-method=GET])");
    const applied = plan.changes.filter((c) => c.state === "applied");
    expect(await writes.count()).toBe(applied.length);
    for (const c of applied) {
      const r = writes.and(page.locator(`[data-seq="${c.seq}"]`));
      expect(await r.count(), `change ${c.seq}`).toBe(1);
      const request = (await r.getByTestId("history-request").textContent()) ?? "";
      const body = JSON.parse((await r.getByTestId("history-body").textContent()) ?? "null") as unknown;
      if (c.change.action === "set") {
        expect(await attr(r, "data-method")).toBe("PATCH");
        expect(request).toContain(
          `/finance/agreements/${c.change.line?.agreement}/additions/${c.change.line?.id}`,
        );
        expect(JSON.stringify(body)).toContain(`"value":${Number(c.change.to)}`);
        expect(await attr(r, "data-status")).toBe("200");
      } else {
        expect(await attr(r, "data-method")).toBe("POST");
        expect(request).toContain(`/finance/agreements/${c.change.agreement}/additions`);
        expect(body).toMatchObject({ quantity: Number(c.change.to) });
        expect(await attr(r, "data-status")).toBe("201");
      }
      expect(await r.getByTestId("history-status").textContent()).toContain(await attr(r, "data-status"));
    }
    const conflict = plan.changes.find((c) => c.state === "conflict");
    const conflictRow = page.locator(
      `[data-testid=history-row][data-kind=conflict][data-seq="${conflict?.seq}"]`,
    );
    expect(await conflictRow.textContent()).toContain(conflict?.result ?? "?");
    expect(await tableOverflow(page)).toEqual([0, 0]);
    expect(await horizontalOverflow(page)).toBe(0);
    await shots.take(page, "03-history");
  });

  it("approves all that is left and applies it; the conflict and the rejected change stay", async () => {
    const before = await planJson();
    const left = before.changes.filter(
      (c) => c.change.action !== "choose" && c.decision === "pending" && c.state === "planned",
    );
    expect(left.length).toBeGreaterThan(0);
    await page.getByTestId("approve-all").click();
    for (const c of left)
      await page.locator(`[data-testid=change-row][data-seq="${c.seq}"][data-decision=approved]`).waitFor();
    for (const c of before.changes.filter((x) => x.change.action === "choose"))
      expect(await attr(changeRow(c.seq), "data-decision")).toBe("pending");
    expect(await page.getByTestId("approve-all").isDisabled()).toBe(true);

    await page.getByTestId("apply").click();
    const result = page.getByTestId("apply-result");
    await result.waitFor();
    expect(Number(await attr(result.getByTestId("apply-applied"), "data-value"))).toBe(left.length);
    expect(Number(await attr(result.getByTestId("apply-finished"), "data-value"))).toBe(
      before.changes.filter((c) => c.state === "applied" || c.state === "conflict").length,
    );
    const after = await planJson();
    for (const c of left) expect(after.changes.find((x) => x.seq === c.seq)?.state).toBe("applied");
    expect(after.changes.filter((c) => c.state === "conflict").length).toBe(1);
    expect(after.changes.filter((c) => c.decision === "rejected").map((c) => c.state)).toEqual(["planned"]);
    await page.locator("[data-testid=apply][disabled]").waitFor();
    await shots.take(page, "04-all-applied");
  });

  it("shows a viewer the plan and its history without a button", async () => {
    const v = await signedIn(VIEWER, passwords[VIEWER] ?? "");
    await v
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "PSA sync", exact: true })
      .click();
    await settled(v, v.getByTestId("history-table"));
    await v.locator(`[data-testid=plan][data-plan-id="${planId}"]`).waitFor();
    const plan = await planJson();
    expect(await v.getByTestId("change-row").count()).toBe(plan.changes.length);
    expect(await v.getByLabel("Effective from").count()).toBe(0);
    expect(await buttonsOn(v)).toEqual([]);
    expect(await horizontalOverflow(v)).toBe(0);
    await shots.take(v, "05-viewer");
  });

  it("tells an admin that storing a secret needs TRUEUP_SECRET_KEY", async () => {
    await open("/connections", (p) => p.getByTestId("secrets-table"), admin);
    const r = admin.locator(`[data-testid=secret-row][data-connection="${CW}"][data-secret=publicKey]`);
    expect(await r.getByTestId("secret-source").textContent()).toBe(
      "Environment variable TRUEUP_CONN_CW_PUBLIC_KEY",
    );
    await r.getByLabel(`Value of publicKey for ${CW}`).fill("another-public-key");
    await r.getByRole("button", { name: "Store" }).click();
    const error = r.getByTestId("action-error");
    await error.waitFor();
    expect(await error.textContent()).toContain("TRUEUP_SECRET_KEY is not set");
    expect(await attr(r, "data-source")).toBe("environment");
  });
});
