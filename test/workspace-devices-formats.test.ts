import { describe, expect, it } from "vitest";
import { vendorDate } from "../src/formats/vendor.ts";
import { load, ownerText, sample } from "./format-harness.ts";

// The RMM device and security agent export formats, each on a sample file written from its
// documented columns (test/fixtures/formats/), and each bad input named by file, line and column.

const NINJA = "  - { kind: devices, format: ninjaone-devices, file: ninja.csv }\n";
const DATTO = "  - { kind: devices, format: datto-rmm-devices, file: datto.csv }\n";
const S1 = "  - { kind: deployments, format: sentinelone-agents, file: s1.csv, deployment: edr }\n";
const HUNTRESS = "  - { kind: deployments, format: huntress-agents, file: huntress.csv, deployment: edr }\n";

type Device = { owner: Parameters<typeof ownerText>[0]; hostname: string; serial: string; type: string };
const devices = (rows: Device[]) => rows.map((d) => [ownerText(d.owner), d.hostname, d.serial, d.type]);

describe("ninjaone-devices", () => {
  it("maps node classes and chassis to device types, skips devices pending approval", async () => {
    const { rows, issues } = await load(NINJA, { "ninja.csv": sample("ninjaone-devices.csv") });
    expect(issues).toEqual([]);
    expect(devices(rows.devices)).toEqual([
      ["contoso", "CON-WS01", "5CD1111AAA", "workstation"],
      ["contoso", "CON-LT02", "PF2222BBB", "laptop"],
      ["contoso", "CON-MAC03", "C02333CCC", "laptop"],
      ["contoso", "CON-SRV01", "CZJ444DDD", "server"],
      ["contoso", "con-iphone", "F4G555EEE", "mobile"],
      ["contoso", "CON-ESX", "", "other"],
      // No organization name: matched by organizationId, here to no client.
      ["rmm:8", "LNX-01", "VMW-888", "server"],
    ]);
    expect(rows.devices.map((d) => d.lastSeen)).toContain("2026-10-30T22:40:00.000Z");
    expect(rows.devices[0]?.primaryUser).toBe("CONTOSO\\ann");
  });

  it("reads the console's titles: Name, Device Type, Last Contact as day.month.year", async () => {
    const text =
      "Name;Organization;Device Type;Chassis Type;Serial Number;Last Contact\nCON-LT9;Contoso Ltd;Windows Workstation;Laptop;X1;31.10.2026 17:42\n";
    const { rows, issues } = await load(NINJA, { "ninja.csv": text });
    expect(issues).toEqual([]);
    expect(rows.devices.map((d) => [d.hostname, d.type, d.lastSeen])).toEqual([
      ["CON-LT9", "laptop", "2026-10-31T17:42:00.000Z"],
    ]);
  });

  it("an unknown node class and a date it cannot read are errors naming line and column", async () => {
    const text =
      "systemName,organization,nodeClass,lastContact\nA,Contoso Ltd,WINDOWS_DESKTOP,1793400000\nB,Contoso Ltd,MAC,yesterday\n";
    const { issues } = await load(NINJA, { "ninja.csv": text });
    expect(issues).toEqual([
      `ninja.csv:2: nodeClass: unknown node class "WINDOWS_DESKTOP" (NinjaOne's are WINDOWS_WORKSTATION, WINDOWS_SERVER, MAC, ...)`,
      'ninja.csv:3: lastContact: expected a date such as 2026-10-31T08:30:00Z, 10/31/2026 8:30 PM, 31/10/2026 20:30 or 1793436600, got "yesterday"',
    ]);
  });

  it("a file without the class column names it, with the header it has", async () => {
    const { issues } = await load(NINJA, {
      "ninja.csv": "systemName,organization,lastContact\nA,Contoso Ltd,1\n",
    });
    expect(issues).toEqual([
      'ninja.csv:1: nodeClass: missing required column "nodeClass" (the header has: systemName, organization, lastContact)',
    ]);
  });
});

