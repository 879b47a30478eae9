import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferIo } from "../src/cli/io.ts";
import { runPricingApply, runPricingPlan } from "../src/cli/pricing.ts";
import type { PsaBilling } from "../src/connectors/types.ts";
import { money } from "../src/core/money.ts";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJson } from "../src/core/report.ts";
import { raised } from "../src/core/uplift.ts";
import { applyRises } from "../src/pricing/apply.ts";
import { noticeLetter } from "../src/pricing/letter.ts";
import { noticeLetterPdf } from "../src/pricing/letter-pdf.ts";
import { nextAnniversary, type PricingPlan, planPricing } from "../src/pricing/plan.ts";
import type { PlanReport } from "../src/sync/plan.ts";
import { planFromReport } from "../src/sync/service.ts";
import { formatIssue } from "../src/workspace/issues.ts";
import { checkConfig, loadWorkspace } from "../src/workspace/load.ts";
import { repoRoot, tempDir } from "./fixtures.ts";
import { pdfPages } from "./pdf-text.ts";

// Price rises at contract anniversaries (issue 15 item 3): the demo's Birchwood (contract from
// 1 December 2025, uplift 5 % capped at 7 %, email archiving excluded) is due on 1 December 2026,
// 30 days after the demo's asOf. The figures are those docs/pricing.md works out by hand.

const demoDir = join(repoRoot, "examples", "demo");

interface ReportJson {
  totals: unknown;
  clients: { id: string; lines: { subject: string; required: number | null; price: unknown }[] }[];
}
const json = (r: ReturnType<typeof reconcile>) => reportToJson(r) as ReportJson;

async function load(dir: string, asOf?: string) {
  const loaded = await loadWorkspace(dir, { today: "2026-11-25", asOf });
  if (!loaded.input || !loaded.config) throw new Error(JSON.stringify(loaded.issues));
  return { input: loaded.input, config: loaded.config, issues: loaded.issues };
}

async function pricingOf(dir: string, asOf?: string, windowDays?: number): Promise<PricingPlan> {
  const { input, config } = await load(dir, asOf);
  return planPricing({
    ...config,
    report: json(reconcile(input)),
    asOf: input.asOf,
    windowDays,
  });
}

describe("the price rise plan", () => {
  it("proposes Birchwood's anniversary rise with every figure of docs/pricing.md", async () => {
    const plan = await pricingOf(demoDir);
    expect(plan.asOf).toBe("2026-11-01");
    expect(plan.due.map((c) => [c.client, c.anniversary, c.percent, c.cap, c.appliedPercent])).toEqual([
      ["birchwood", "2026-12-01", "5", "7", "5"],
    ]);
    const [b] = plan.due;
    expect(
      b?.rises.map((r) => [r.subject, r.oldPrice, r.newPrice, r.quantity, r.monthlyEffect, r.from]),
    ).toEqual([
      ["bundle:gold-user", "165.00", "173.25", 20, "165.00", "2026-12-01"],
      ["bundle:server", "150.00", "157.50", 2, "15.00", "2026-12-01"],
      ["service:domain-hosting", "4.00", "4.20", 2, "0.40", "2026-12-01"],
    ]);
    expect(b?.excluded).toEqual([
      { subject: "service:archiving", name: "Email archiving (10-year retention)", price: "3.50" },
    ]);
    expect([b?.monthlyEffect, plan.monthlyEffect]).toEqual(["180.40", "180.40"]);
  });

  it("leaves an anniversary beyond the window for later", async () => {
    const plan = await pricingOf(demoDir, undefined, 29);
    expect(plan.due).toEqual([]);
    expect(plan.later).toEqual([
      { client: "birchwood", clientName: "Birchwood Legal LLP", anniversary: "2026-12-01", applied: false },
    ]);
  });

  it("finds the next anniversary, never the start itself; 29 February falls on the 28th", () => {
    expect(nextAnniversary("2025-12-01", "2026-11-01")).toBe("2026-12-01");
    expect(nextAnniversary("2025-12-01", "2026-12-01")).toBe("2026-12-01");
    expect(nextAnniversary("2025-12-01", "2026-12-02")).toBe("2027-12-01");
    expect(nextAnniversary("2026-03-01", "2026-01-10")).toBe("2027-03-01");
    expect(nextAnniversary("2024-02-29", "2025-01-01")).toBe("2025-02-28");
  });

  it("rounds each rise to the cent (half up) and holds it to the amount cap", () => {
    expect(raised(money("9.90"), money("5")).toFixed(2)).toBe("10.40"); // 0.495 -> 0.50
    expect(raised(money("165.00"), money("5"), money("5.00")).toFixed(2)).toBe("170.00");
  });
});

