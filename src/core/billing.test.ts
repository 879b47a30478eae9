import { describe, expect, it } from "vitest";
import {
  billing,
  bundle,
  bundlePlan,
  device,
  findingOf,
  findingsOf,
  lineOf,
  run,
  type Spec,
  service,
  servicePlan,
  summary,
  user,
} from "./testing.ts";
import type { BillingRow } from "./types.ts";

// Spec 5, billing: billed subjects against the client's PSA lines.

const edr = service("edr", { unit: "device", price: "9.00", psaProduct: "EDR-S1" });
const arch = service("arch", { unit: "user", price: "3.50", psaProduct: "ARCH" });
const dom = service("dom", { unit: "device", price: "2.00", psaProduct: "DOM" });
const gold = bundle("gold", { price: "150.00", psaProduct: "GOLD-U", includes: ["edr"] });
const srv = bundle("srv", { per: "device", deviceTypes: ["server"], price: "120.00", psaProduct: "SRV" });
const users3 = [user("cem@acme.com"), user("ann@acme.com"), user("bob@acme.com")];

function acme(rows: BillingRow[], extra: Partial<Spec> = {}): Spec {
  return {
    services: [edr, arch, dom],
    bundles: [gold, srv],
    plans: [bundlePlan("gold"), bundlePlan("srv")],
    users: users3,
    billing: rows,
    sources: { billing: true },
    ...extra,
  };
}

describe("UNDER_BILLED and OVER_BILLED (5)", () => {
  it("a bundle plan billed fewer than required is UNDER_BILLED by the difference at the contracted price", () => {
    const r = run(acme([billing("GOLD-U", 2, "150.00")]));
    expect(findingOf(r, "UNDER_BILLED", "bundle:gold")).toEqual({
      type: "UNDER_BILLED",
      subject: "bundle:gold",
      expected: 3,
      actual: 2,
      monthlyImpact: "150.00",
      evidence: ["ann@acme.com", "bob@acme.com", "cem@acme.com"],
    });
  });

  it("a billed subject with no PSA line is UNDER_BILLED against 0", () => {
    const r = run(acme([billing("SRV", 0, "120.00")]));
    expect(findingOf(r, "UNDER_BILLED", "bundle:gold")).toMatchObject({
      expected: 3,
      actual: 0,
      monthlyImpact: "450.00",
    });
  });

  it("a bundle plan billed more than required is OVER_BILLED by the difference", () => {
    const r = run(acme([billing("GOLD-U", 5, "150.00")]));
    expect(findingOf(r, "OVER_BILLED", "bundle:gold")).toEqual({
      type: "OVER_BILLED",
      subject: "bundle:gold",
      expected: 3,
      actual: 5,
      monthlyImpact: "300.00",
      evidence: ["ann@acme.com", "bob@acme.com", "cem@acme.com"],
    });
  });

  it("the evidence of a per-device bundle plan is the devices assigned to it", () => {
    const r = run(
      acme([], { devices: [device("SRV-2", { type: "server" }), device("SRV-1", { type: "server" })] }),
    );
    expect(findingOf(r, "UNDER_BILLED", "bundle:srv")).toMatchObject({
      expected: 2,
      actual: 0,
      monthlyImpact: "240.00",
      evidence: ["SRV-1", "SRV-2"],
    });
  });

  it("a plan with nothing assigned billed in the PSA is OVER_BILLED against 0, with empty evidence", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("SRV", 2, "120.00")]));
    expect(findingOf(r, "OVER_BILLED", "bundle:srv")).toEqual({
      type: "OVER_BILLED",
      subject: "bundle:srv",
      expected: 0,
      actual: 2,
      monthlyImpact: "240.00",
      evidence: [],
    });
  });

  it("a billed subject whose PSA quantity equals the required quantity has no finding", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("SRV", 0, "120.00")]));
    expect(summary(r)).toEqual([]);
  });

  it("the plan's price is the contracted price, before the bundle's", () => {
    const r = run(
      acme([billing("GOLD-U", 1, "140.00")], { plans: [bundlePlan("gold", { price: "140.00" })] }),
    );
    expect(summary(r)).toEqual(["UNDER_BILLED bundle:gold"]);
    expect(findingOf(r, "UNDER_BILLED", "bundle:gold").monthlyImpact).toBe("280.00");
  });

  it("itemised service plans are billed subjects, at the plan's price else the service's", () => {
    const r = run(
      acme([billing("ARCH", 5, "3.50"), billing("DOM", 1, "1.75")], {
        plans: [servicePlan("arch"), servicePlan("dom", { quantity: 4, price: "1.75" })],
      }),
    );
    expect(findingOf(r, "OVER_BILLED", "service:arch")).toEqual({
      type: "OVER_BILLED",
      subject: "service:arch",
      expected: 3,
      actual: 5,
      monthlyImpact: "7.00",
      evidence: [],
    });
    expect(findingOf(r, "UNDER_BILLED", "service:dom")).toMatchObject({
      expected: 4,
      actual: 1,
      monthlyImpact: "5.25",
    });
  });

  it("several PSA lines of one product are summed", () => {
    const r = run(
      acme([billing("GOLD-U", 1, "150.00"), billing("GOLD-U", 2, "150.00", { agreement: "Extra" })]),
    );
    expect(findingsOf(r).filter((f) => f.subject === "bundle:gold")).toEqual([]);
    expect(lineOf(r, "bundle:gold")).toMatchObject({ required: 3, billed: 3, price: "150.00" });
  });

  it("PSA products match a catalogue psaProduct without regard to case or surrounding space", () => {
    const r = run(acme([billing(" gold-u ", 3, "150.00")]));
    expect(findingsOf(r).filter((f) => f.subject === "bundle:gold")).toEqual([]);
  });
});

