import { describe, expect, it } from "vitest";
import {
  agent,
  billing,
  bundle,
  bundlePlan,
  device,
  findingsOf,
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

// Spec 4.5: a comparison runs only where the workspace has a source for it; absent data is never
// read as zero, and the lines show null for a figure no source gives.

const m365 = service("m365", {
  unit: "user",
  cost: "20.00",
  vendorSkus: [sku("pax8", "BP"), sku("microsoft", "SPB")],
});
const edr = service("edr", { unit: "device", deployment: "edr", vendorSkus: [sku("s1", "S1")] });
const backup = service("backup", {
  unit: "device",
  deployment: "backup",
  vendorSkus: [sku("backupco", "WS")],
});
const arch = service("arch", { unit: "user", price: "3.50", psaProduct: "ARCH" });

function acme(extra: Partial<Spec> = {}): Spec {
  return {
    services: [m365, edr, backup, arch],
    bundles: [bundle("gold", { price: "150.00", psaProduct: "GOLD", includes: ["m365", "edr", "backup"] })],
    plans: [bundlePlan("gold"), servicePlan("arch")],
    users: [user("ann@acme.com"), user("bob@acme.com")],
    devices: [device("PC1"), device("PC2")],
    ...extra,
  };
}

const noSources = { billing: false, licenceVendors: new Set<string>(), deployments: new Set<string>() };

describe("billing comparisons need a billing source (4.5)", () => {
  it("with no billing source there are no billing findings, and billed is null", () => {
    const r = run(acme({ sources: noSources }));
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "bundle:gold")).toEqual({
      subject: "bundle:gold",
      required: 2,
      billed: null,
      purchased: null,
      deployed: null,
      price: "150.00",
    });
    expect(lineOf(r, "service:arch")).toMatchObject({ required: 2, billed: null, price: "3.50" });
  });

  it("with a billing source, a billed subject that has no PSA line is UNDER_BILLED against 0", () => {
    const r = run(acme({ sources: { ...noSources, billing: true } }));
    expect(summary(r)).toEqual(["UNDER_BILLED bundle:gold", "UNDER_BILLED service:arch"]);
    expect(findingsOf(r).map((f) => f.actual)).toEqual([0, 0]);
  });

  it("with a billing source, a client's PSA lines give its billed figures", () => {
    const r = run(acme({ billing: [billing("GOLD", 2, "150.00"), billing("ARCH", 2, "3.50")] }));
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "bundle:gold")).toMatchObject({ required: 2, billed: 2 });
  });
});

describe("licence comparisons need a licences source of one of the service's vendors (4.5)", () => {
  it("with no licences source there are no licence findings, and purchased is null", () => {
    const r = run(acme({ sources: noSources }));
    expect(findingsOf(r).filter((f) => f.type.startsWith("LICENCE_"))).toEqual([]);
    expect(lineOf(r, "service:m365")).toMatchObject({ required: 2, purchased: null });
  });

  it("a source of another vendor does not make a service's licences zero", () => {
    const r = run(acme({ sources: { ...noSources, licenceVendors: new Set(["backupco"]) } }));
    expect(summary(r)).toEqual(["LICENCE_SHORTFALL service:backup"]);
    expect(findingsOf(r, "LICENCE_SHORTFALL")[0]).toMatchObject({ expected: 2, actual: 0 });
  });

  it("a source of any one of the service's vendors is enough, and counts every vendor's rows", () => {
    const r = run(
      acme({
        licences: [licence("microsoft", "SPB", 1)],
        sources: { ...noSources, licenceVendors: new Set(["microsoft"]) },
      }),
    );
    expect(summary(r)).toEqual(["LICENCE_SHORTFALL service:m365"]);
    expect(lineOf(r, "service:m365")).toMatchObject({ required: 2, purchased: 1 });
  });

  it("orphan licences come from the users source and need no licences source", () => {
    const r = run(acme({ users: [user("ned@acme.com", { enabled: false })], sources: noSources }));
    expect(summary(r)).toEqual(["ORPHAN_LICENCE service:m365"]);
  });
});

describe("coverage comparisons need a deployments source of the service's deployment (4.5)", () => {
  it("with no deployments source there are no coverage findings, and deployed is null", () => {
    const r = run(acme({ sources: noSources }));
    expect(findingsOf(r).filter((f) => f.type === "COVERAGE_GAP" || f.type === "UNKNOWN_AGENT")).toEqual([]);
    expect(lineOf(r, "service:edr")).toMatchObject({ required: 2, deployed: null });
  });

  it("a deployments source of one deployment does not make another's coverage zero", () => {
    const r = run(
      acme({ agents: [agent("backup", "PC1")], sources: { ...noSources, deployments: new Set(["backup"]) } }),
    );
    expect(summary(r)).toEqual(["COVERAGE_GAP service:backup"]);
    expect(lineOf(r, "service:backup")).toMatchObject({ deployed: 1 });
    expect(lineOf(r, "service:edr")).toMatchObject({ deployed: null });
  });

  it("a deployments source with no row of the client leaves all its counted devices uncovered", () => {
    const r = run(acme({ sources: { ...noSources, deployments: new Set(["edr"]) } }));
    expect(findingsOf(r, "COVERAGE_GAP")).toMatchObject([
      { subject: "service:edr", expected: 2, actual: 0, evidence: ["PC1", "PC2"] },
    ]);
  });

  it("with no devices source, agents are neither gaps nor unknown: the inventory is absent, not empty", () => {
    const r = run(
      acme({
        devices: [],
        agents: [agent("edr", "PC1")],
        sources: { ...noSources, devices: false, deployments: new Set(["edr"]) },
      }),
    );
    expect(summary(r)).toEqual([]);
    // No device is counted without an inventory, so none can be covered: null, not a zero.
    expect(lineOf(r, "service:edr")).toMatchObject({ deployed: null });
  });
});

describe("lines (6)", () => {
  it("a service no plan requires, but bought, has a line with required null and deployed 0", () => {
    const extra = service("extra", { deployment: "xdr", vendorSkus: [sku("pax8", "X")] });
    const r = run(
      acme({
        services: [m365, edr, backup, arch, extra],
        licences: [licence("pax8", "X", 3)],
        agents: [agent("xdr", "PC1")],
      }),
    );
    expect(lineOf(r, "service:extra")).toEqual({
      subject: "service:extra",
      required: null,
      billed: null,
      purchased: 3,
      deployed: 0,
      price: null,
    });
  });

  it("a service the client neither requires nor is billed, bought or deployed for has no line", () => {
    const r = run(acme({ plans: [] }));
    expect(r.clients[0]?.lines).toEqual([]);
  });

  it("component services have lines with no price; billed subjects carry their contracted price", () => {
    const r = run(
      acme({ plans: [bundlePlan("gold", { price: "140" }), servicePlan("arch", { quantity: 3 })] }),
    );
    expect(r.clients[0]?.lines.map((l) => [l.subject, l.required, l.price])).toEqual([
      ["bundle:gold", 2, "140.00"],
      ["service:arch", 3, "3.50"],
      ["service:backup", 2, null],
      ["service:edr", 2, null],
      ["service:m365", 2, null],
    ]);
  });
});
