import { describe, expect, it } from "vitest";
import {
  agent,
  bundle,
  bundlePlan,
  client,
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
import type { DeploymentRow, DeviceRow } from "./types.ts";

// Spec 4.2 and 5, coverage: the devices counted for a service against its console's agents.

const edr = service("edr", { unit: "device", deployment: "edr" });
const backup = service("backup", { unit: "device", deployment: "backup" });

function acme(devices: DeviceRow[], agents: DeploymentRow[], extra: Partial<Spec> = {}): Spec {
  return {
    services: [edr, backup],
    bundles: [
      bundle("gold", {
        deviceTypes: ["workstation", "laptop", "mobile"],
        includes: ["edr", { service: "backup", deviceTypes: ["workstation"] }],
      }),
    ],
    plans: [bundlePlan("gold")],
    users: [user("ann@acme.com")],
    devices,
    agents,
    sources: { deployments: new Set(["edr", "backup"]) },
    ...extra,
  };
}

/** Whether the one device PC is covered by the one agent row given. */
function covers(inventory: DeviceRow, row: DeploymentRow): boolean {
  const r = run(acme([inventory], [row], { sources: { deployments: new Set(["edr"]) } }));
  const found = summary(r);
  expect(found.length === 0 || found.join() === "COVERAGE_GAP service:edr,UNKNOWN_AGENT deployment:edr").toBe(
    true,
  );
  return found.length === 0;
}

describe("matching deployment rows to devices (4.2)", () => {
  it("by serial, even when the hostnames differ", () => {
    expect(covers(device("PC1", { serial: "SN1" }), agent("edr", "DESKTOP-1234", { serial: "SN1" }))).toBe(
      true,
    );
  });

  it("by serial trimmed and without regard to case", () => {
    expect(covers(device("PC1", { serial: "abc-123" }), agent("edr", "X", { serial: "  ABC-123 " }))).toBe(
      true,
    );
  });

  it("else by hostname, without regard to case", () => {
    expect(covers(device("pc1"), agent("edr", "PC1"))).toBe(true);
  });

  it("by hostname cut at the first dot, on either side", () => {
    expect(covers(device("PC1"), agent("edr", "pc1.acme.local"))).toBe(true);
    expect(covers(device("PC1.corp.acme.com"), agent("edr", "PC1"))).toBe(true);
    expect(covers(device("PC1.corp"), agent("edr", "pc1.other.domain"))).toBe(true);
  });

  it("different hostnames without a shared serial do not match", () => {
    expect(covers(device("PC1"), agent("edr", "PC10"))).toBe(false);
    expect(covers(device("PC1", { serial: "SN1" }), agent("edr", "PC2", { serial: "SN2" }))).toBe(false);
  });

  it.each(["To Be Filled By O.E.M.", "Default string", "System Serial Number", "0", ""])(
    "a placeholder serial %j falls back to the hostname",
    (placeholder) => {
      expect(covers(device("PC1", { serial: "SN1" }), agent("edr", "pc1", { serial: placeholder }))).toBe(
        true,
      );
      expect(
        covers(device("PC1", { serial: placeholder }), agent("edr", "pc1", { serial: placeholder })),
      ).toBe(true);
    },
  );

  it.each(["To Be Filled By O.E.M.", "Default string", "System Serial Number", "0"])(
    "a shared placeholder serial %j does not match devices of different hostnames",
    (placeholder) => {
      expect(
        covers(device("PC1", { serial: placeholder }), agent("edr", "PC2", { serial: placeholder })),
      ).toBe(false);
    },
  );

  it("a device merged from several rows matches an agent reporting any of their hostnames", () => {
    const rows = [
      device("OLD-NAME", { serial: "SN1", lastSeen: "2026-10-01" }),
      device("NEW-NAME", { serial: "SN1" }),
    ];
    const r = run(acme(rows, [agent("edr", "old-name"), agent("backup", "NEW-NAME")]));
    expect(summary(r)).toEqual([]);
  });

  it("an agent whose hostname fits two current devices covers the one sorting first by serial", () => {
    const rows = [device("PC1", { serial: "SN-B" }), device("PC1", { serial: "SN-A" })];
    const r = run(acme(rows, [agent("edr", "pc1")], { sources: { deployments: new Set(["edr"]) } }));
    expect(findingsOf(r, "COVERAGE_GAP")).toMatchObject([{ expected: 2, actual: 1, evidence: ["PC1"] }]);
    expect(findingsOf(r, "UNKNOWN_AGENT")).toEqual([]);
  });

  it("a deployment row of another client does not cover a device", () => {
    const r = run(
      acme([device("PC1", { serial: "SN1" })], [agent("edr", "PC1", { serial: "SN1", client: "beta" })], {
        clients: [client("acme", [bundlePlan("gold")]), client("beta")],
        sources: { deployments: new Set(["edr"]) },
      }),
    );
    expect(summary(r, "acme")).toEqual(["COVERAGE_GAP service:edr"]);
    expect(summary(r, "beta")).toEqual(["UNKNOWN_AGENT deployment:edr"]);
  });
});

describe("COVERAGE_GAP (5)", () => {
  const devices = [device("PC3"), device("PC1"), device("PC2"), device("PHONE", { type: "mobile" })];

  it("devices counted for a service with no matching deployment row are one finding: counted / covered", () => {
    const r = run(acme(devices, [agent("edr", "PC1"), agent("edr", "PHONE"), agent("backup", "PC1")]));
    expect(findingOf(r, "COVERAGE_GAP", "service:edr")).toEqual({
      type: "COVERAGE_GAP",
      subject: "service:edr",
      expected: 4,
      actual: 2,
      monthlyImpact: "0.00",
      evidence: ["PC2", "PC3"],
    });
    // backup counts workstations only: the phone needs no backup agent.
    expect(findingOf(r, "COVERAGE_GAP", "service:backup")).toMatchObject({
      expected: 3,
      actual: 1,
      evidence: ["PC2", "PC3"],
    });
    expect(r.totals.coverageGaps).toBe(4);
  });

  it("every counted device covered is no finding", () => {
    const agents = ["PC1", "PC2", "PC3", "PHONE"].map((h) => agent("edr", h));
    const r = run(acme(devices, [...agents, ...["PC1", "PC2", "PC3"].map((h) => agent("backup", h))]));
    expect(summary(r)).toEqual([]);
  });

  it("devices no plan counts for the service need no agent", () => {
    const r = run(acme([device("SRV1", { type: "server" })], []));
    expect(summary(r)).toEqual(["UNCOVERED device:SRV1"]);
  });

  it("an itemised device service counts, and so must cover, every current device", () => {
    const r = run({
      services: [edr],
      plans: [{ kind: "service", service: "edr" }],
      devices: [device("S1", { type: "server" }), device("M1", { type: "mobile" })],
      agents: [agent("edr", "S1")],
    });
    expect(findingOf(r, "COVERAGE_GAP", "service:edr")).toMatchObject({
      expected: 2,
      actual: 1,
      evidence: ["M1"],
    });
  });

  it("deployed counts the devices counted for the service that an agent covers, not the rows", () => {
    const r = run(
      acme(devices, [agent("edr", "PC1"), agent("edr", "pc1.acme.local"), agent("edr", "ROGUE")]),
    );
    expect(lineOf(r, "service:edr")).toMatchObject({ required: 4, deployed: 1 });
  });

  it("two services sharing one console each count only their own devices as deployed", () => {
    const ws = service("ws", { deployment: "bk", vendorSkus: [] });
    const srv = service("srv", { deployment: "bk", vendorSkus: [] });
    const r = run({
      services: [ws, srv],
      bundles: [
        bundle("care", { includes: [{ service: "ws", deviceTypes: ["workstation"] }] }),
        bundle("server", { per: "device", deviceTypes: ["server"], includes: ["srv"] }),
      ],
      plans: [bundlePlan("server"), bundlePlan("care")],
      users: [user("ann@acme.com")],
      devices: [device("PC1"), device("PC2"), device("S1", { type: "server" })],
      agents: ["PC1", "PC2", "S1"].map((h) => agent("bk", h)),
    });
    expect(lineOf(r, "service:ws")).toMatchObject({ required: 2, deployed: 2 });
    expect(lineOf(r, "service:srv")).toMatchObject({ required: 1, deployed: 1 });
  });
});

describe("UNKNOWN_AGENT (5)", () => {
  it("deployment rows that match no current device are one finding per deployment", () => {
    const r = run(
      acme(
        [device("PC1")],
        [
          agent("edr", "PC1"),
          agent("edr", "ROGUE-2"),
          agent("edr", "rogue-1.acme.local"),
          agent("backup", "PC9"),
        ],
      ),
    );
    expect(findingsOf(r, "UNKNOWN_AGENT")).toEqual([
      {
        type: "UNKNOWN_AGENT",
        subject: "deployment:backup",
        expected: null,
        actual: null,
        monthlyImpact: "0.00",
        evidence: ["PC9"],
      },
      {
        type: "UNKNOWN_AGENT",
        subject: "deployment:edr",
        expected: null,
        actual: null,
        monthlyImpact: "0.00",
        evidence: ["ROGUE-2", "rogue-1.acme.local"],
      },
    ]);
  });

  it("an agent on a stale device is unknown: it matches no current device", () => {
    const r = run(acme([device("OLD", { lastSeen: "2026-01-01" })], [agent("edr", "OLD")]));
    expect(summary(r)).toEqual(["STALE_DEVICE device:OLD", "UNKNOWN_AGENT deployment:edr"]);
  });

  it("an agent on a current device that no plan counts is not unknown", () => {
    const r = run(acme([device("SRV1", { type: "server" })], [agent("edr", "SRV1")]));
    expect(findingsOf(r, "UNKNOWN_AGENT")).toEqual([]);
  });
});
