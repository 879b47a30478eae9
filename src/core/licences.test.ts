import { describe, expect, it } from "vitest";
import {
  billing,
  bundle,
  bundlePlan,
  client,
  findingOf,
  findingsOf,
  licence,
  lineOf,
  run,
  type Spec,
  service,
  sku,
  summary,
  user,
} from "./testing.ts";
import type { LicenceRow, UserRow } from "./types.ts";

// Spec 5, licences: what the vendors sell the MSP against what the client needs.

const m365 = service("m365", {
  unit: "user",
  cost: "22.00",
  vendorSkus: [sku("pax8", "MST-BP"), sku("microsoft", "SPB"), sku("td", "BP-TD")],
});
const arch = service("arch", { unit: "user", cost: "1.10", vendorSkus: [sku("pax8", "ARCH-1")] });
const users5 = ["a", "b", "c", "d", "e"].map((n) => user(`${n}@acme.com`));

function acme(rows: LicenceRow[], extra: Partial<Spec> = {}): Spec {
  return {
    services: [m365, arch],
    bundles: [bundle("gold", { includes: ["m365"] })],
    plans: [bundlePlan("gold")],
    users: users5,
    licences: rows,
    sources: { licenceVendors: new Set(["pax8", "td"]) },
    ...extra,
  };
}

describe("LICENCE_SHORTFALL and LICENCE_SURPLUS (5)", () => {
  it("fewer licences bought than required is a LICENCE_SHORTFALL of the difference at cost", () => {
    const r = run(acme([licence("pax8", "MST-BP", 3)]));
    expect(findingOf(r, "LICENCE_SHORTFALL", "service:m365")).toEqual({
      type: "LICENCE_SHORTFALL",
      subject: "service:m365",
      expected: 5,
      actual: 3,
      monthlyImpact: "44.00",
      evidence: [],
    });
  });

  it("more licences bought than required is a LICENCE_SURPLUS of the difference at cost", () => {
    const r = run(acme([licence("pax8", "MST-BP", 8)]));
    expect(findingOf(r, "LICENCE_SURPLUS", "service:m365")).toEqual({
      type: "LICENCE_SURPLUS",
      subject: "service:m365",
      expected: 5,
      actual: 8,
      monthlyImpact: "66.00",
      evidence: [],
    });
  });

  it("exactly as many licences as required is no finding", () => {
    expect(summary(run(acme([licence("pax8", "MST-BP", 5)])))).toEqual([]);
  });

  it("the vendor quantity sums every vendor SKU of the service and every row", () => {
    const rows = [licence("pax8", "MST-BP", 1), licence("td", "BP-TD", 3), licence("pax8", "MST-BP", 1)];
    const r = run(acme(rows));
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "service:m365")).toMatchObject({ required: 5, purchased: 5 });
  });

  it("vendor SKUs match without regard to case", () => {
    expect(summary(run(acme([licence("PAX8", "mst-bp", 5)])))).toEqual([]);
  });

  it("licences bought for a service the client does not need are a LICENCE_SURPLUS against 0", () => {
    const r = run(acme([licence("pax8", "MST-BP", 5), licence("pax8", "ARCH-1", 2)]));
    expect(findingOf(r, "LICENCE_SURPLUS", "service:arch")).toMatchObject({
      expected: 0,
      actual: 2,
      monthlyImpact: "2.20",
    });
    expect(lineOf(r, "service:arch")).toMatchObject({ required: null, purchased: 2 });
  });

  it("a client with no row in a vendor's licences source has bought none: a shortfall of all", () => {
    const r = run(acme([], { sources: { licenceVendors: new Set(["pax8"]) } }));
    expect(findingOf(r, "LICENCE_SHORTFALL", "service:m365")).toMatchObject({
      expected: 5,
      actual: 0,
      monthlyImpact: "110.00",
    });
  });

  it("the count compared is the real count, not a plan's minimum", () => {
    const r = run(acme([licence("pax8", "MST-BP", 5)], { plans: [bundlePlan("gold", { minimum: 10 })] }));
    expect(findingsOf(r).filter((f) => f.type.startsWith("LICENCE_"))).toEqual([]);
  });

  it("monthly impact is exact at a cost with more than two places, rounded half up to cents", () => {
    const cheap = service("m365", { unit: "user", cost: "0.125", vendorSkus: [sku("pax8", "MST-BP")] });
    const r = run(acme([licence("pax8", "MST-BP", 2)], { services: [cheap, arch] }));
    // 3 short x 0.125 = 0.375 -> 0.38
    expect(findingOf(r, "LICENCE_SHORTFALL", "service:m365").monthlyImpact).toBe("0.38");
  });
});

