import { describe, expect, it } from "vitest";
import { load, sample } from "../../../test/format-harness.ts";
import { type DattoDevice, dattoDeviceRow } from "./map.ts";

const SITE = "9f8e7d6c-0001";

const base: DattoDevice = {
  uid: "dev-1",
  siteUid: SITE,
  siteName: "Fabrikam Inc",
  hostname: "FAB-DT01",
  deviceType: { category: "Desktop", type: "Desktop" },
  deviceClass: "device",
  lastSeen: "2026-10-31T20:30:00Z",
  lastLoggedInUser: "FABRIKAM\\dee",
  deleted: false,
};

const rowOf = (d: DattoDevice, site = SITE) => {
  const m = dattoDeviceRow(d, site);
  if (!("row" in m)) throw new Error(`skipped: ${m.skip}`);
  return m.row;
};

describe("dattoDeviceRow", () => {
  it("makes a trueup-devices row: site uid, hostname, no serial, type, last seen in UTC", () => {
    expect(rowOf(base)).toEqual({
      account: SITE,
      hostname: "FAB-DT01",
      serial: "",
      type: "workstation",
      lastSeen: "2026-10-31T20:30:00.000Z",
      primaryUser: "FABRIKAM\\dee",
    });
  });

  it("maps the type category; equipment without one is left out, as the file format leaves it", () => {
    const type = (category: string | undefined, deviceClass = "device") =>
      rowOf({ ...base, deviceType: category === undefined ? undefined : { category }, deviceClass }).type;
    expect(type("Laptop")).toBe("laptop");
    expect(type("Server")).toBe("server");
    expect(type("ESXi Host", "esxihost")).toBe("other");
    expect(type("Network Device", "rmmnetworkdevice")).toBe("other");
    for (const d of [
      { ...base, deviceType: undefined, deviceClass: "printer" },
      { ...base, deviceType: { category: "" }, deviceClass: "rmmnetworkdevice" },
    ])
      expect(dattoDeviceRow(d, SITE)).toEqual({ skip: "no device type category (printer, network device)" });
  });

  it("counts a category or class this code does not know as other, with a note", () => {
    expect(dattoDeviceRow({ ...base, deviceType: { category: "Toaster" } }, SITE)).toMatchObject({
      row: { type: "other" },
      note: 'device type category "Toaster" counted as other',
    });
  });

  it("reads lastSeen as ISO text or as epoch milliseconds", () => {
    expect(rowOf({ ...base, lastSeen: 1793478600000 }).lastSeen).toBe("2026-10-31T20:30:00.000Z");
    expect(rowOf({ ...base, lastSeen: "2026-10-31T21:30:00+01:00" }).lastSeen).toBe(
      "2026-10-31T20:30:00.000Z",
    );
  });

  it("takes the site it was listed under when the device does not name one", () => {
    expect(rowOf({ ...base, siteUid: undefined }, "site-b").account).toBe("site-b");
  });

  it("leaves deleted devices out, and says why one without hostname or last seen is left out", () => {
    expect(dattoDeviceRow({ ...base, deleted: true }, SITE)).toEqual({ skip: "deleted" });
    expect(dattoDeviceRow({ ...base, hostname: "" }, SITE)).toEqual({ skip: "no hostname" });
    expect(dattoDeviceRow({ ...base, lastSeen: undefined }, SITE)).toEqual({ skip: "no last seen date" });
  });

  it("gives the same devices as the datto-rmm-devices file format for the same data", async () => {
    // The sample export's lines, as the API gives them (ISO dates where the console wrote US ones).
    const d = (hostname: string, category: string, lastSeen: string, deleted = false): DattoDevice => ({
      siteUid: SITE,
      hostname,
      deviceType: { category },
      lastSeen,
      deleted,
    });
    const api = [
      { ...d("FAB-DT01", "Desktop", "2026-10-31T20:30:00Z"), lastLoggedInUser: "FABRIKAM\\dee" },
      d("FAB-LT02", "Laptop", "2026-10-31T08:30:00Z"),
      d("FAB-SRV01", "Server", "2026-10-31T20:30:00Z"),
      d("FAB-ESX", "ESXi Host", "2026-10-31T20:30:00Z"),
      d("FAB-PRN", "Printer", "2026-10-31T20:30:00Z"),
      d("FAB-OLD", "Desktop", "2026-05-01T10:00:00Z", true),
    ];
    const ours = api.flatMap((x) => {
      const m = dattoDeviceRow(x, SITE);
      return "row" in m ? [m.row] : [];
    });
    const file = await load("  - { kind: devices, format: datto-rmm-devices, file: d.csv }\n", {
      "d.csv": sample("datto-rmm-devices.csv"),
    });
    const fields = (r: { hostname?: string; type?: string; lastSeen?: string }) => [
      r.hostname,
      r.type,
      r.lastSeen,
    ];
    expect(ours.map(fields)).toEqual(file.rows.devices.map(fields));
    expect(ours[0]?.primaryUser).toBe(file.rows.devices[0]?.primaryUser);
    // The file's Fabrikam client has the site uid as its rmm id: a pulled row finds the same client.
    expect(file.rows.devices.every((r) => "client" in r.owner && r.owner.client === "fabrikam")).toBe(true);
    expect(ours.every((r) => r.account === SITE)).toBe(true);
  });
});
