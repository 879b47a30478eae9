import { afterEach, describe, expect, it } from "vitest";
import { utcDate } from "../formats/fields.ts";
import {
  bundle,
  bundlePlan,
  client,
  clientOf,
  device,
  findingOf,
  findingsOf,
  run,
  type Spec,
  service,
} from "./testing.ts";
import type { DeviceRow } from "./types.ts";

// Spec 4.1, devices: current or stale, and which inventory rows are one device. A per-device plan
// that takes every type shows the current devices (its UNDER_BILLED evidence, with no PSA line).

const ALL_TYPES = ["workstation", "laptop", "server", "mobile", "other"] as const;

function report(devices: DeviceRow[], extra: Partial<Spec> = {}) {
  return run({
    bundles: [bundle("care", { per: "device", deviceTypes: [...ALL_TYPES] })],
    plans: [bundlePlan("care")],
    devices,
    sources: { billing: true },
    ...extra,
  });
}

function current(devices: DeviceRow[], extra: Partial<Spec> = {}): string[] {
  const r = report(devices, extra);
  const hosts = findingsOf(r, "UNDER_BILLED")[0]?.evidence ?? [];
  expect(clientOf(r).counts.currentDevices).toBe(hosts.length);
  return hosts;
}

function stale(devices: DeviceRow[], extra: Partial<Spec> = {}): string[] {
  const r = report(devices, extra);
  const subjects = findingsOf(r, "STALE_DEVICE").map((f) => f.subject);
  expect(clientOf(r).counts.staleDevices).toBe(subjects.length);
  return subjects;
}

