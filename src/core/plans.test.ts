import { describe, expect, it } from "vitest";
import {
  bundle,
  bundlePlan,
  device,
  findingOf,
  findingsOf,
  type JsonReport,
  run,
  type Spec,
  service,
  servicePlan,
  summary,
  user,
} from "./testing.ts";

// Spec 4.3: users and devices go to the first plan that takes them. With a billing source and no PSA
// line, each bundle plan's UNDER_BILLED evidence lists what it took; each bundle below has its own
// device component ("<bundle>-dev", with a deployment source and no agents), whose COVERAGE_GAP
// evidence lists the devices the plan took.

const ALL_TYPES = ["workstation", "laptop", "server", "mobile", "other"] as const;

function spec(s: Partial<Spec>): Spec {
  const ids = (s.bundles ?? []).map((b) => b.id);
  return {
    services: ids.map((id) => service(`${id}-dev`, { deployment: `${id}-dev` })),
    sources: { billing: true, deployments: new Set(ids.map((id) => `${id}-dev`)) },
    ...s,
    bundles: (s.bundles ?? []).map((b) => ({ ...b, includes: [{ service: `${b.id}-dev` }] })),
  };
}

/** The users (per-user bundle) or devices (per-device bundle) a bundle's plan took. */
function taken(r: JsonReport, bundleId: string): string[] {
  return findingsOf(r, "UNDER_BILLED").find((f) => f.subject === `bundle:${bundleId}`)?.evidence ?? [];
}

/** The devices a bundle's plan took, per-user bundles included. */
function devicesOf(r: JsonReport, bundleId: string): string[] {
  return findingsOf(r, "COVERAGE_GAP").find((f) => f.subject === `service:${bundleId}-dev`)?.evidence ?? [];
}

describe("users go to the first per-user plan whose filter they pass (4.3)", () => {
  const bundles = [bundle("frontline"), bundle("gold")];
  const plans = [bundlePlan("frontline", { licencesAny: ["SPE_F1"] }), bundlePlan("gold")];

  it("a user holding a SKU of licencesAny goes to that plan, the others to the next", () => {
    const r = run(
      spec({
        bundles,
        plans,
        users: [user("fay@acme.com", { licences: ["SPE_F1"] }), user("ann@acme.com", { licences: ["SPB"] })],
      }),
    );
    expect(taken(r, "frontline")).toEqual(["fay@acme.com"]);
    expect(taken(r, "gold")).toEqual(["ann@acme.com"]);
  });

  it("a user who passes two plans is counted once, by the first", () => {
    const r = run(spec({ bundles, plans, users: [user("fay@acme.com", { licences: ["SPB", "SPE_F1"] })] }));
    expect(taken(r, "frontline")).toEqual(["fay@acme.com"]);
    expect(taken(r, "gold")).toEqual([]);
  });

  it("plan order decides, not bundle order: an unfiltered first plan takes everyone", () => {
    const r = run(
      spec({
        bundles,
        plans: [bundlePlan("gold"), bundlePlan("frontline", { licencesAny: ["SPE_F1"] })],
        users: [user("fay@acme.com", { licences: ["SPE_F1"] }), user("ann@acme.com")],
      }),
    );
    expect(taken(r, "gold")).toEqual(["ann@acme.com", "fay@acme.com"]);
    expect(taken(r, "frontline")).toEqual([]);
  });

  it("licencesAny SKUs compare without regard to case", () => {
    const r = run(
      spec({
        bundles: [bundle("gold")],
        plans: [bundlePlan("gold", { licencesAny: ["spb"] })],
        users: [user("ann@acme.com", { licences: ["SPB"] })],
      }),
    );
    expect(taken(r, "gold")).toEqual(["ann@acme.com"]);
  });

  it("licencesAny is passed by holding any one of its SKUs", () => {
    const r = run(
      spec({
        bundles: [bundle("gold")],
        plans: [bundlePlan("gold", { licencesAny: ["SPB", "O365_BUSINESS_PREMIUM"] })],
        users: [
          user("a@acme.com", { licences: ["O365_BUSINESS_PREMIUM"] }),
          user("b@acme.com", { licences: ["X"] }),
        ],
      }),
    );
    expect(taken(r, "gold")).toEqual(["a@acme.com"]);
    expect(findingOf(r, "UNCOVERED", "user:b@acme.com").evidence).toEqual(["b@acme.com"]);
  });
});

