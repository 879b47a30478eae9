import type { DeviceType } from "../core/types.ts";
import type { Format } from "./format.ts";
import { classKey, col, readVendorDate, workstationOr } from "./vendor.ts";

// NinjaOne devices, one line per device. Column names are the API's device fields (systemName,
// nodeClass, lastContact, system.serialNumber, system.chassisType, lastLoggedInUser) with the console's
// titles as guesses; nodeClass takes the API's values (WINDOWS_WORKSTATION, or "Windows Workstation").

const SERVERS = ["WINDOWS_SERVER", "LINUX_SERVER", "MAC_SERVER"];
const COMPUTERS = ["WINDOWS_WORKSTATION", "LINUX_WORKSTATION", "MAC"];
const MOBILES = ["ANDROID", "APPLE_IOS", "APPLE_IPADOS"];
// The rest of the API's nodeClass enum: hypervisors, network gear, cloud targets.
const OTHERS = [
  "VMWARE_VM_HOST",
  "VMWARE_VM_GUEST",
  "HYPERV_VMM_HOST",
  "HYPERV_VMM_GUEST",
  "CLOUD_MONITOR_TARGET",
  "NMS_SWITCH",
  "NMS_ROUTER",
  "NMS_FIREWALL",
  "NMS_PRIVATE_NETWORK_GATEWAY",
  "NMS_PRINTER",
  "NMS_SCANNER",
  "NMS_DIAL_MANAGER",
  "NMS_WAP",
  "NMS_IPSLA",
  "NMS_COMPUTER",
  "NMS_VM_HOST",
  "NMS_APPLIANCE",
  "NMS_OTHER",
  "NMS_SERVER",
  "NMS_PHONE",
  "NMS_VIRTUAL_MACHINE",
  "NMS_NETWORK_MANAGEMENT_AGENT",
  "UNMANAGED_DEVICE",
  "MANAGED_DEVICE",
];

/** A NinjaOne node class (and chassis) as a device type; undefined for a class NinjaOne does not have. */
export function ninjaType(nodeClass: string, chassis: string): DeviceType | undefined {
  const c = classKey(nodeClass);
  if (SERVERS.includes(c)) return "server";
  if (COMPUTERS.includes(c)) return workstationOr(chassis);
  if (MOBILES.includes(c)) return "mobile";
  return OTHERS.includes(c) ? "other" : undefined;
}

export const ninjaoneDevices: Format<"devices"> = {
  name: "ninjaone-devices",
  kind: "devices",
  columns: [
    col("organization", false, "Organization Name", "references.organization.name"),
    col("organizationId"),
    col("systemName", false, "Name", "Device Name", "Device"),
    col("displayName"),
    col("dnsName"),
    col("serialNumber", false, "system.serialNumber", "Serial"),
    col("biosSerialNumber", false, "system.biosSerialNumber"),
    col("nodeClass", true, "Class", "Device Class", "Device Type", "Type"),
    col("chassisType", false, "system.chassisType", "Chassis"),
    col("lastContact", true, "Last Seen", "Last Online"),
    col("lastLoggedInUser", false, "Last Login", "Last User"),
    col("approvalStatus"),
  ],
  anyOf: [
    ["organization", "organizationId"],
    ["systemName", "displayName", "dnsName"],
  ],
  row(f, ctx) {
    // A device waiting for approval is not managed yet.
    if (f.text("approvalStatus").toUpperCase() === "PENDING") return ctx.skip("pending approval");
    const owner = ctx.ownerOf(f, "organization", [f.text("organization"), f.text("organizationId")]);
    const hostname = f.first("systemName", "displayName", "dnsName");
    if (hostname === "") f.error("systemName", "is empty; a device name is required");
    const cls = f.required("nodeClass");
    const type = cls === undefined ? undefined : ninjaType(cls, f.text("chassisType"));
    if (cls !== undefined && type === undefined)
      f.error(
        "nodeClass",
        `unknown node class "${cls}" (NinjaOne's are WINDOWS_WORKSTATION, WINDOWS_SERVER, MAC, ...)`,
      );
    const lastSeen = readVendorDate(f, "lastContact");
    if (!owner || hostname === "" || type === undefined || lastSeen === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      hostname,
      serial: f.first("serialNumber", "biosSerialNumber"),
      type,
      lastSeen,
      primaryUser: f.text("lastLoggedInUser"),
    };
  },
};
