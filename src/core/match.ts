import { daysBetween } from "./dates.ts";
import type { DeviceRow, DeviceType } from "./types.ts";

// Device identity (spec 4.1, 4.2): serials and hostnames as the RMM and the consoles write them.

const PLACEHOLDER_SERIALS = new Set([
  "",
  "0",
  "to be filled by o.e.m.",
  "to be filled by oem",
  "default string",
  "system serial number",
  "chassis serial number",
  "not specified",
  "not applicable",
  "none",
  "n/a",
  "na",
  "null",
  "unknown",
  "invalid",
  "123456789",
  "0123456789",
]);

/** Lower-cased, trimmed serial; "" when it is a placeholder that identifies nothing. */
export function normalizeSerial(serial: string): string {
  const s = serial.trim().toLowerCase();
  if (PLACEHOLDER_SERIALS.has(s) || /^0+$/.test(s)) return "";
  return s;
}

/** Hostname as compared across systems: lower case, cut at the first dot (FQDN to short name). */
export function hostKey(hostname: string): string {
  const h = hostname.trim().toLowerCase();
  const dot = h.indexOf(".");
  return dot === -1 ? h : h.slice(0, dot);
}

/** One real device, possibly reported by several inventory rows. */
export interface Device {
  hostname: string;
  type: DeviceType;
  lastSeen: string;
  primaryUser: string;
  /** Every normalized serial and hostname its rows carry, for matching deployment rows. */
  serials: string[];
  hostKeys: string[];
}

/** The row that stands for a device: seen last; on a tie, the hostname that sorts first; rows
 * still alike are ordered by their other fields, so that the file's row order never matters. */
function better(a: DeviceRow, b: DeviceRow): DeviceRow {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen > b.lastSeen ? a : b;
  for (const key of ["hostname", "type", "primaryUser", "serial"] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? a : b;
  }
  return a;
}

/**
 * Merges one client's inventory rows into devices: rows that share a real serial, or that have no
 * serial and share a hostname, are one device, represented by the row seen last.
 */
export function dedupeDevices(rows: readonly DeviceRow[]): Device[] {
  // Each row's serial and host key are worked out once; groups hold row numbers.
  const serials: string[] = new Array(rows.length);
  const hosts: string[] = new Array(rows.length);
  // Groups by serial, and by host key for rows without one (two maps: no key text per row). The
  // order of the groups does not matter: the devices are sorted at the end, and no two tie.
  const bySerial = new Map<string, number[]>();
  const byHost = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as DeviceRow;
    const serial = normalizeSerial(row.serial);
    const host = hostKey(row.hostname);
    serials[i] = serial;
    hosts[i] = host;
    const groups = serial ? bySerial : byHost;
    const key = serial || host;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const devices: Device[] = [];
  for (const group of [...bySerial.values(), ...byHost.values()]) {
    const first = group[0] as number;
    let rep = rows[first] as DeviceRow;
    for (let k = 1; k < group.length; k++) rep = better(rep, rows[group[k] as number] as DeviceRow);
    const serial = serials[first] as string;
    devices.push({
      hostname: rep.hostname.trim(),
      type: rep.type,
      lastSeen: rep.lastSeen,
      primaryUser: rep.primaryUser.trim().toLowerCase(),
      // A device of one row (most are) needs no Set to drop repeats.
      serials:
        group.length === 1
          ? serial === ""
            ? []
            : [serial]
          : unique(group.map((i) => serials[i] as string).filter((s) => s !== "")),
      hostKeys: group.length === 1 ? [hosts[first] as string] : unique(group.map((i) => hosts[i] as string)),
    });
  }
  return devices.sort(compareDevices);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export function compareDevices(a: Device, b: Device): number {
  if (a.hostname !== b.hostname) return a.hostname < b.hostname ? -1 : 1;
  const sa = a.serials[0] ?? "";
  const sb = b.serials[0] ?? "";
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A device is current when seen at most `staleDays` whole days before `asOf` (or after it). */
export function isCurrent(device: Device, asOf: string, staleDays: number): boolean {
  return daysBetween(device.lastSeen, asOf) <= staleDays;
}

/** Finds the current device a deployment row stands for: by serial, else by hostname. */
export class DeviceIndex {
  private readonly bySerial = new Map<string, Device>();
  private readonly byHost = new Map<string, Device>();

  constructor(devices: readonly Device[]) {
    // `devices` is sorted, so on a clash the device that sorts first wins, whatever the row order.
    for (const device of devices) {
      for (const s of device.serials) if (!this.bySerial.has(s)) this.bySerial.set(s, device);
      for (const h of device.hostKeys) if (!this.byHost.has(h)) this.byHost.set(h, device);
    }
  }

  find(hostname: string, serial: string): Device | undefined {
    const s = normalizeSerial(serial);
    const bySerial = s ? this.bySerial.get(s) : undefined;
    return bySerial ?? this.byHost.get(hostKey(hostname));
  }
}