describe("trueup.yaml's price rise keys", () => {
  it("names the field of an uplift without contractStart and of a dated price without a price", async () => {
    const demo = await readFile(join(demoDir, "trueup.yaml"), "utf8");
    const bad = demo
      .replace("    contractStart: '2025-12-01'\n", "")
      .replace("{ bundle: server }", "{ bundle: server, priceFrom: '2026-12-01', previousPrice: '150.00' }")
      .replace("uplift: { percent: 5,", "uplift: { percent: five,");
    const errors = checkConfig(bad)
      .issues.filter((i) => i.severity === "error")
      .map(formatIssue);
    expect(errors).toEqual([
      expect.stringMatching(/clients\[0\]\.uplift\.percent: expected an amount/),
      expect.stringMatching(/clients\[0\]\.plans\[1\].*"priceFrom" and "previousPrice" go with a "price"/),
    ]);
    const noStart = demo.replace("    contractStart: '2025-12-01'\n", "");
    expect(checkConfig(noStart).issues.map(formatIssue)).toContainEqual(
      expect.stringMatching(/clients\[0\]\.uplift: an uplift falls due on the contract's anniversary/),
    );
  });
});

describe("an approved rise", () => {
  it("becomes the contract from its date: the reconciliation before it is unchanged, the sync plans it", async () => {
    const dir = join(await tempDir(), "demo");
    await cp(demoDir, dir, { recursive: true });
    const plan = await pricingOf(dir);
    const yaml = join(dir, "trueup.yaml");
    const before = await readFile(yaml, "utf8");
    await writeFile(yaml, applyRises(before, plan.due));
    const written = await readFile(yaml, "utf8");
    expect(written).toContain("price: '173.25', priceFrom: '2026-12-01', previousPrice: '165.00'");
    expect(written).toContain("# The yearly price rise of its agreement"); // comments kept

    // November (the demo's asOf) still checks the old prices: the report is the demo's own.
    const expected = JSON.parse(await readFile(join(demoDir, "expected.json"), "utf8"));
    const { input, config, issues } = await load(dir);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    const report = json(reconcile(input));
    expect(report.totals).toEqual(expected.totals);
    // In December the new prices are the contract: Birchwood's lines at 165.00 are now under the price.
    const december = json(reconcile((await load(dir, "2026-12-01")).input));
    const birchwood = december.clients.find((c) => c.id === "birchwood");
    expect(birchwood?.lines.find((l) => l.subject === "bundle:gold-user")?.price).toBe("173.25");

    // Planned again, the rise is written already.
    expect((await pricingOf(dir)).later[0]).toMatchObject({ client: "birchwood", applied: true });
    // Its letter still shows the rise from the price before it.
    const { input: i2, config: c2 } = await load(dir);
    const again = planPricing({ ...c2, report: json(reconcile(i2)), asOf: i2.asOf, includeApplied: true });
    expect(again.due[0]?.rises.map((r) => [r.oldPrice, r.newPrice])).toEqual([
      ["165.00", "173.25"],
      ["150.00", "157.50"],
      ["4.00", "4.20"],
    ]);

    // The PSA sync effective on the anniversary sets Birchwood's lines to the new prices.
    const lines = [
      ["1", "GOLD-U", "20", "165.00"],
      ["2", "SRV", "2", "150.00"],
      ["3", "ARCH", "20", "3.50"],
      ["4", "DOM-HOST", "2", "4.00"],
    ].map(([id, product, quantity, unitPrice]) => ({
      id: id as string,
      account: "10231",
      agreement: "A",
      agreementName: "A",
      product: product as string,
      quantity: quantity as string,
      unitPrice: unitPrice as string,
      ref: {},
    }));
    const billing: PsaBilling = { agreements: [{ id: "A", account: "10231", name: "A" }], lines, counts: {} };
    const only = { clients: report.clients.filter((c) => c.id === "birchwood") } as unknown as PlanReport;
    const priced = (effective: string) =>
      planFromReport(config, only, billing, { effective, includePrices: true })
        .changes.map((c) => [c.line?.id, c.fromPrice, c.toPrice])
        .sort();
    expect(priced("2026-12-01")).toEqual([
      ["1", "165.00", "173.25"],
      ["2", "150.00", "157.50"],
      ["4", "4.00", "4.20"],
    ]);
    expect(priced("2026-11-15")).toEqual([]);
  });

  it("says so in a notice letter: each price now and new, the date, the exclusion", async () => {
    const [b] = (await pricingOf(demoDir)).due;
    if (!b) throw new Error("no rise");
    const html = noticeLetter(b, {
      currency: "USD",
      date: "2026-11-01",
      msp: { name: "Northwind IT Services", address: [], paper: "Letter" },
    });
    for (const text of [
      "Your prices from 1 December 2026",
      "USD 165.00",
      "USD 173.25",
      "USD 180.40",
      "Email archiving (10-year retention): USD 3.50, unchanged",
      "at most 7 %",
    ])
      expect(html).toContain(text);
  });

  it("prints the same letter as a PDF, with the statements' machinery, read back by a PDF reader", async () => {
    const [b] = (await pricingOf(demoDir)).due;
    if (!b) throw new Error("no rise");
    const words = {
      currency: "USD",
      date: "2026-11-01",
      msp: { name: "Northwind IT Services", address: ["400 Harbor Street"], paper: "Letter" as const },
    };
    const pages = await pdfPages(await noticeLetterPdf(b, words));
    expect(pages).toHaveLength(1);
    const text = pages.join("\n");
    for (const line of [
      "Price notice",
      "Birchwood",
      "Your prices from 1 December 2026",
      "USD 165.00 USD 173.25 20 USD 165.00",
      "Monthly change in total USD 180.40",
      "Email archiving (10-year retention): USD 3.50, unchanged",
      "at most 7 %",
      "Northwind IT Services",
    ])
      expect(text).toContain(line);
  });
});

describe("trueup pricing", () => {
  it("plan writes a letter per client; apply refuses without --yes, then writes trueup.yaml", async () => {
    const dir = join(await tempDir(), "demo");
    await cp(demoDir, dir, { recursive: true });
    const io = bufferIo();
    expect(await runPricingPlan(io, { workspace: dir, format: "json" })).toBe(0);
    expect((JSON.parse(io.stdout) as PricingPlan).monthlyEffect).toBe("180.40");
    expect(await readFile(join(dir, "pricing", "birchwood-2026-12-01.html"), "utf8")).toContain("USD 173.25");
    const pdf = (await pdfPages(await readFile(join(dir, "pricing", "birchwood-2026-12-01.pdf")))).join("\n");
    expect(pdf).toContain("Your prices from 1 December 2026");
    const yaml = await readFile(join(dir, "trueup.yaml"), "utf8");
    expect(await runPricingApply(bufferIo(), { workspace: dir })).toBe(2);
    expect(await readFile(join(dir, "trueup.yaml"), "utf8")).toBe(yaml);
    const applied = bufferIo();
    expect(await runPricingApply(applied, { workspace: dir, yes: true })).toBe(0);
    expect(applied.stdout).toContain("--include-prices --effective 2026-12-01");
    expect(await readFile(join(dir, "trueup.yaml"), "utf8")).toContain("priceFrom: '2026-12-01'");
  });
});