describe("ORPHAN_LICENCE (5)", () => {
  // No licences source: no licence comparison runs, so the orphan finding carries the seats' cost.
  function orphans(users: UserRow[]) {
    return findingsOf(
      run(acme([], { users: [...users5, ...users], sources: { licenceVendors: new Set() } })),
      "ORPHAN_LICENCE",
    );
  }

  it("where a licence comparison runs, the leavers' seats are in it: the orphan finding carries 0.00", () => {
    const r = run(
      acme([licence("pax8", "MST-BP", 7)], {
        users: [
          ...users5,
          user("ned@acme.com", { enabled: false }),
          user("lou@acme.com", { enabled: false }),
        ],
      }),
    );
    expect(findingOf(r, "ORPHAN_LICENCE", "service:m365")).toMatchObject({
      monthlyImpact: "0.00",
      evidence: ["lou@acme.com", "ned@acme.com"],
    });
    // The two seats are counted once, in the surplus: 2 x 22.00.
    expect(findingOf(r, "LICENCE_SURPLUS", "service:m365").monthlyImpact).toBe("44.00");
    expect(r.totals.licenceWaste).toBe("44.00");
  });

  it("disabled users still holding a SKU of a service with no licence comparison are one finding: cost x such users", () => {
    expect(
      orphans([user("Ned@Acme.com", { enabled: false }), user("lou@acme.com", { enabled: false })]),
    ).toEqual([
      {
        type: "ORPHAN_LICENCE",
        subject: "service:m365",
        expected: null,
        actual: null,
        monthlyImpact: "44.00",
        evidence: ["lou@acme.com", "ned@acme.com"],
      },
    ]);
  });

  it("a disabled user holding SKUs of two services appears in one finding per service", () => {
    const found = orphans([
      user("ned@acme.com", { enabled: false, licences: ["SPB", "ARCH-1"], vendor: "pax8" }),
    ]);
    // SPB is a microsoft SKU, not pax8's: only ARCH-1 maps, for vendor pax8.
    expect(found.map((f) => [f.subject, f.monthlyImpact, f.evidence])).toEqual([
      ["service:arch", "1.10", ["ned@acme.com"]],
    ]);
    const both = orphans([
      user("ned@acme.com", { enabled: false, licences: ["SPB", "MST-BP", "ARCH-1"], vendor: "pax8" }),
    ]);
    expect(both.map((f) => f.subject)).toEqual(["service:arch", "service:m365"]);
  });

  it("a disabled user holding two SKUs of one service counts once for it", () => {
    const found = orphans([
      user("ned@acme.com", { enabled: false, licences: ["MST-BP", "BP-TD"], vendor: "pax8" }),
    ]);
    expect(found.map((f) => f.monthlyImpact)).toEqual(["22.00"]);
  });

  it("a disabled user whose SKUs map to no service, or who holds none, is no orphan", () => {
    expect(
      orphans([
        user("ned@acme.com", { enabled: false, licences: ["FLOW_FREE"] }),
        user("lou@acme.com", { enabled: false, licences: [] }),
      ]),
    ).toEqual([]);
  });

  it("an enabled user, billable or not, is no orphan", () => {
    expect(
      orphans([user("gus@partner.com", { guest: true }), user("kiosk@acme.com", { licences: ["SPB"] })]),
    ).toEqual([]);
  });
});