describe("datto-rmm-devices", () => {
  it("maps device type categories, reads US dates and skips deleted devices", async () => {
    const { rows, issues } = await load(DATTO, { "datto.csv": sample("datto-rmm-devices.csv") });
    expect(issues).toEqual([]);
    expect(devices(rows.devices)).toEqual([
      // Fabrikam's rmm id is the Datto site uid; Contoso's would be its site name.
      ["fabrikam", "FAB-DT01", "MXL111AAA", "workstation"],
      ["fabrikam", "FAB-LT02", "PF222BBB", "laptop"],
      ["fabrikam", "FAB-SRV01", "CZ333CCC", "server"],
      ["fabrikam", "FAB-ESX", "", "other"],
      ["fabrikam", "FAB-PRN", "", "other"],
    ]);
    expect(rows.devices.map((d) => d.lastSeen).slice(0, 3)).toEqual([
      "2026-10-31T20:30:00.000Z",
      "2026-10-31T08:30:00.000Z",
      "2026-10-31T20:30:00.000Z",
    ]);
  });

  it("an unknown device type is an error that names the types it knows", async () => {
    const text = "hostname,siteName,deviceType,lastSeen\nX,Contoso Ltd,Toaster,2026-10-31\n";
    const { issues } = await load(DATTO, { "datto.csv": text });
    expect(issues).toEqual([
      'datto.csv:2: deviceType: unknown device type "Toaster" (expected Desktop, Laptop, Server, ESXi Host, Printer, Network Device)',
    ]);
  });
});

describe("sentinelone-agents", () => {
  it("reads agents by site name, leaving decommissioned ones out", async () => {
    const { rows, issues } = await load(S1, { "s1.csv": sample("sentinelone-agents.csv") });
    expect(issues).toEqual([]);
    expect(rows.deployments.map((d) => [ownerText(d.owner), d.deployment, d.hostname, d.serial])).toEqual([
      ["contoso", "edr", "CON-WS01", "5CD1111AAA"],
      ["contoso", "edr", "con-lt02.contoso.local", ""],
      ["contoso", "edr", "WIN-ABC123", "CZJ444DDD"],
    ]);
  });

  it("a file with no site column says which columns would do", async () => {
    const { issues } = await load(S1, { "s1.csv": "Endpoint Name,Serial Number\nA,1\n" });
    expect(issues).toEqual([
      's1.csv:1: siteName: missing a column: one of "siteName", "siteId" (the header has: Endpoint Name, Serial Number)',
    ]);
  });
});

describe("huntress-agents", () => {
  it("reads agents by organization name or key", async () => {
    const { rows, issues } = await load(HUNTRESS, { "huntress.csv": sample("huntress-agents.csv") });
    expect(issues).toEqual([]);
    expect(rows.deployments.map((d) => [ownerText(d.owner), d.hostname, d.serial])).toEqual([
      ["contoso", "CON-WS01", "5CD1111AAA"],
      ["contoso", "CON-LT02", "PF2222BBB"],
      // Fabrikam's edr id is its organization key.
      ["fabrikam", "FAB-DT01", "MXL111AAA"],
    ]);
  });

  it("an agent without a hostname is an error at its line", async () => {
    const { issues } = await load(HUNTRESS, { "huntress.csv": "Organization,Hostname\nContoso Ltd,\n" });
    expect(issues).toEqual(["huntress.csv:2: hostname: is empty; a value is required"]);
  });
});

describe("vendor dates", () => {
  it.each([
    ["2026-10-31T20:30:00Z", "2026-10-31T20:30:00.000Z"],
    ["2026/10/31 20:30", "2026-10-31T20:30:00.000Z"],
    ["1793400000", "2026-10-30T22:40:00.000Z"],
    ["1793400000000", "2026-10-30T22:40:00.000Z"],
    ["10/31/2026", "2026-10-31T00:00:00.000Z"],
    ["10/31/2026 8:30 PM", "2026-10-31T20:30:00.000Z"],
    ["10/31/2026 12:05 AM", "2026-10-31T00:05:00.000Z"],
    ["10/31/2026 20:30:15 UTC", "2026-10-31T20:30:15.000Z"],
    ["31.10.2026 20:30", "2026-10-31T20:30:00.000Z"],
    // A date only one order can read is read so, whatever the file's order.
    ["31/10/2026", "2026-10-31T00:00:00.000Z"],
    ["13/10/2026 17:02:11", "2026-10-13T17:02:11.000Z"],
    ["5/11/2026 8:30:00 am", "2026-05-11T08:30:00.000Z"],
    ["5/11/2026 8:30:00 p.m.", "2026-05-11T20:30:00.000Z"],
    ["31/10/26 20:30", "2026-10-31T20:30:00.000Z"],
    ["10/31/26", "2026-10-31T00:00:00.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(vendorDate(text)).toBe(iso);
  });

  it.each(["13/13/2026", "31/31/2026", "10/31/2026 13:00 PM", "soon", ""])("%s is no date", (text) => {
    expect(vendorDate(text)).toBeUndefined();
  });

  it("reads a date that reads both ways in the order given", () => {
    expect(vendorDate("5/11/2026 8:30:00 am", "day-first")).toBe("2026-11-05T08:30:00.000Z");
    expect(vendorDate("5/11/2026 8:30:00 am", "month-first")).toBe("2026-05-11T08:30:00.000Z");
  });
});
