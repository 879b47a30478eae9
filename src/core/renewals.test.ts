import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonths } from "./dates.ts";
import { money } from "./money.ts";
import { licenceTerms, renewals, termKey, within } from "./renewals.ts";
import type { JsonClient, JsonReport } from "./report-json.ts";
import type { LicenceRow } from "./types.ts";

const surplus = (
  subject: string,
  expected: number,
  actual: number,
  impact: string,
  reducibleOn?: string,
) => ({
  type: "LICENCE_SURPLUS",
  subject,
  expected,
  actual,
  monthlyImpact: impact,
  evidence: [],
  ...(reducibleOn ? { reducibleOn } : {}),
});

const client = (id: string, findings: JsonClient["findings"]): JsonClient => ({
  id,
  name: `${id} Ltd`,
  lines: [],
  findings,
});

const report = (...clients: JsonClient[]): JsonReport => ({ asOf: "2026-11-01", currency: "USD", clients });

describe("renewal windows", () => {
  it("a surplus's window is its reducibleOn; the horizons count those opening within 7, 30 and 90 days", () => {
    const r = renewals(
      report(
        client("acme", [surplus("service:m365", 10, 14, "88.00", "2026-11-20")]),
        client("beta", [
          surplus("service:edr", 5, 7, "9.00", "2027-01-15"),
          surplus("service:bs", 2, 3, "12.50", "2026-11-05"),
        ]),
      ),
      "2026-11-01",
    );
    expect(
      r.windows.map((w) => [w.clientId, w.opensOn, w.days, w.surplus, w.savingPerMonth.toFixed(2)]),
    ).toEqual([
      ["beta", "2026-11-05", 4, 1, "12.50"],
      ["acme", "2026-11-20", 19, 4, "88.00"],
      ["beta", "2027-01-15", 75, 2, "9.00"],
    ]);
    expect(r.horizons.map((h) => [h.days, h.count, h.savingPerMonth.toFixed(2)])).toEqual([
      [7, 1, "12.50"],
      [30, 2, "100.50"],
      [90, 3, "109.50"],
    ]);
    expect(within(r, 30).map((w) => w.clientId)).toEqual(["beta", "acme"]);
  });

  it("a window already passed says when the next opens: the term end plus whole terms, when the length is known", () => {
    const terms = new Map([[termKey("acme", "service:m365"), { ends: ["2026-09-30"], months: 12 }]]);
    const [w] = renewals(
      report(client("acme", [surplus("service:m365", 1, 3, "44.00")])),
      "2026-11-01",
      terms,
    ).windows;
    expect(w).toMatchObject({
      status: "passed",
      endedOn: "2026-09-30",
      opensOn: "2027-09-30",
      days: 333,
      termMonths: 12,
    });
    const monthly = new Map([[termKey("acme", "service:m365"), { ends: ["2026-08-15"], months: 1 }]]);
    expect(
      renewals(report(client("acme", [surplus("service:m365", 1, 3, "44.00")])), "2026-11-01", monthly)
        .windows[0]?.opensOn,
    ).toBe("2026-11-15");
  });

  it("a passed window whose term length the source does not give has no next date (none is invented)", () => {
    const terms = new Map([[termKey("acme", "service:m365"), { ends: ["2026-09-30"] }]]);
    const [w] = renewals(
      report(client("acme", [surplus("service:m365", 1, 3, "44.00")])),
      "2026-11-01",
      terms,
    ).windows;
    expect(w?.status).toBe("passed");
    expect(w?.endedOn).toBe("2026-09-30");
    expect(w).not.toHaveProperty("opensOn");
    // A report read after its date: its reducibleOn went by.
    const late = renewals(
      report(client("acme", [surplus("service:m365", 1, 3, "44.00", "2026-11-20")])),
      "2026-12-03",
    );
    expect(late.windows[0]).toMatchObject({ status: "passed", endedOn: "2026-11-20" });
    expect(late.horizons.every((h) => h.count === 0)).toBe(true);
  });

  it("a surplus with no term end anywhere is listed without a date, after the dated ones", () => {
    const r = renewals(
      report(
        client("acme", [
          surplus("service:edr", 1, 2, "4.50"),
          surplus("service:m365", 1, 2, "22.00", "2027-03-31"),
        ]),
      ),
      "2026-11-01",
    );
    expect(r.windows.map((w) => [w.subject, w.status])).toEqual([
      ["service:m365", "upcoming"],
      ["service:edr", "noTerm"],
    ]);
  });

  it("terms come from the mapped clients' licence rows of each service; mixed term lengths are unknown", () => {
    const row = (client: string, sku: string, end: string, months?: number): LicenceRow => ({
      ref: "x",
      owner: { client },
      vendor: "pax8",
      sku,
      quantity: 1,
      commitmentEnd: end,
      ...(months === undefined ? {} : { commitmentTermMonths: months }),
    });
    const serviceOf = (_v: string, sku: string) => (sku === "BP" ? "m365" : undefined);
    const t = licenceTerms(
      [
        row("acme", "BP", "2026-09-30", 12),
        row("acme", "BP", "2027-01-31", 12),
        row("beta", "BP", "2026-10-31", 12),
        row("beta", "BP", "2026-12-31", 1),
        row("acme", "X", "2026-01-01"),
      ],
      serviceOf,
    );
    expect(t.get(termKey("acme", "service:m365"))).toEqual({
      ends: ["2026-09-30", "2027-01-31"],
      months: 12,
    });
    expect(t.get(termKey("beta", "service:m365"))).toEqual({ ends: ["2026-10-31", "2026-12-31"] });
    expect(t.size).toBe(2);
  });

  it("adding months keeps the day, or the month's last day when it has fewer", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2026-11-20", 12)).toBe("2027-11-20");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
  });
});

describe("renewal windows (properties)", () => {
  const day = fc.integer({ min: 0, max: 400 }).map((n) => addDays("2026-11-01", n - 100));
  const finding = fc.record({
    subject: fc.constantFrom("service:a", "service:b", "service:c"),
    cents: fc.integer({ min: 0, max: 100_000 }),
    on: fc.option(day, { nil: undefined }),
  });
  it("each horizon holds the next: its count and saving are those of the windows 0 to N days away", () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 12 }), (fs) => {
        const r = renewals(
          report(
            client(
              "acme",
              fs.map((f) => surplus(f.subject, 1, 2, (f.cents / 100).toFixed(2), f.on)),
            ),
          ),
          "2026-11-01",
        );
        expect(r.windows).toHaveLength(fs.length);
        for (const h of r.horizons) {
          const inside = r.windows.filter((w) => w.days !== undefined && w.days >= 0 && w.days <= h.days);
          expect(h.count).toBe(inside.length);
          expect(h.savingPerMonth.toFixed(2)).toBe(
            inside.reduce((t, w) => t.plus(w.savingPerMonth), money("0")).toFixed(2),
          );
        }
        const [d7, d30, d90] = r.horizons.map((h) => h.count);
        expect(d7 ?? 0).toBeLessThanOrEqual(d30 ?? 0);
        expect(d30 ?? 0).toBeLessThanOrEqual(d90 ?? 0);
        const dated = r.windows.map((w) => w.opensOn ?? "9999");
        expect(dated).toEqual([...dated].sort());
      }),
    );
  });
});

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
