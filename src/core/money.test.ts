import { describe, expect, it } from "vitest";
import {
  billing,
  bundle,
  bundlePlan,
  findingsOf,
  type JsonReport,
  run,
  service,
  servicePlan,
  user,
} from "./testing.ts";

// Spec 5 and 6: money as exact decimal strings, and the order of findings and evidence.

describe("money in the report (6)", () => {
  it("prices and impacts given with fewer places are written with two", () => {
    const r: JsonReport = run({
      services: [service("arch", { unit: "user", price: "3.5", psaProduct: "ARCH" })],
      plans: [servicePlan("arch", { quantity: 2 })],
      billing: [billing("ARCH", 0, "3")],
    });
    expect(r.clients[0]?.lines[0]?.price).toBe("3.50");
    expect(findingsOf(r).map((f) => [f.type, f.expected, f.actual, f.monthlyImpact])).toEqual([
      ["PRICE_MISMATCH", "3.50", "3.00", "0.00"],
      ["UNDER_BILLED", 2, 0, "7.00"],
    ]);
    expect(r.totals).toMatchObject({ underBilled: "7.00", overBilled: "0.00", licenceWaste: "0.00" });
  });

  it("an empty workspace totals to zeros written as 0.00", () => {
    expect(run({}).totals).toEqual({
      underBilled: "0.00",
      overBilled: "0.00",
      licenceWaste: "0.00",
      licenceShortfall: "0.00",
      unmapped: "0.00",
      coverageGaps: 0,
      findings: 0,
    });
  });

  it("amounts are exact decimals: 0.1 + 0.2 is 0.30, and large sums lose no cent", () => {
    const r = run({
      services: [
        service("a", { unit: "user", price: "0.10" }),
        service("b", { unit: "user", price: "0.20" }),
      ],
      plans: [servicePlan("a", { quantity: 1 }), servicePlan("b", { quantity: 1 })],
      billing: [billing("A", 0, "0.10")],
    });
    expect(r.totals.underBilled).toBe("0.30");
    const big = run({
      services: [service("a", { unit: "user", price: "1234567.89" })],
      plans: [servicePlan("a", { quantity: 1000003 })],
      billing: [billing("A", 0, "1234567.89")],
    });
    expect(big.totals.underBilled).toBe("1234571593703.67");
  });
});

describe("order of findings and evidence (5)", () => {
  it("findings of one type and subject sort by their evidence", () => {
    const r = run({
      bundles: [bundle("gold", { price: "150.00", psaProduct: "GOLD" })],
      plans: [bundlePlan("gold")],
      billing: [
        billing("GOLD", 0, "1.00", { ref: "b.csv:2" }),
        billing("GOLD", 0, "2.00", { ref: "a.csv:9" }),
      ],
    });
    expect(findingsOf(r, "PRICE_MISMATCH").map((f) => f.evidence)).toEqual([["a.csv:9"], ["b.csv:2"]]);
  });

  it("evidence is sorted whatever the order of the rows", () => {
    const r = run({
      bundles: [bundle("gold")],
      plans: [bundlePlan("gold")],
      users: [user("zed@acme.com"), user("Amy@acme.com"), user("bob@acme.com")],
      sources: { billing: true },
    });
    expect(findingsOf(r, "UNDER_BILLED")[0]?.evidence).toEqual([
      "amy@acme.com",
      "bob@acme.com",
      "zed@acme.com",
    ]);
  });
});
