import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogueValues, describeChange, monthOverMonth, previousMonthRun } from "./changes.ts";
import { money } from "./money.ts";
import type { JsonClient, JsonLine, JsonReport } from "./report-json.ts";

const line = (subject: string, o: Partial<JsonLine>): JsonLine => ({
  subject,
  required: null,
  billed: null,
  purchased: null,
  deployed: null,
  price: null,
  ...o,
});
const client = (id: string, name: string, lines: JsonLine[]): JsonClient => ({
  id,
  name,
  lines,
  findings: [],
});
const report = (asOf: string, ...clients: JsonClient[]): JsonReport => ({ asOf, currency: "USD", clients });
const values = catalogueValues(
  [
    { id: "m365", name: "Microsoft 365", cost: money("22.00") },
    { id: "edr", name: "EDR", cost: money("4.50") },
  ],
  [{ id: "gold", name: "Gold" }],
);

const acme = (gold: number, m365: number) =>
  client("acme", "Acme", [
    line("bundle:gold", { required: gold, billed: gold, price: "165.00" }),
    line("service:m365", { required: gold, purchased: m365 }),
  ]);

describe("month-over-month changes", () => {
  it("each figure that moved, its money at the line's price (required, billed) or the service's cost (purchased)", () => {
    const c = monthOverMonth(
      report("2026-10-01", acme(20, 20)),
      report("2026-11-01", acme(28, 29)),
      undefined,
      values,
    );
    expect(
      c.changes.map((x) => [
        x.subject,
        x.figure,
        x.before,
        x.after,
        x.percent?.toString(),
        x.money.toFixed(2),
        x.alert,
      ]),
    ).toEqual([
      ["bundle:gold", "required", 20, 28, "40", "1320.00", true],
      ["bundle:gold", "billed", 20, 28, "40", "1320.00", true],
      ["service:m365", "purchased", 20, 29, "45", "198.00", true],
      // A component's line has no price: its required seats are money on the bundle's line, not twice.
      ["service:m365", "required", 20, 28, "40", "0.00", false],
    ]);
    expect(describeChange(c.alerts[2] as never, c.since, c.asOf)).toBe(
      "Acme: Microsoft 365 purchased +45 % (+9) since October",
    );
  });

  it("an alert is beyond both thresholds: enough money and enough of the figure", () => {
    // +2 of 40 Gold users: 330.00 a month, but 5 %.
    const small = monthOverMonth(
      report("2026-10-01", acme(40, 40)),
      report("2026-11-01", acme(42, 40)),
      undefined,
      values,
    );
    expect(small.alerts).toEqual([]);
    // +1 of 2 EDR seats bought: 50 %, but 4.50.
    const edr = (n: number) => client("b", "B", [line("service:edr", { purchased: n })]);
    expect(
      monthOverMonth(report("2026-10-01", edr(2)), report("2026-11-01", edr(3)), undefined, values).alerts,
    ).toEqual([]);
    // The workspace's own thresholds.
    const low = { amount: money("100"), percent: money("5") };
    expect(
      monthOverMonth(report("2026-10-01", acme(40, 40)), report("2026-11-01", acme(42, 40)), low, values)
        .alerts.length,
    ).toBe(2);
  });

  it("drops show as well as spikes, and a client that left drops every figure to nothing", () => {
    const c = monthOverMonth(report("2026-10-01", acme(20, 20)), report("2026-11-01"), undefined, values);
    expect(c.alerts.map((x) => [x.figure, x.delta, x.client])).toEqual([
      ["required", -20, "gone"],
      ["billed", -20, "gone"],
      ["purchased", -20, "gone"],
    ]);
    expect(describeChange(c.alerts[0] as never, c.since, c.asOf)).toBe(
      "Acme: Gold required client gone (-20) since October",
    );
    const shrink = monthOverMonth(
      report("2026-10-01", acme(20, 20)),
      report("2026-11-01", acme(12, 20)),
      undefined,
      values,
    );
    expect(describeChange(shrink.alerts[0] as never, "2026-10-01", "2026-11-01")).toBe(
      "Acme: Gold required -40 % (-8) since October",
    );
  });

  it("a new client's figures have no percentage and count as beyond it; the unmapped pseudo-client is left out", () => {
    const unmapped = client("_unmapped", "Unmapped", [line("bundle:gold", { billed: 9, price: "165.00" })]);
    const c = monthOverMonth(
      report("2025-12-01"),
      report("2026-01-01", acme(1, 0), unmapped),
      undefined,
      values,
    );
    expect(c.alerts.map((x) => [x.clientId, x.figure, x.percent, x.client])).toEqual([
      ["acme", "required", undefined, "new"],
      ["acme", "billed", undefined, "new"],
    ]);
    expect(describeChange(c.alerts[0] as never, c.since, c.asOf)).toBe(
      "Acme: Gold required new (+1) since December 2025",
    );
  });

  it("the previous month's run is the last of the latest earlier month", () => {
    const runs = [
      { id: 1, asOf: "2026-09-01" },
      { id: 2, asOf: "2026-10-01" },
      { id: 3, asOf: "2026-10-15" },
      { id: 4, asOf: "2026-10-01" },
      { id: 5, asOf: "2026-11-01" },
      { id: 6, asOf: "2026-11-01" },
    ];
    expect(previousMonthRun(runs, "2026-11-01")?.id).toBe(4);
    expect(previousMonthRun(runs, "2026-10-20")?.id).toBe(1);
    expect(previousMonthRun(runs, "2026-09-30")).toBeUndefined();
  });
});

describe("month-over-month changes (properties)", () => {
  const lines = fc.array(
    fc.record({
      subject: fc.constantFrom("bundle:gold", "service:m365", "service:edr"),
      required: fc.integer({ min: 0, max: 60 }),
      billed: fc.integer({ min: 0, max: 60 }),
      purchased: fc.integer({ min: 0, max: 60 }),
    }),
    { maxLength: 3 },
  );
  const reportOf = (
    asOf: string,
    ls: { subject: string; required: number; billed: number; purchased: number }[],
  ) =>
    report(
      asOf,
      client("acme", "Acme", [
        ...new Map(
          ls.map((l) => [
            l.subject,
            line(l.subject, { ...l, price: l.subject.startsWith("bundle") ? "165.00" : null }),
          ]),
        ).values(),
      ]),
    );
  it("nothing moves against itself; the other way round every delta turns and the money stays; alerts lead, by money", () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const before = reportOf("2026-10-01", a);
        const after = reportOf("2026-11-01", b);
        expect(monthOverMonth(after, after, undefined, values).changes).toEqual([]);
        const there = monthOverMonth(before, after, undefined, values);
        const back = monthOverMonth(after, before, undefined, values);
        const key = (x: { subject: string; figure: string }) => `${x.subject}|${x.figure}`;
        const backBy = new Map(back.changes.map((x) => [key(x), x]));
        for (const x of there.changes) {
          expect(backBy.get(key(x))?.delta).toBe(-x.delta);
          expect(backBy.get(key(x))?.money.toFixed(2)).toBe(x.money.toFixed(2));
        }
        expect(there.changes.slice(0, there.alerts.length)).toEqual(there.alerts);
        for (let i = 1; i < there.alerts.length; i++)
          expect(there.alerts[i - 1]?.money.comparedTo(there.alerts[i]?.money ?? 0)).toBeGreaterThanOrEqual(
            0,
          );
      }),
    );
  });
});
