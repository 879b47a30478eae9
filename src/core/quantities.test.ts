import { describe, expect, it } from "vitest";
import {
  bundle,
  bundlePlan,
  device,
  findingOf,
  findingsOf,
  type JsonReport,
  lineOf,
  run,
  type Spec,
  service,
  servicePlan,
  sku,
  user,
} from "./testing.ts";

// Spec 4.4: required quantities, read from the report's lines and, for a service's total, from
// the licence comparison (a licences source with no rows for the client reads "purchased 0").

function required(r: JsonReport, subject: string): number | null | undefined {
  return lineOf(r, subject)?.required;
}

/** A service's required quantity for the client, as the licence comparison sees it. */
function serviceNeed(r: JsonReport, id: string): number | string | null | undefined {
  const f = findingsOf(r).find((x) => x.type.startsWith("LICENCE_") && x.subject === `service:${id}`);
  return f ? f.expected : 0;
}

const m365 = service("m365", { unit: "user", cost: "20.00", vendorSkus: [sku("pax8", "M365")] });
const edr = service("edr", { unit: "device", cost: "4.50", vendorSkus: [sku("pax8", "S1")] });
const backup = service("backup", { unit: "device" });
const addon = service("addon", { unit: "device", price: "25.00" });
const users3 = [user("a@acme.com"), user("b@acme.com"), user("c@acme.com")];

function gold(extra: Partial<Spec> & { minimum?: number } = {}): Spec {
  const { minimum, ...rest } = extra;
  return {
    services: [m365, edr, backup, addon],
    bundles: [bundle("gold", { includes: ["m365", "edr"] })],
    plans: [bundlePlan("gold", minimum === undefined ? {} : { minimum })],
    sources: { billing: true, licenceVendors: new Set(["pax8"]) },
    ...rest,
  };
}

describe("bundle plans (4.4)", () => {
  it("a bundle plan requires one per user assigned to it", () => {
    expect(required(run(gold({ users: users3 })), "bundle:gold")).toBe(3);
  });

  it("a minimum raises the bundle's quantity but not its components' counts", () => {
    const r = run(gold({ users: users3.slice(0, 2), minimum: 5 }));
    expect(required(r, "bundle:gold")).toBe(5);
    expect(findingOf(r, "UNDER_BILLED", "bundle:gold")).toMatchObject({ expected: 5, actual: 0 });
    expect(required(r, "service:m365")).toBe(2);
    expect(findingOf(r, "LICENCE_SHORTFALL", "service:m365")).toMatchObject({ expected: 2, actual: 0 });
  });

  it("a minimum below the real count changes nothing", () => {
    expect(required(run(gold({ users: users3, minimum: 2 })), "bundle:gold")).toBe(3);
  });

  it("a minimum equal to the real count changes nothing", () => {
    expect(required(run(gold({ users: users3, minimum: 3 })), "bundle:gold")).toBe(3);
  });

  it("a per-device plan requires one per device assigned, raised to its minimum", () => {
    const spec: Spec = {
      services: [edr],
      bundles: [bundle("srv", { per: "device", deviceTypes: ["server"], includes: ["edr"] })],
      plans: [bundlePlan("srv", { minimum: 3 })],
      devices: [device("S1", { type: "server" }), device("W1")],
      sources: { billing: true, licenceVendors: new Set(["pax8"]) },
    };
    const r = run(spec);
    expect(required(r, "bundle:srv")).toBe(3);
    expect(required(r, "service:edr")).toBe(1);
  });
});

describe("components (4.4)", () => {
  it("a unit: user component counts the users of its plan only", () => {
    const r = run({
      ...gold(),
      bundles: [bundle("front", { includes: [] }), bundle("gold", { includes: ["m365"] })],
      plans: [bundlePlan("front", { licencesAny: ["F1"] }), bundlePlan("gold")],
      users: [...users3, user("fay@acme.com", { licences: ["F1"] })],
    });
    expect(required(r, "service:m365")).toBe(3);
  });

  it("a unit: device component counts every device of its plan", () => {
    const r = run(
      gold({
        users: [user("a@acme.com")],
        devices: [device("W1"), device("L1", { type: "laptop" }), device("S1", { type: "server" })],
      }),
    );
    // The server is no plan's (gold takes workstations and laptops): it is not counted.
    expect(required(r, "service:edr")).toBe(2);
  });

  it("a component with deviceTypes counts only the plan's devices of those types", () => {
    const r = run({
      services: [edr, backup],
      bundles: [
        bundle("gold", {
          deviceTypes: ["workstation", "laptop", "mobile"],
          includes: ["edr", { service: "backup", deviceTypes: ["workstation"] }],
        }),
      ],
      plans: [bundlePlan("gold")],
      users: [user("a@acme.com")],
      devices: [device("W1"), device("L1", { type: "laptop" }), device("M1", { type: "mobile" })],
    });
    expect(required(r, "service:edr")).toBe(3);
    expect(required(r, "service:backup")).toBe(1);
  });
});

