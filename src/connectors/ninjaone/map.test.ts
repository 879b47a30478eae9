import { describe, expect, it } from "vitest";
import { load, sample } from "../../../test/format-harness.ts";
import { type NinjaDevice, ninjaDeviceRow } from "./map.ts";

const base: NinjaDevice = {
  id: 1,
  organizationId: 7,
  nodeClass: "WINDOWS_WORKSTATION",
  approvalStatus: "APPROVED",
  systemName: "CON-WS01",
  lastContact: 1793400000,
  lastLoggedInUser: "CONTOSO\\ann",
  system: { serialNumber: "5CD1111AAA", chassisType: "DESKTOP" },
};

const rowOf = (d: NinjaDevice) => {
  const m = ninjaDeviceRow(d);
  if (!("row" in m)) throw new Error(`skipped: ${m.skip}`);
  return m.row;
};

describe("ninjaDeviceRow", () => {
  it("makes a trueup-devices row: organization id, system name, serial, type, last contact in UTC", () => {
    expect(rowOf(base)).toEqual({
      account: "7",
      hostname: "CON-WS01",
      serial: "5CD1111AAA",
      type: "workstation",
      lastSeen: "2026-10-30T22:40:00.000Z",
      primaryUser: "CONTOSO\\ann",
    });
  });

  it("reads fractional epoch seconds to the millisecond", () => {
    expect(rowOf({ ...base, lastContact: 1793400000.25 }).lastSeen).toBe("2026-10-30T22:40:00.250Z");
  });

  it("tells laptops by chassis, and maps servers, Macs, phones and hypervisors", () => {
    const type = (nodeClass: string, chassisType?: string) =>
      rowOf({ ...base, nodeClass, system: { chassisType } }).type;
    expect(type("WINDOWS_WORKSTATION", "LAPTOP")).toBe("laptop");
    expect(type("MAC", "Notebook")).toBe("laptop");
    expect(type("LINUX_WORKSTATION")).toBe("workstation");
    expect(type("WINDOWS_SERVER", "LAPTOP")).toBe("server");
    expect(type("APPLE_IOS")).toBe("mobile");
    expect(type("VMWARE_VM_HOST")).toBe("other");
  });

  it("falls back to the BIOS serial and to the display or DNS name", () => {
    const r = rowOf({
      ...base,
      systemName: "",
      displayName: "",
      dnsName: "ws9.contoso.local",
      system: { biosSerialNumber: "BIOS-9" },
    });
    expect([r.hostname, r.serial]).toEqual(["ws9.contoso.local", "BIOS-9"]);
    expect(rowOf({ ...base, systemName: undefined, displayName: "Reception" }).hostname).toBe("Reception");
  });

  it("a device without an agent's system block (a cloud monitor, MDM) has no serial and no user", () => {
    const r = rowOf({
      id: 2,
      organizationId: 7,
      nodeClass: "ANDROID",
      systemName: "tab",
      lastContact: 1793400000,
    });
    expect([r.serial, r.primaryUser, r.type]).toEqual(["", "", "mobile"]);
  });

  it("leaves out devices pending approval, and says why a device without name or contact is left out", () => {
    expect(ninjaDeviceRow({ ...base, approvalStatus: "PENDING" })).toEqual({ skip: "pending approval" });
    expect(ninjaDeviceRow({ ...base, systemName: " " })).toEqual({ skip: "no name" });
    expect(ninjaDeviceRow({ ...base, lastContact: undefined })).toEqual({ skip: "no last contact" });
    expect(ninjaDeviceRow({ ...base, organizationId: undefined })).toEqual({ skip: "no organization" });
  });

  it("counts a node class newer than this code as other, with a note, instead of failing the pull", () => {
    const m = ninjaDeviceRow({ ...base, nodeClass: "WINDOWS_IOT" });
    expect(m).toMatchObject({ row: { type: "other" }, note: 'node class "WINDOWS_IOT" counted as other' });
  });

  it("gives the same devices as the ninjaone-devices file format for the same data", async () => {
    // The sample export's lines, as the API gives them.
    const d = (id: number, org: number, name: string, cls: string, chassis: string, serial: string) => ({
      id,
      organizationId: org,
      systemName: name,
      nodeClass: cls,
      system: { chassisType: chassis, serialNumber: serial },
      lastContact: 1793400000,
    });
    const api: NinjaDevice[] = [
      {
        ...d(101, 7, "CON-WS01", "WINDOWS_WORKSTATION", "DESKTOP", "5CD1111AAA"),
        lastLoggedInUser: "CONTOSO\\ann",
      },
      { ...d(102, 7, "CON-LT02", "WINDOWS_WORKSTATION", "LAPTOP", "PF2222BBB"), lastContact: 1793400000.25 },
      d(103, 7, "CON-MAC03", "MAC", "Notebook", "C02333CCC"),
      d(104, 7, "CON-SRV01", "WINDOWS_SERVER", "", "CZJ444DDD"),
      d(105, 7, "con-iphone", "APPLE_IOS", "", "F4G555EEE"),
      d(106, 7, "CON-ESX", "VMWARE_VM_HOST", "", ""),
      {
        ...d(107, 7, "CON-NEW07", "WINDOWS_WORKSTATION", "DESKTOP", "5CD7777GGG"),
        approvalStatus: "PENDING",
      },
      { ...d(108, 8, "LNX-01", "LINUX_SERVER", "", "VMW-888"), lastContact: 1793400000000 },
    ];
    const ours = api.flatMap((x) => {
      const m = ninjaDeviceRow(x);
      return "row" in m ? [m.row] : [];
    });
    const file = await load("  - { kind: devices, format: ninjaone-devices, file: n.csv }\n", {
      "n.csv": sample("ninjaone-devices.csv"),
    });
    const fields = (r: { hostname?: string; serial?: string; type?: string; lastSeen?: string }) => [
      r.hostname,
      r.serial,
      r.type,
      r.lastSeen,
    ];
    expect(ours.map(fields)).toEqual(file.rows.devices.map(fields));
    expect(ours[0]?.primaryUser).toBe(file.rows.devices[0]?.primaryUser);
    expect(ours.map((r) => r.account)).toEqual(["7", "7", "7", "7", "7", "7", "8"]);
  });
});
