import type { DeviceType } from "../core/types.ts";
import type { Format } from "./format.ts";
import { classKey, col, isYes, readVendorDate } from "./vendor.ts";

// Datto RMM devices, one line per device. Column names are the API's Device fields (siteName,
// siteUid, hostname, deviceType.category, lastSeen, lastLoggedInUser, deleted) with the console's
// titles as guesses. Datto RMM itself tells laptops from desktops (by chassis), in the category.
// PowerShell's Export-Csv of the device list writes deviceType as `@{category=Desktop; type=Desktop}`:
// the category is read from it (Fields reads hashtable text of every dotted column).

const TYPES: Record<string, DeviceType> = {
  DESKTOP: "workstation",
  WORKSTATION: "workstation",
  LAPTOP: "laptop",
  SERVER: "server",
  MOBILE: "mobile",
  MOBILE_DEVICE: "mobile",
  ESXI_HOST: "other",
  ESXI: "other",
  PRINTER: "other",
  NETWORK_DEVICE: "other",
  UNKNOWN: "other",
};

/** A Datto RMM device type category as a device type; undefined for one this table does not know. */
export function dattoType(category: string): DeviceType | undefined {
  return TYPES[classKey(category)];
}

// The API's deviceClass, for a device without a type category: every class but "device" (an agent
// on a computer, whose kind only the category tells) is equipment Trueup counts as other.
const CLASSES: Record<string, DeviceType> = {
  PRINTER: "other",
  ESXIHOST: "other",
  RMMNETWORKDEVICE: "other",
  UNKNOWN: "other",
};

/** A Datto RMM deviceClass (device, printer, esxihost, rmmnetworkdevice, unknown) as a device type; undefined for "device". */
export function dattoClassType(deviceClass: string): DeviceType | undefined {
  return CLASSES[classKey(deviceClass)];
}

export const dattoRmmDevices: Format<"devices"> = {
  name: "datto-rmm-devices",
  kind: "devices",
  columns: [
    col("siteName", false, "Site"),
    col("siteUid", false, "Site ID"),
    col("hostname", true, "Device Hostname", "Device Name", "Device"),
    col("serialNumber", false, "Serial", "bios.serialNumber"),
    col("deviceType", true, "deviceType.category", "Category", "Type"),
    col("lastSeen", true, "Last Seen Online"),
    col("lastLoggedInUser", false, "Last User"),
    col("deleted"),
  ],
  anyOf: [["siteName", "siteUid"]],
  row(f, ctx) {
    if (isYes(f.text("deleted"))) return ctx.skip("deleted");
    // Equipment Datto RMM gives no category (a printer, a network device found by a scan) is no
    // computer of a client's: left out, as a pull leaves it out.
    const category = f.text("deviceType");
    if (category === "") return ctx.skip("no device type category (printer, network device)");
    const owner = ctx.ownerOf(f, "siteName", [f.text("siteName"), f.text("siteUid")]);
    const hostname = f.required("hostname");
    const type = dattoType(category);
    if (type === undefined)
      f.error(
        "deviceType",
        `unknown device type "${category}" (expected Desktop, Laptop, Server, ESXi Host, Printer, Network Device)`,
      );
    const lastSeen = readVendorDate(f, "lastSeen");
    if (!owner || hostname === undefined || type === undefined || lastSeen === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      hostname,
      serial: f.text("serialNumber"),
      type,
      lastSeen,
      primaryUser: f.text("lastLoggedInUser"),
    };
  },
};
