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
  summary,
  user,
} from "./testing.ts";
import type { BillingRow } from "./types.ts";

// Spec 5, billing: PSA lines that are not a billed subject's (tracking, stray and unmapped lines).

const edr = service("edr", { unit: "device", price: "9.00", psaProduct: "EDR-S1" });
const arch = service("arch", { unit: "user", price: "3.50", psaProduct: "ARCH" });
const gold = bundle("gold", { price: "150.00", psaProduct: "GOLD-U", includes: ["edr"] });
const srv = bundle("srv", { per: "device", deviceTypes: ["server"], price: "120.00", psaProduct: "SRV" });
const users3 = [user("cem@acme.com"), user("ann@acme.com"), user("bob@acme.com")];

function acme(rows: BillingRow[], extra: Partial<Spec> = {}): Spec {
  return {
    services: [edr, arch],
    bundles: [gold, srv],
    plans: [bundlePlan("gold"), bundlePlan("srv")],
    users: users3,
    billing: rows,
    sources: { billing: true },
    ...extra,
  };
}

describe("tracking lines and TRACKING_DRIFT (5)", () => {
  const devices = [device("W1"), device("W2")];

  it("a zero-price PSA line of a component-only service that matches the count is silent", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("EDR-S1", 2, "0.00")], { devices }));
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "service:edr")).toMatchObject({ required: 2, billed: 2, price: null });
  });

  it("a tracking line whose quantity differs from the component's count is TRACKING_DRIFT, 0.00", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("EDR-S1", 3, "0.00")], { devices }));
    expect(summary(r)).toEqual(["TRACKING_DRIFT service:edr"]);
    expect(findingOf(r, "TRACKING_DRIFT", "service:edr")).toEqual({
      type: "TRACKING_DRIFT",
      subject: "service:edr",
      expected: 2,
      actual: 3,
      monthlyImpact: "0.00",
      evidence: [],
    });
  });

  it("several tracking lines of one product are summed before comparing", () => {
    const rows = [billing("GOLD-U", 3, "150.00"), billing("EDR-S1", 1, "0.00"), billing("EDR-S1", 1, "0.00")];
    expect(summary(run(acme(rows, { devices })))).toEqual([]);
  });

  it("a component with no devices and a tracking line of 0 is silent; a tracking line > 0 drifts", () => {
    expect(summary(run(acme([billing("GOLD-U", 3, "150.00"), billing("EDR-S1", 0, "0.00")])))).toEqual([]);
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("EDR-S1", 1, "0.00")]));
    expect(findingOf(r, "TRACKING_DRIFT", "service:edr")).toMatchObject({ expected: 0, actual: 1 });
  });
});

describe("PSA lines that no plan requires (5)", () => {
  it("a PSA line for a bundle no plan of the client has is OVER_BILLED against 0 at the catalogue price", () => {
    const r = run(
      acme([billing("GOLD-U", 2, "99.00", { ref: "psa.csv:5" })], { plans: [bundlePlan("srv")], users: [] }),
    );
    expect(findingOf(r, "OVER_BILLED", "bundle:gold")).toMatchObject({
      expected: 0,
      actual: 2,
      monthlyImpact: "300.00",
    });
    expect(lineOf(r, "bundle:gold")).toMatchObject({ required: null, billed: 2, price: "150.00" });
  });

  it("a PSA line for an itemised service no plan of the client has is OVER_BILLED at the catalogue price", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("ARCH", 4, "3.50")]));
    expect(summary(r)).toEqual(["OVER_BILLED service:arch"]);
    expect(findingOf(r, "OVER_BILLED", "service:arch")).toMatchObject({
      expected: 0,
      actual: 4,
      monthlyImpact: "14.00",
    });
  });

  it("a PSA line of a service that is a component of a bundle the client does not have is OVER_BILLED", () => {
    const r = run(acme([billing("EDR-S1", 2, "0.00")], { plans: [bundlePlan("srv")], users: [] }));
    expect(findingOf(r, "OVER_BILLED", "service:edr")).toMatchObject({
      expected: 0,
      actual: 2,
      monthlyImpact: "18.00",
    });
  });

  it("such a line is not also a PRICE_MISMATCH: its whole amount is already over-billed", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("ARCH", 2, "5.00")]));
    expect(summary(r)).toEqual(["OVER_BILLED service:arch"]);
    expect(findingOf(r, "OVER_BILLED", "service:arch").monthlyImpact).toBe("7.00");
  });

  it("such a line of quantity 0 is no finding", () => {
    const r = run(acme([billing("GOLD-U", 3, "150.00"), billing("ARCH", 0, "3.50")]));
    expect(summary(r)).toEqual([]);
  });
});

describe("UNMAPPED_PRODUCT (5)", () => {
  it("billing rows whose product is no psaProduct are one finding per product, with the money billed on them", () => {
    const r = run(
      acme([
        billing("GOLD-U", 3, "150.00"),
        billing("MYSTERY", 2, "10.00", { ref: "psa.csv:8" }),
        billing("mystery", 1, "10.00", { ref: "psa.csv:3" }),
        billing("OTHER", 1, "10.00", { ref: "psa.csv:4" }),
      ]),
    );
    expect(findingsOf(r, "UNMAPPED_PRODUCT")).toEqual([
      {
        type: "UNMAPPED_PRODUCT",
        subject: "product:MYSTERY",
        expected: null,
        actual: null,
        monthlyImpact: "30.00",
        evidence: ["psa.csv:3", "psa.csv:8"],
      },
      {
        type: "UNMAPPED_PRODUCT",
        subject: "product:OTHER",
        expected: null,
        actual: null,
        monthlyImpact: "10.00",
        evidence: ["psa.csv:4"],
      },
    ]);
  });
});