describe("current and stale devices (4.1)", () => {
  it("a device seen exactly staleDeviceDays (30) days before asOf is current", () => {
    expect(current([device("PC1", { lastSeen: "2026-10-02" })])).toEqual(["PC1"]);
    expect(stale([device("PC1", { lastSeen: "2026-10-02" })])).toEqual([]);
  });

  it("a device seen 31 days before asOf is stale", () => {
    expect(current([device("PC1", { lastSeen: "2026-10-01" })])).toEqual([]);
    expect(stale([device("PC1", { lastSeen: "2026-10-01" })])).toEqual(["device:PC1"]);
  });

  it("a stale device is reported as STALE_DEVICE with no money at stake", () => {
    const r = report([device("PC1", { lastSeen: "2026-09-01" })]);
    expect(findingOf(r, "STALE_DEVICE", "device:PC1")).toEqual({
      type: "STALE_DEVICE",
      subject: "device:PC1",
      expected: null,
      actual: null,
      monthlyImpact: "0.00",
      evidence: ["PC1"],
    });
  });

  it("the threshold is the staleDeviceDays rule: 7 days is current, 8 is stale", () => {
    const rules = { staleDeviceDays: 7 };
    const devices = [device("PC7", { lastSeen: "2026-10-25" }), device("PC8", { lastSeen: "2026-10-24" })];
    expect(current(devices, { rules })).toEqual(["PC7"]);
    expect(stale(devices, { rules })).toEqual(["device:PC8"]);
  });

  it("with staleDeviceDays 0 only a device seen on asOf (or later) is current", () => {
    const rules = { staleDeviceDays: 0 };
    const devices = [
      device("TODAY", { lastSeen: "2026-11-01" }),
      device("YESTERDAY", { lastSeen: "2026-10-31" }),
    ];
    expect(current(devices, { rules })).toEqual(["TODAY"]);
  });

  it("a device seen after asOf is current", () => {
    expect(current([device("PC1", { lastSeen: "2027-03-15" })])).toEqual(["PC1"]);
  });

  it("whole days are counted across month, year and leap-day boundaries", () => {
    // 2028 is a leap year: 2028-01-31 to 2028-03-01 is 30 days, 2028-01-30 is 31.
    const devices = [device("IN", { lastSeen: "2028-01-31" }), device("OUT", { lastSeen: "2028-01-30" })];
    expect(current(devices, { asOf: "2028-03-01" })).toEqual(["IN"]);
    // Across a year end: 2025-12-02 to 2026-01-01 is 30 days.
    const year = [device("IN", { lastSeen: "2025-12-02" }), device("OUT", { lastSeen: "2025-12-01" })];
    expect(current(year, { asOf: "2026-01-01" })).toEqual(["IN"]);
  });

  describe("in UTC, whatever the machine's time zone", () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it.each(["America/New_York", "Pacific/Auckland", "Asia/Kolkata"])(
      "the boundary does not move across a daylight-saving change in %s",
      (tz) => {
        process.env.TZ = tz;
        // US and NZ clocks change within these 30 days; the count is still whole UTC days.
        const devices = [device("IN", { lastSeen: "2026-10-03" }), device("OUT", { lastSeen: "2026-10-02" })];
        expect(current(devices, { asOf: "2026-11-02" })).toEqual(["IN"]);
      },
    );

    it("a date-time lastSeen counts on its UTC calendar date", () => {
      // 22:30 in Chicago on Oct 1 is Oct 2 in UTC: 30 days before asOf, so current.
      expect(utcDate("2026-10-01T22:30:00-05:00")).toBe("2026-10-02T03:30:00.000Z");
      // 01:00 in Paris on Oct 2 is Oct 1 in UTC: 31 days before asOf, so stale.
      expect(utcDate("2026-10-02T01:00:00+02:00")).toBe("2026-10-01T23:00:00.000Z");
      const devices = [
        device("CHICAGO", { lastSeen: utcDate("2026-10-01T22:30:00-05:00") ?? "" }),
        device("PARIS", { lastSeen: utcDate("2026-10-02T01:00:00+02:00") ?? "" }),
      ];
      expect(current(devices)).toEqual(["CHICAGO"]);
    });
  });

  it("a stale device counts nowhere: not in plans, components or uncovered", () => {
    const r = run({
      services: [service("edr")],
      bundles: [
        bundle("gold", { includes: ["edr"] }),
        bundle("srv", { per: "device", deviceTypes: ["server"] }),
      ],
      plans: [bundlePlan("gold"), bundlePlan("srv")],
      devices: [
        device("OLD-PC", { lastSeen: "2026-01-01" }),
        device("OLD-SRV", { type: "server", lastSeen: "2026-01-01" }),
      ],
    });
    expect(clientOf(r).counts).toEqual({ billableUsers: 0, currentDevices: 0, staleDevices: 2 });
    expect(findingsOf(r).map((f) => f.type)).toEqual(["STALE_DEVICE", "STALE_DEVICE"]);
  });
});