describe("PRICE_MISMATCH (5)", () => {
  it("a PSA line whose unit price differs from the contracted price: abs(difference) x its quantity", () => {
    const r = run(acme([billing("GOLD-U", 3, "140.00", { ref: "psa.csv:7" })]));
    expect(findingOf(r, "PRICE_MISMATCH", "bundle:gold")).toEqual({
      type: "PRICE_MISMATCH",
      subject: "bundle:gold",
      expected: "150.00",
      actual: "140.00",
      monthlyImpact: "30.00",
      evidence: ["psa.csv:7"],
    });
  });

  it("one finding per mismatching PSA line, each with that line's file:line", () => {
    const r = run(
      acme([
        billing("GOLD-U", 1, "150.00", { ref: "psa.csv:2" }),
        billing("GOLD-U", 1, "155.50", { ref: "psa.csv:3" }),
        billing("GOLD-U", 1, "149.25", { ref: "psa.csv:4" }),
      ]),
    );
    expect(findingsOf(r, "PRICE_MISMATCH")).toEqual([
      {
        type: "PRICE_MISMATCH",
        subject: "bundle:gold",
        expected: "150.00",
        actual: "155.50",
        monthlyImpact: "5.50",
        evidence: ["psa.csv:3"],
      },
      {
        type: "PRICE_MISMATCH",
        subject: "bundle:gold",
        expected: "150.00",
        actual: "149.25",
        monthlyImpact: "0.75",
        evidence: ["psa.csv:4"],
      },
    ]);
    // The quantities are still summed: 3 billed, 3 required.
    expect(findingsOf(r, "UNDER_BILLED")).toEqual([]);
  });

  it("equal prices written differently are no mismatch", () => {
    const r = run(acme([billing("GOLD-U", 3, "150")]));
    expect(summary(r)).toEqual([]);
  });

  it("is compared against the plan's own price", () => {
    const r = run(
      acme([billing("GOLD-U", 3, "150.00")], { plans: [bundlePlan("gold", { price: "140.00" })] }),
    );
    expect(findingOf(r, "PRICE_MISMATCH", "bundle:gold")).toMatchObject({
      expected: "140.00",
      actual: "150.00",
      monthlyImpact: "30.00",
    });
  });

  it("a lower PSA price adds to underBilled, a higher one to overBilled", () => {
    const lower = run(acme([billing("GOLD-U", 3, "140.00")]));
    expect(lower.totals).toMatchObject({ underBilled: "30.00", overBilled: "0.00" });
    const higher = run(acme([billing("GOLD-U", 3, "160.00")]));
    expect(higher.totals).toMatchObject({ underBilled: "0.00", overBilled: "30.00" });
  });

  it("a PSA line of quantity 0 at a wrong price is still a mismatch, of 0.00", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("SRV", 0, "99.00", { ref: "psa.csv:9" })]));
    expect(findingOf(r, "PRICE_MISMATCH", "bundle:srv")).toMatchObject({
      monthlyImpact: "0.00",
      evidence: ["psa.csv:9"],
    });
  });

  // Spec 6: which total a mismatch feeds is decided on the exact prices, not the rounded ones.
  it("a PSA price a fraction of a cent lower still adds to underBilled", () => {
    const r = run(acme([billing("GOLD-U", 3, "149.996")]));
    expect(findingOf(r, "PRICE_MISMATCH", "bundle:gold").monthlyImpact).toBe("0.01");
    expect(r.totals).toMatchObject({ underBilled: "0.01", overBilled: "0.00" });
  });
});

describe("one billed subject from several plans (5)", () => {
  it("the same bundle in two plans is one subject: quantities add up, the first plan's price stands", () => {
    const r = run(
      acme([billing("GOLD-U", 3, "140.00")], {
        plans: [bundlePlan("gold", { licencesAny: ["SPB"], price: "140.00" }), bundlePlan("gold")],
        users: [...users3.slice(0, 2), user("x@acme.com", { licences: ["O365"] })],
      }),
    );
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "bundle:gold")).toMatchObject({ required: 3, billed: 3, price: "140.00" });
  });

  it("an itemised plan's own price stands for a line billed at it, whatever the plan's order", () => {
    const addon = service("addon", { unit: "device", price: "25.00", psaProduct: "ADD" });
    const r = run({
      services: [addon],
      bundles: [bundle("gold", { devicesPerUser: 1, extraDevice: "addon" })],
      plans: [bundlePlan("gold"), servicePlan("addon", { quantity: 1, price: "25.00" })],
      users: [user("a@acme.com")],
      devices: [device("P1"), device("P2")],
      billing: [billing("GOLD", 1, "100.00"), billing("ADD", 2, "25.00")],
    });
    // 1 extra device + 1 itemised = 2 addon, billed together on one PSA product.
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "service:addon")).toMatchObject({ required: 2, billed: 2, price: "25.00" });
  });

  // Spec 5: the contracted price is the plan's; of two plans billing one subject, the first's.
  it("an itemised plan listed first with its own price is the contracted price of its service", () => {
    const addon = service("addon", { unit: "device", price: "25.00", psaProduct: "ADD" });
    const r = run({
      services: [addon],
      bundles: [bundle("gold", { devicesPerUser: 1, extraDevice: "addon" })],
      plans: [servicePlan("addon", { quantity: 1, price: "20.00" }), bundlePlan("gold")],
      users: [user("a@acme.com")],
      devices: [device("P1"), device("P2")],
      billing: [billing("GOLD", 1, "100.00"), billing("ADD", 2, "20.00")],
    });
    expect(findingsOf(r, "PRICE_MISMATCH")).toEqual([]);
    expect(lineOf(r, "service:addon")?.price).toBe("20.00");
  });
});
