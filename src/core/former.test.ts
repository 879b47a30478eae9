import { describe, expect, it } from "vitest";
import {
  agent,
  billing,
  bundle,
  bundlePlan,
  client,
  clientOf,
  device,
  findingOf,
  licence,
  lineOf,
  run,
  type Spec,
  service,
  servicePlan,
  sku,
  summary,
  user,
} from "./testing.ts";

// Spec 4.6: a former client (ended on or before asOf) is owed nothing; what runs is waste or refunds.

const edr = service("edr", {
  cost: "4.50",
  price: "9.00",
  vendorSkus: [sku("pax8", "S1")],
  deployment: "edr",
});
const m365 = service("m365", { unit: "user", cost: "22.00", vendorSkus: [sku("pax8", "MST-BP")] });
const dom = service("dom", { price: "2.00", psaProduct: "DOM" });

function ivy(ended: string, extra: Partial<Spec> = {}): Spec {
  return {
    services: [edr, m365, dom],
    bundles: [bundle("gold", { price: "150.00", psaProduct: "GOLD", includes: ["m365", "edr"] })],
    clients: [client("acme", [bundlePlan("gold"), servicePlan("dom", { quantity: 1 })], { ended })],
    users: [user("ann@acme.com"), user("ned@acme.com", { enabled: false })],
    devices: [device("PC1"), device("OLD", { lastSeen: "2026-01-01" }), device("SRV", { type: "server" })],
    agents: [agent("edr", "PC1"), agent("edr", "pc9.acme.local")],
    licences: [licence("pax8", "MST-BP", 2, { commitmentEnd: "2027-03-31" }), licence("pax8", "S1", 3)],
    billing: [
      billing("GOLD", 4, "150.00"),
      billing("GOLD", 1, "140.00"),
      billing("EDR", 3, "0.00", { agreement: "Tracking" }),
      billing("DOM", 2, "2.50"),
      billing("OLDPROD", 1, "10.00", { ref: "psa.csv:9" }),
    ],
    ...extra,
  };
}

describe("former clients (4.6)", () => {
  const r = run(ivy("2026-10-01"));

  it("each PSA product is OVER_BILLED against 0, at what the client is still charged", () => {
    expect(findingOf(r, "OVER_BILLED", "bundle:gold")).toMatchObject({
      expected: 0,
      actual: 5,
      monthlyImpact: "740.00",
      evidence: [],
    });
    expect(findingOf(r, "OVER_BILLED", "service:dom")).toMatchObject({ actual: 2, monthlyImpact: "5.00" });
    // A tracking line is charged at its zero price: still a line to end.
    expect(findingOf(r, "OVER_BILLED", "service:edr")).toMatchObject({ actual: 3, monthlyImpact: "0.00" });
  });

  it("each service it holds licences for is a LICENCE_SURPLUS against 0, with its term end", () => {
    expect(findingOf(r, "LICENCE_SURPLUS", "service:m365")).toMatchObject({
      expected: 0,
      actual: 2,
      monthlyImpact: "44.00",
      reducibleOn: "2027-03-31",
    });
    expect(findingOf(r, "LICENCE_SURPLUS", "service:edr")).toMatchObject({
      actual: 3,
      monthlyImpact: "13.50",
    });
  });

  it("every agent still running is one UNKNOWN_AGENT per deployment, matched or not", () => {
    expect(findingOf(r, "UNKNOWN_AGENT", "deployment:edr").evidence).toEqual(["PC1", "pc9.acme.local"]);
  });

  it("gives no UNCOVERED, STALE_DEVICE, ORPHAN_LICENCE, COVERAGE_GAP, PRICE_MISMATCH or TRACKING_DRIFT", () => {
    expect(summary(r)).toEqual([
      "LICENCE_SURPLUS service:edr",
      "LICENCE_SURPLUS service:m365",
      "OVER_BILLED bundle:gold",
      "OVER_BILLED service:dom",
      "OVER_BILLED service:edr",
      "UNKNOWN_AGENT deployment:edr",
      "UNMAPPED_PRODUCT product:OLDPROD",
    ]);
  });

  it("requires nothing, but its users and devices are counted as usual", () => {
    expect(clientOf(r).counts).toEqual({ billableUsers: 1, currentDevices: 2, staleDevices: 1 });
    expect(clientOf(r).lines.every((l) => l.required === null && l.price === null)).toBe(true);
    expect(lineOf(r, "bundle:gold")).toMatchObject({ billed: 5, purchased: null });
    expect(lineOf(r, "service:edr")).toMatchObject({ billed: 3, purchased: 3, deployed: 0 });
  });

  it("all its money lands in overBilled and licenceWaste; unmapped products keep theirs", () => {
    expect(r.totals).toMatchObject({
      underBilled: "0.00",
      overBilled: "745.00",
      licenceWaste: "57.50",
      unmapped: "10.00",
    });
  });

  it("before its end date it is a client like any other", () => {
    const early = run(ivy("2026-11-02"));
    expect(summary(early)).toContain("PRICE_MISMATCH service:dom");
    expect(findingOf(early, "OVER_BILLED", "service:dom")).toMatchObject({ expected: 1, actual: 2 });
    expect(findingOf(early, "OVER_BILLED", "bundle:gold")).toMatchObject({ expected: 1, actual: 5 });
  });

  it("ends on its end date: ended = asOf is former", () => {
    expect(summary(run(ivy("2026-11-01")))).toEqual(summary(r));
  });
});
