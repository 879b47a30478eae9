import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FINDING_TYPES, type Finding, finding } from "../src/core/findings.ts";
import { formatPrice, money } from "../src/core/money.ts";
import { buildReport, type ClientReport, reportToJson } from "../src/core/report.ts";
import { openSummary, type ReportJson, summarize } from "../src/server/summary.ts";
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
        const { dismissed, split: _s, net: _n, annual: _a, ...totals } = summarize(report).totals;
        expect(totals).toEqual(report.totals);
        expect(dismissed).toEqual({ impact: "0.00", findings: 0 });
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
    // Both are price, none quantity: the by-type chart's Under-billed bar leaves them out.
    expect(totals.split).toEqual({
      underBilled: { quantity: "0.00", price: "10.00" },
      overBilled: { quantity: "0.00", price: "10.00" },
    });
  });

  it("splits under- and over-billed into quantity and price, and nets the totals a month and a year", () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        for (const row of [summarize(report).totals, ...summarize(report).clients]) {
          const findings =
            "id" in row
              ? (report.clients.find((c) => c.id === row.id)?.findings ?? [])
              : report.clients.flatMap((c) => c.findings);
          const prices = (lower: boolean) =>
            findings
              .filter(
                (f) =>
                  f.type === "PRICE_MISMATCH" &&
                  new Decimal(f.actual as string).lessThan(f.expected as string) === lower,
              )
              .reduce((t, f) => t.plus(f.monthlyImpact), new Decimal(0));
          const under = row.split.underBilled;
          const over = row.split.overBilled;
          expect(under.price).toBe(prices(true).toFixed(2));
          expect(over.price).toBe(prices(false).toFixed(2));
          expect(new Decimal(under.quantity).plus(under.price).toFixed(2)).toBe(row.underBilled);
          expect(new Decimal(over.quantity).plus(over.price).toFixed(2)).toBe(row.overBilled);
          const net = new Decimal(row.underBilled)
            .plus(row.licenceWaste)
            .minus(row.overBilled)
            .minus(row.licenceShortfall);
          expect([row.net, row.annual]).toEqual([net.toFixed(2), net.times(12).toFixed(2)]);
        }
      }),
      { seed: 20261204, numRuns: 200 },
    );
  });

  it("leaves dismissed findings out of every open total, and shows them as their own figure", () => {
    const withDismissals = reportArb.chain((report) => {
      const all = report.clients.flatMap((c) => c.findings.map((f) => ({ ...f, clientId: c.id })));
      return fc.tuple(
        fc.constant(report),
        fc.subarray(all.map((_, i) => i)).map((ix) => ix),
      );
    });
    fc.assert(
      fc.property(withDismissals, ([report, picked]) => {
        const all = report.clients.flatMap((c) => c.findings.map((f) => ({ f, clientId: c.id })));
        const chosen = new Set(picked.map((i) => all[i]?.f));
        const dismissed = all.filter((x) => chosen.has(x.f)).map(({ f, clientId }) => ({ ...f, clientId }));
        const open = openSummary(summarize(report), dismissed);
        // The same as the summary of a report that never had the dismissed findings.
        const without: ReportJson = {
          ...report,
          clients: report.clients.map((c) => ({ ...c, findings: c.findings.filter((f) => !chosen.has(f)) })),
        };
        const expected = summarize(without);
        const impact = dismissed.reduce((t, f) => t.plus(f.monthlyImpact), new Decimal(0)).toFixed(2);
        expect(open.totals).toEqual({
          ...expected.totals,
          dismissed: { impact, findings: dismissed.length },
        });
        expect(open.byType).toEqual(expected.byType);
        for (const c of open.clients) {
          const { dismissed: d, ...row } = c;
          const { dismissed: _, ...want } = expected.clients.find((x) => x.id === c.id) ?? c;
          expect(row).toEqual(want);
          const mine = dismissed.filter((f) => f.clientId === c.id);
          expect(d.findings).toBe(mine.length);
        }
        expect(open.clients.map((c) => c.id)).toEqual(expected.clients.map((c) => c.id));
      }),
      { seed: 20261203, numRuns: 200 },
    );
  });
});