describe("devices go to per-device plans by type, else to a per-user plan (4.3)", () => {
  it("each current device goes to the first per-device plan whose deviceTypes hold its type", () => {
    const r = run(
      spec({
        bundles: [
          bundle("srv", { per: "device", deviceTypes: ["server"] }),
          bundle("bronze", { per: "device", deviceTypes: ["workstation", "laptop"] }),
          bundle("any", { per: "device", deviceTypes: [...ALL_TYPES] }),
        ],
        plans: [bundlePlan("srv"), bundlePlan("bronze"), bundlePlan("any")],
        devices: [
          device("S1", { type: "server" }),
          device("W1"),
          device("L1", { type: "laptop" }),
          device("M1", { type: "mobile" }),
        ],
      }),
    );
    expect(taken(r, "srv")).toEqual(["S1"]);
    expect(taken(r, "bronze")).toEqual(["L1", "W1"]);
    expect(taken(r, "any")).toEqual(["M1"]);
  });

  it("a per-device plan takes a device before any per-user plan, whatever their order", () => {
    const r = run(
      spec({
        bundles: [bundle("gold"), bundle("bronze", { per: "device" })],
        plans: [bundlePlan("gold"), bundlePlan("bronze")],
        users: [user("ann@acme.com")],
        devices: [device("W1", { primaryUser: "ann@acme.com" })],
      }),
    );
    expect(devicesOf(r, "bronze")).toEqual(["W1"]);
    expect(devicesOf(r, "gold")).toEqual([]);
  });

  const twoUserPlans = {
    bundles: [bundle("gold"), bundle("silver")],
    plans: [bundlePlan("gold", { licencesAny: ["SPB"] }), bundlePlan("silver")],
    users: [user("ann@acme.com", { licences: ["SPB"] }), user("bob@acme.com", { licences: ["O365"] })],
  };

  it("a device no per-device plan takes follows its primary user's per-user plan", () => {
    const r = run(spec({ ...twoUserPlans, devices: [device("BOB-PC", { primaryUser: "bob@acme.com" })] }));
    expect(devicesOf(r, "silver")).toEqual(["BOB-PC"]);
    expect(devicesOf(r, "gold")).toEqual([]);
  });

  it("the primary user is found without regard to case", () => {
    const r = run(spec({ ...twoUserPlans, devices: [device("BOB-PC", { primaryUser: " Bob@ACME.com " })] }));
    expect(devicesOf(r, "silver")).toEqual(["BOB-PC"]);
  });

  it("a device with no primary user goes to the client's first per-user plan that takes its type", () => {
    const r = run(spec({ ...twoUserPlans, devices: [device("SPARE")] }));
    expect(devicesOf(r, "gold")).toEqual(["SPARE"]);
  });

  it("a device whose primary user is in no plan (or unknown) goes to the first per-user plan", () => {
    const r = run(
      spec({
        ...twoUserPlans,
        users: [...twoUserPlans.users, user("ned@acme.com", { enabled: false })],
        devices: [
          device("NED-PC", { primaryUser: "ned@acme.com" }),
          device("X-PC", { primaryUser: "x@acme.com" }),
        ],
      }),
    );
    expect(devicesOf(r, "gold")).toEqual(["NED-PC", "X-PC"]);
  });

  it("when the primary user's bundle does not take the type, the first per-user plan that does gets it", () => {
    const r = run(
      spec({
        bundles: [bundle("frontline", { deviceTypes: ["mobile"] }), bundle("silver"), bundle("gold")],
        plans: [
          bundlePlan("frontline", { licencesAny: ["SPE_F1"] }),
          bundlePlan("silver", { licencesAny: ["O365"] }),
          bundlePlan("gold"),
        ],
        users: [user("fay@acme.com", { licences: ["SPE_F1"] }), user("ann@acme.com")],
        devices: [
          device("FAY-LT", { type: "laptop", primaryUser: "fay@acme.com" }),
          device("FAY-PHONE", { type: "mobile", primaryUser: "fay@acme.com" }),
        ],
      }),
    );
    expect(devicesOf(r, "frontline")).toEqual(["FAY-PHONE"]);
    // silver has no users but is the client's first per-user plan whose bundle takes laptops.
    expect(devicesOf(r, "silver")).toEqual(["FAY-LT"]);
    expect(devicesOf(r, "gold")).toEqual([]);
  });

  it("a bundle's default deviceTypes [workstation, laptop] take workstations and laptops only", () => {
    const r = run(
      spec({
        bundles: [bundle("gold")],
        plans: [bundlePlan("gold")],
        users: [user("ann@acme.com")],
        devices: [
          device("W1", { primaryUser: "ann@acme.com" }),
          device("L1", { type: "laptop" }),
          device("S1", { type: "server", primaryUser: "ann@acme.com" }),
          device("M1", { type: "mobile", primaryUser: "ann@acme.com" }),
        ],
      }),
    );
    expect(devicesOf(r, "gold")).toEqual(["L1", "W1"]);
    expect(findingsOf(r, "UNCOVERED").map((f) => f.subject)).toEqual(["device:S1"]);
  });
});