describe("devicesPerUser and extraDevice (4.4)", () => {
  function hybrid(deviceCount: number, userCount = 2): JsonReport {
    return run({
      services: [edr, addon],
      bundles: [bundle("gold", { includes: ["edr"], devicesPerUser: 2, extraDevice: "addon" })],
      plans: [bundlePlan("gold")],
      users: users3.slice(0, userCount),
      devices: Array.from({ length: deviceCount }, (_, i) =>
        device(`PC${i}`, { type: i % 2 === 0 ? "workstation" : "laptop" }),
      ),
      sources: { billing: true },
    });
  }

  it("a plan with devices exactly at its allowance requires no extra device", () => {
    const r = hybrid(4);
    expect(required(r, "service:addon")).toBe(0);
    expect(findingsOf(r).filter((f) => f.subject === "service:addon")).toEqual([]);
  });

  it("one device over the allowance is billed once as the extraDevice service", () => {
    const r = hybrid(5);
    expect(required(r, "service:addon")).toBe(1);
    expect(findingOf(r, "UNDER_BILLED", "service:addon")).toEqual({
      type: "UNDER_BILLED",
      subject: "service:addon",
      expected: 1,
      actual: 0,
      monthlyImpact: "25.00",
      evidence: [],
    });
  });

  it("every device beyond N x users is one extra device, and the bundle still counts users", () => {
    const r = hybrid(9);
    expect(required(r, "service:addon")).toBe(5);
    expect(required(r, "bundle:gold")).toBe(2);
    expect(required(r, "service:edr")).toBe(9);
  });

  it("a plan with devices and no users bills every device as extra", () => {
    expect(required(hybrid(2, 0), "service:addon")).toBe(2);
  });
});

describe("itemised service plans (4.4)", () => {
  const arch = service("arch", { unit: "user", price: "3.50" });
  const dom = service("dom", { unit: "device", price: "2.00" });

  it("a unit: user service plan counts all billable users of the client, in plans or not", () => {
    const r = run({
      services: [arch],
      bundles: [bundle("gold")],
      plans: [bundlePlan("gold", { licencesAny: ["SPB"] }), servicePlan("arch")],
      users: [...users3, user("x@acme.com", { licences: ["X"] }), user("ned@acme.com", { enabled: false })],
    });
    expect(required(r, "service:arch")).toBe(4);
  });

  it("a unit: device service plan counts all current devices of the client, of any type", () => {
    const r = run({
      services: [dom],
      plans: [servicePlan("dom")],
      devices: [
        device("W1"),
        device("S1", { type: "server" }),
        device("M1", { type: "mobile" }),
        device("OLD", { lastSeen: "2026-01-01" }),
      ],
    });
    expect(required(r, "service:dom")).toBe(3);
  });

  it("a minimum on a service plan raises the billed quantity, not the licences needed", () => {
    const licensed = service("arch", { unit: "user", price: "3.50", vendorSkus: [sku("pax8", "A")] });
    const r = run({
      services: [licensed],
      plans: [servicePlan("arch", { minimum: 5 })],
      users: users3,
      sources: { billing: true, licenceVendors: new Set(["pax8"]) },
    });
    expect(lineOf(r, "service:arch")?.required).toBe(5);
    expect(findingOf(r, "UNDER_BILLED", "service:arch")).toMatchObject({
      expected: 5,
      monthlyImpact: "17.50",
    });
    expect(findingOf(r, "LICENCE_SHORTFALL", "service:arch")).toMatchObject({ expected: 3 });
  });

  it("a service plan with a fixed quantity requires that quantity, whatever the inventory", () => {
    const r = run({ services: [dom], plans: [servicePlan("dom", { quantity: 3 })], devices: [device("W1")] });
    expect(required(r, "service:dom")).toBe(3);
  });
});

describe("a service's required quantity for the client (4.4)", () => {
  it("sums over every plan, component and extra device", () => {
    const r = run({
      services: [edr, service("addon", { unit: "device", vendorSkus: [sku("pax8", "ADD")] })],
      bundles: [
        bundle("gold", { includes: ["edr"], devicesPerUser: 1, extraDevice: "addon" }),
        bundle("srv", { per: "device", deviceTypes: ["server"], includes: ["edr", "addon"] }),
      ],
      plans: [
        bundlePlan("gold"),
        bundlePlan("srv"),
        servicePlan("addon", { quantity: 2 }),
        servicePlan("edr"),
      ],
      users: [user("a@acme.com")],
      devices: [device("W1"), device("W2"), device("W3"), device("S1", { type: "server" })],
      sources: { licenceVendors: new Set(["pax8"]) },
    });
    // edr: 3 gold devices + 1 server + 4 devices of the itemised plan.
    expect(serviceNeed(r, "edr")).toBe(8);
    // addon: 2 extra devices in gold + 1 server component + fixed 2.
    expect(serviceNeed(r, "addon")).toBe(5);
  });
});
