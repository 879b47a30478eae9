import { dattoClassType, dattoType } from "../../formats/datto-rmm.ts";
import { isYes, vendorDate } from "../../formats/vendor.ts";
import type { CanonicalRow } from "../types.ts";

// Datto RMM's site devices as trueup-devices rows. The type table, the deleted-device skip and the
// date reading are the datto-rmm-devices file format's own functions, so a pull and an export of
// the same devices give the same rows.
//
// Fields, checked against the Datto RMM API 2.0.0 spec (datto-rmm/openapi.json):
// - confirmed (schema Device): uid, siteUid, siteName, hostname, deviceType {category, type},
//   deviceClass (device | printer | esxihost | rmmnetworkdevice | unknown), lastSeen, deleted,
//   lastLoggedInUser; (schema Site): uid, name.
// - not in the device list: a serial number. The spec has one only in the per-device audit
//   (GET /v2/audit/device/{uid}, bios.serialNumber): one request per device against a limit of 600
//   a minute, so serials are left empty and devices match other sources by hostname (spec 4.2).
// - guessed: lastSeen is "date-time" in the spec, yet some clients read epoch milliseconds; both are
//   read. The category's values (Desktop, Laptop, Server, ESXi Host, Printer, Network Device) come
//   from Datto's docs, not the spec, which types it as a free string.

export interface DattoDevice {
  uid?: string;
  siteUid?: string;
  siteName?: string;
  hostname?: string;
  deviceType?: { category?: string; type?: string };
  deviceClass?: string;
  lastSeen?: string | number;
  lastLoggedInUser?: string;
  deleted?: boolean;
}

export interface DattoSite {
  uid?: string;
  name?: string;
}

/** A row, or why the device is left out (a reason shown in the pull's progress). */
export type Mapped = { row: CanonicalRow; note?: string } | { skip: string };

/** A JSON scalar as trimmed text. */
export function text(v: unknown): string {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  return "";
}

/**
 * One device of the site `siteUid` as a trueup-devices row; the account is the site's uid (the
 * device's own siteUid, else the site it was listed under). Deleted devices are left out, as the
 * file format does. Where a file would get an error (no hostname, no last seen) a pull cannot ask
 * anyone to fix the line: the device is left out and the reason reported. A category newer than
 * this code counts as other rather than failing the whole pull.
 */
export function dattoDeviceRow(d: DattoDevice, siteUid: string): Mapped {
  if (isYes(text(d.deleted))) return { skip: "deleted" };
  const hostname = text(d.hostname);
  if (hostname === "") return { skip: "no hostname" };
  const lastSeen = vendorDate(text(d.lastSeen));
  if (lastSeen === undefined) return { skip: "no last seen date" };
  const category = text(d.deviceType?.category);
  // Equipment with no type category (a printer, a network device found by a scan) is no computer of
  // a client's: left out and counted, as the datto-rmm-devices file format leaves it out.
  if (category === "") return { skip: "no device type category (printer, network device)" };
  const known = dattoType(category) ?? dattoClassType(text(d.deviceClass));
  const row: CanonicalRow = {
    account: text(d.siteUid) || siteUid,
    hostname,
    serial: "",
    type: known ?? "other",
    lastSeen,
    primaryUser: text(d.lastLoggedInUser),
  };
  if (known !== undefined) return { row };
  return { row, note: `device type category "${category}" counted as other` };
}