describe("uncovered users and devices (4.3)", () => {
  const gold = {
    bundles: [bundle("gold", { includes: [] })],
    plans: [bundlePlan("gold", { licencesAny: ["SPB"] })],
  };

  it("a billable user no plan takes is UNCOVERED, with no money at stake", () => {
    const r = run({ ...gold, users: [user("bob@acme.com", { licences: ["O365"] })] });
    expect(findingOf(r, "UNCOVERED", "user:bob@acme.com")).toEqual({
      type: "UNCOVERED",
      subject: "user:bob@acme.com",
      expected: null,
      actual: null,
      monthlyImpact: "0.00",
      evidence: ["bob@acme.com"],
    });
  });

  it.each(["workstation", "laptop", "server"] as const)("a current %s no plan takes is UNCOVERED", (type) => {
    const r = run({
      bundles: [bundle("frontline", { deviceTypes: ["mobile"] })],
      plans: [bundlePlan("frontline")],
      devices: [device("DEV1", { type })],
    });
    expect(findingOf(r, "UNCOVERED", "device:DEV1")).toEqual({
      type: "UNCOVERED",
      subject: "device:DEV1",
      expected: null,
      actual: null,
      monthlyImpact: "0.00",
      evidence: ["DEV1"],
    });
  });

  it.each(["mobile", "other"] as const)("a current %s no plan takes is never UNCOVERED", (type) => {
    const r = run({ ...gold, devices: [device("DEV1", { type })] });
    expect(summary(r)).toEqual([]);
  });

  it("a stale device no plan takes is STALE_DEVICE, not UNCOVERED", () => {
    const r = run({ ...gold, devices: [device("OLD", { type: "server", lastSeen: "2026-01-01" })] });
    expect(summary(r)).toEqual(["STALE_DEVICE device:OLD"]);
  });

  it("nothing is UNCOVERED when the client has no bundle plan, only itemised services", () => {
    const r = run({
      services: [service("arch", { unit: "user" })],
      plans: [servicePlan("arch")],
      users: [user("ann@acme.com")],
      devices: [device("S1", { type: "server" }), device("W1")],
    });
    expect(findingsOf(r, "UNCOVERED")).toEqual([]);
  });

  it("with only a per-device bundle plan, every billable user is UNCOVERED", () => {
    const r = run({
      bundles: [bundle("srv", { per: "device", deviceTypes: ["server"] })],
      plans: [bundlePlan("srv")],
      users: [user("ann@acme.com")],
      devices: [device("S1", { type: "server" }), device("W1")],
    });
    expect(summary(r)).toEqual(["UNCOVERED device:W1", "UNCOVERED user:ann@acme.com"]);
  });

  it("nothing is UNCOVERED when the client has no plan at all", () => {
    const r = run({ users: [user("ann@acme.com")], devices: [device("S1", { type: "server" })] });
    expect(summary(r)).toEqual([]);
  });

  it("a user or device that a plan takes is not UNCOVERED", () => {
    const r = run({ ...gold, users: [user("ann@acme.com")], devices: [device("W1")] });
    expect(findingsOf(r, "UNCOVERED")).toEqual([]);
  });
});

describe("user filters by group (4.3)", () => {
  const gold = bundle("gold");
  const front = bundle("front");
  const taken = (r: JsonReport, b: string) => findingOf(r, "UNDER_BILLED", `bundle:${b}`).evidence;

  it("groupsAny takes users in one of the groups, compared without regard to case", () => {
    const r = run(
      spec({
        bundles: [front, gold],
        plans: [bundlePlan("front", { groupsAny: ["Warehouse", "Kiosk"] }), bundlePlan("gold")],
        users: [
          user("ann@acme.com", { groups: ["warehouse"] }),
          user("bob@acme.com", { groups: ["Staff"] }),
          user("cat@acme.com"),
        ],
      }),
    );
    expect(taken(r, "front")).toEqual(["ann@acme.com"]);
    expect(taken(r, "gold")).toEqual(["bob@acme.com", "cat@acme.com"]);
  });

  it("excludeGroups leaves out users in any of the groups: with no other plan they are uncovered", () => {
    const r = run(
      spec({
        bundles: [gold],
        plans: [bundlePlan("gold", { excludeGroups: ["contractors"] })],
        users: [user("ann@acme.com", { groups: ["Staff", "CONTRACTORS"] }), user("bob@acme.com")],
      }),
    );
    expect(taken(r, "gold")).toEqual(["bob@acme.com"]);
    expect(summary(r)).toContain("UNCOVERED user:ann@acme.com");
  });

  it("every condition given must hold: licencesAny and groupsAny and excludeGroups", () => {
    const r = run(
      spec({
        bundles: [front, gold],
        plans: [
          bundlePlan("front", {
            licencesAny: ["SPE_F1"],
            groupsAny: ["Warehouse"],
            excludeGroups: ["Temps"],
          }),
          bundlePlan("gold"),
        ],
        users: [
          user("ann@acme.com", { licences: ["SPE_F1"], groups: ["Warehouse"] }),
          user("bob@acme.com", { licences: ["SPB"], groups: ["Warehouse"] }),
          user("cat@acme.com", { licences: ["SPE_F1"], groups: ["Office"] }),
          user("dan@acme.com", { licences: ["SPE_F1"], groups: ["Warehouse", "Temps"] }),
        ],
      }),
    );
    expect(taken(r, "front")).toEqual(["ann@acme.com"]);
    expect(taken(r, "gold")).toEqual(["bob@acme.com", "cat@acme.com", "dan@acme.com"]);
  });
});
