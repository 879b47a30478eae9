import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FINDING_TYPES, type Finding, finding } from "../src/core/findings.ts";
import { formatPrice, money } from "../src/core/money.ts";
import { buildReport, type ClientReport, reportToJson } from "../src/core/report.ts";
import { type ReportJson, summarize } from "../src/server/summary.ts";
import { moneyArb } from "./arbitraries.ts";

// The dashboard's sums over a report: exact, equal to the report's own totals, clients ranked.

const findingArb: fc.Arbitrary<Finding> = fc
  .record({
    type: fc.constantFrom(...FINDING_TYPES),
    subject: fc.constantFrom("bundle:gold", "service:edr", "device:PC-1", "user:a@b.c"),
    impact: moneyArb,
    prices: fc.tuple(moneyArb, moneyArb),
    evidence: fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 3 }),
  })
  .map(({ type, subject, impact, prices: [contract, psa], evidence }) => {
    const f = finding(type, subject, evidence, { impact: money(impact) });
    if (type !== "PRICE_MISMATCH") return f;
    const [expected, actual] = [formatPrice(money(contract)), formatPrice(money(psa))];
    return { ...f, expected, actual, psaPriceLower: money(psa).lessThan(money(contract)) };
  });

const clientArb = (id: string): fc.Arbitrary<ClientReport> =>
  fc.array(findingArb, { maxLength: 8 }).map((findings) => ({
    id,
    name: id.toUpperCase(),
    counts: { billableUsers: 1, currentDevices: 1, staleDevices: 0 },
    lines: [],
    findings,
  }));

const reportArb = fc
  .uniqueArray(fc.constantFrom("acme", "bravo", "cobalt", "delta", "echo", "_unmapped"), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(clientArb)))
  .map((clients) => reportToJson(buildReport("2026-11-01", "USD", clients)) as ReportJson);

const MONEY = ["underBilled", "overBilled", "licenceWaste", "licenceShortfall"] as const;

describe("the summary of a run", () => {
  it("totals exactly what the report totals", () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        expect(summarize(report).totals).toEqual(report.totals);
      }),
      { seed: 20261101, numRuns: 200 },
    );
  });

  it("splits every total across clients without losing a cent, and ranks them by impact", () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const { totals, clients, byType } = summarize(report);
        for (const key of MONEY) {
          const sum = clients.reduce((s, c) => s.plus(c[key]), new Decimal(0));
          expect(sum.toFixed(2)).toBe(totals[key]);
        }
        for (let i = 1; i < clients.length; i++)
          expect(new Decimal(clients[i - 1]?.impact ?? 0).gte(clients[i]?.impact ?? 0)).toBe(true);
        expect(byType.reduce((n, t) => n + t.count, 0)).toBe(totals.findings);
      }),
      { seed: 20261101, numRuns: 200 },
    );
  });

  it("counts a PRICE_MISMATCH as under-billing when the PSA price is lower, over-billing when higher", () => {
    const mismatch = (expected: string, actual: string) => ({
      type: "PRICE_MISMATCH",
      subject: "bundle:gold",
      expected,
      actual,
      monthlyImpact: "10.00",
      evidence: [],
    });
    const client = {
      id: "a",
      name: "A",
      counts: { billableUsers: 0, currentDevices: 0, staleDevices: 0 },
      lines: [],
    };
    const report: ReportJson = {
      asOf: "2026-11-01",
      currency: "USD",
      totals: {},
      clients: [{ ...client, findings: [mismatch("165.00", "155.00"), mismatch("9.995", "9.999")] }],
    };
    const { totals } = summarize(report);
    expect([totals.underBilled, totals.overBilled]).toEqual(["10.00", "10.00"]);
  });
});