describe("reducibleOn (5)", () => {
  it("a surplus carries the earliest term end on or after asOf among the service's rows", () => {
    const rows = [
      licence("pax8", "MST-BP", 4, { commitmentEnd: "2027-06-30" }),
      licence("td", "BP-TD", 3, { commitmentEnd: "2027-01-31" }),
      licence("pax8", "MST-BP", 1, { commitmentEnd: "2026-10-31" }),
      licence("pax8", "MST-BP", 1),
    ];
    expect(findingOf(run(acme(rows)), "LICENCE_SURPLUS", "service:m365").reducibleOn).toBe("2027-01-31");
  });

  it("a term ending on asOf still locks the surplus until that day", () => {
    const r = run(acme([licence("pax8", "MST-BP", 6, { commitmentEnd: "2026-11-01" })]));
    expect(findingOf(r, "LICENCE_SURPLUS", "service:m365").reducibleOn).toBe("2026-11-01");
  });

  it("terms already ended, or not given, leave no reducibleOn; a shortfall never has one", () => {
    const ended = run(acme([licence("pax8", "MST-BP", 6, { commitmentEnd: "2026-10-31" })]));
    expect(findingOf(ended, "LICENCE_SURPLUS", "service:m365")).not.toHaveProperty("reducibleOn");
    const short = run(acme([licence("pax8", "MST-BP", 2, { commitmentEnd: "2027-06-30" })]));
    expect(findingOf(short, "LICENCE_SHORTFALL", "service:m365")).not.toHaveProperty("reducibleOn");
  });
});

describe("clientPaid (4.5)", () => {
  const paid = (extra: Partial<Spec>) =>
    run(acme([], { clients: [client("acme", [bundlePlan("gold")], { clientPaid: ["m365"] })], ...extra }));

  it("a client-paid service has no licence finding, no purchased figure, and its rows are not read", () => {
    const r = paid({
      licences: [licence("pax8", "MST-BP", 9), licence("pax8", "ARCH-1", 1)],
      users: [...users5, user("ned@acme.com", { enabled: false })],
    });
    expect(summary(r)).toEqual(["LICENCE_SURPLUS service:arch"]);
    expect(lineOf(r, "service:m365")).toMatchObject({ required: 5, purchased: null });
  });

  it("it still counts for billing", () => {
    const r = paid({ billing: [billing("GOLD", 3, "100.00")] });
    expect(findingOf(r, "UNDER_BILLED", "bundle:gold")).toMatchObject({ expected: 5, actual: 3 });
  });
});

describe("UNMAPPED_SKU (5)", () => {
  it("licences rows whose vendor SKU maps to no service are one finding per SKU, with their rows", () => {
    const r = run(
      acme([
        licence("pax8", "MST-BP", 5),
        licence("pax8", "MYSTERY", 2, { ref: "pax8.csv:9" }),
        licence("pax8", "MYSTERY", 1, { ref: "pax8.csv:4" }),
        licence("td", "MST-BP", 1, { ref: "td.csv:2" }),
      ]),
    );
    expect(findingsOf(r, "UNMAPPED_SKU")).toEqual([
      {
        type: "UNMAPPED_SKU",
        subject: "sku:pax8:MYSTERY",
        expected: null,
        actual: null,
        monthlyImpact: "0.00",
        evidence: ["pax8.csv:4", "pax8.csv:9"],
      },
      // A SKU known for another vendor is still unknown for this one.
      {
        type: "UNMAPPED_SKU",
        subject: "sku:td:MST-BP",
        expected: null,
        actual: null,
        monthlyImpact: "0.00",
        evidence: ["td.csv:2"],
      },
    ]);
    // Unmapped rows are bought for no service.
    expect(findingsOf(r, "LICENCE_SURPLUS")).toEqual([]);
  });
});