describe("duplicate inventory rows (4.1)", () => {
  it("rows sharing a serial count once, as the row seen last", () => {
    const rows = [
      device("OLD-NAME", { serial: "SN1", lastSeen: "2026-09-01" }),
      device("NEW-NAME", { serial: "SN1", lastSeen: "2026-10-30" }),
    ];
    expect(current(rows)).toEqual(["NEW-NAME"]);
    expect(stale(rows)).toEqual([]);
  });

  it("when the latest of the rows sharing a serial is stale, the one device is stale", () => {
    const rows = [
      device("A", { serial: "SN1", lastSeen: "2026-08-01" }),
      device("B", { serial: "SN1", lastSeen: "2026-09-01" }),
    ];
    expect(stale(rows)).toEqual(["device:B"]);
  });

  it("the row seen last decides the device's type", () => {
    const r = run({
      bundles: [bundle("srv", { per: "device", deviceTypes: ["server"] }), bundle("ws", { per: "device" })],
      plans: [bundlePlan("srv"), bundlePlan("ws")],
      devices: [
        device("BOX", { serial: "SN1", type: "server", lastSeen: "2026-10-01" }),
        device("BOX", { serial: "SN1", type: "workstation", lastSeen: "2026-10-20" }),
      ],
      sources: { billing: true },
    });
    expect(findingsOf(r).map((f) => `${f.type} ${f.subject} ${f.expected}`)).toEqual([
      "UNDER_BILLED bundle:ws 1",
    ]);
  });

  it("on a tie in lastSeen the row whose hostname sorts first stands for the device", () => {
    const rows = [
      device("PC-B", { serial: "SN1", lastSeen: "2026-09-01" }),
      device("PC-A", { serial: "SN1", lastSeen: "2026-09-01" }),
    ];
    expect(stale(rows)).toEqual(["device:PC-A"]);
    expect(stale([...rows].reverse())).toEqual(["device:PC-A"]);
  });

  // Spec 4.1: the row with the latest lastSeen, to the second, stands for the device.
  it("rows sharing a serial seen the same day count as the one seen at the later time", () => {
    const rows = [
      device("AAA-OLD", { serial: "SN1", lastSeen: utcDate("2026-10-20T08:00:00Z") ?? "" }),
      device("ZZZ-NEW", { serial: "SN1", lastSeen: utcDate("2026-10-20T17:00:00Z") ?? "" }),
    ];
    expect(current(rows)).toEqual(["ZZZ-NEW"]);
  });

  it("serials compare trimmed and without regard to case", () => {
    const rows = [device("A", { serial: " sn-123 " }), device("B", { serial: "SN-123" })];
    expect(current(rows)).toEqual(["A"]);
  });

  it("rows with no serial that share a hostname count once", () => {
    const rows = [device("PC1", { lastSeen: "2026-10-10" }), device("PC1", { lastSeen: "2026-10-20" })];
    expect(current(rows)).toEqual(["PC1"]);
  });

  it("hostnames of serial-less rows compare lower-case and cut at the first dot", () => {
    const rows = [
      device("pc1", { lastSeen: "2026-10-10" }),
      device("PC1.acme.local", { lastSeen: "2026-10-20" }),
    ];
    expect(current(rows)).toEqual(["PC1.acme.local"]);
  });

  it("rows with a placeholder serial that share a hostname count once", () => {
    const rows = [device("PC1", { serial: "Default string" }), device("PC1", { serial: "0" })];
    expect(current(rows)).toEqual(["PC1"]);
  });

  it.each(["To Be Filled By O.E.M.", "Default string", "System Serial Number", "0", "", "  default STRING "])(
    "the placeholder serial %j never merges two devices",
    (placeholder) => {
      const rows = [device("PC1", { serial: placeholder }), device("PC2", { serial: placeholder })];
      expect(current(rows)).toEqual(["PC1", "PC2"]);
    },
  );

  it("a row with a serial and a row without one are two devices, even with one hostname", () => {
    const rows = [device("PC1", { serial: "SN1" }), device("PC1")];
    expect(clientOf(report(rows)).counts.currentDevices).toBe(2);
  });

  it("rows with different real serials are different devices, even with one hostname", () => {
    const rows = [device("PC1", { serial: "SN1" }), device("PC1", { serial: "SN2" })];
    expect(clientOf(report(rows)).counts.currentDevices).toBe(2);
  });

  it("rows of two clients sharing a serial are two devices", () => {
    const r = run({
      clients: [client("acme"), client("beta")],
      devices: [device("A", { serial: "SN1" }), device("B", { serial: "SN1", client: "beta" })],
    });
    expect(clientOf(r, "acme").counts.currentDevices).toBe(1);
    expect(clientOf(r, "beta").counts.currentDevices).toBe(1);
  });

  // Spec 5: one finding per client, type and subject, even when two devices share a hostname.
  it("two stale devices sharing a hostname are one STALE_DEVICE finding (one per subject)", () => {
    const rows = [
      device("LAPTOP", { serial: "SN1", lastSeen: "2026-01-01" }),
      device("LAPTOP", { serial: "SN2", lastSeen: "2026-02-01" }),
    ];
    const r = report(rows);
    expect(clientOf(r).counts.staleDevices).toBe(2);
    expect(findingsOf(r, "STALE_DEVICE")).toHaveLength(1);
  });
});
