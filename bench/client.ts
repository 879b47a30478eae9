// One synthetic client: its ids, plans, users and devices, with the mess real exports have.

import { type Archetype, AS_OF, choosePlans, MAIN_LICENCE, type Plan } from "./catalogue.ts";
import { chance, int, pick, type Rng, weighted } from "./rng.ts";

export interface Ids {
  id: string;
  name: string;
  psa: string;
  microsoft: string;
  rmm: string;
  pax8: string;
  edr: string;
  backup: string;
  backupco: string;
}

export interface User {
  upn: string;
  displayName: string;
  enabled: boolean;
  guest: boolean;
  licences: string[];
  billable: boolean;
}

export type DeviceType = "workstation" | "laptop" | "server" | "mobile" | "other";

export interface Device {
  hostname: string;
  type: DeviceType;
  serial: string;
  lastSeen: string;
  primaryUser: string;
  current: boolean;
  duplicate: boolean;
}

export interface Client {
  index: number;
  ids: Ids;
  archetype: Archetype;
  plans: Plan[];
  users: User[];
  devices: Device[];
}

const FIRST = [
  "ann",
  "bob",
  "cem",
  "dia",
  "eli",
  "gus",
  "hal",
  "ida",
  "kim",
  "lou",
  "mia",
  "ned",
  "pat",
  "zoe",
];
const LAST = ["smith", "jones", "patel", "garcia", "chen", "novak", "okafor", "meyer", "rossi", "silva"];
const COMPANY = [
  "Harbor",
  "Summit",
  "Maple",
  "Granite",
  "Lakeside",
  "Pioneer",
  "Cedar",
  "Northwind",
  "Bright",
];
const TRADE = ["Dental", "Logistics", "Law", "Clinic", "Builders", "Accounting", "Foods", "Realty", "Motors"];
const SERVICES = ["backup", "scanner", "sql", "sync", "mailer"];
export const PLACEHOLDERS = ["", "0", "To Be Filled By O.E.M.", "Default string", "System Serial Number"];
const TYPES: readonly (readonly [DeviceType, number])[] = [
  ["workstation", 44],
  ["laptop", 34],
  ["server", 6],
  ["mobile", 13],
  ["other", 3],
];

function clientIds(r: Rng, index: number, width: number): Ids {
  const id = `c${String(index).padStart(width, "0")}`;
  const name = `${pick(r, COMPANY)} ${pick(r, TRADE)} ${index}`;
  const n = String(index);
  return {
    id,
    name,
    psa: String(10000 + index),
    microsoft: `${id}.onmicrosoft.com`,
    rmm: `ORG-${n}`,
    pax8: `px-${n}`,
    edr: `Site ${n}`,
    backup: `bk${n}`,
    backupco: `BC${n}`,
  };
}

function licencesFor(r: Rng, archetype: Archetype, member: boolean): string[] {
  if (!member) return chance(r, 0.2) ? [MAIN_LICENCE[archetype]] : [];
  if (chance(r, 0.04)) return [];
  const main = archetype === "frontline" && chance(r, 0.4) ? "SPE_F1" : MAIN_LICENCE[archetype];
  const extra = chance(r, 0.1) ? ["FLOW_FREE"] : chance(r, 0.04) ? ["POWER_BI_STANDARD"] : [];
  return [main, ...extra];
}

function makeUser(r: Rng, c: Ids, archetype: Archetype, j: number): User {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  const kind = weighted(r, [
    ["member", 95],
    ["guest", 3],
    ["svc", 2],
  ] as const);
  const domain = `${c.id}.example.com`;
  const upn =
    kind === "svc"
      ? `svc-${pick(r, SERVICES)}${j}@${domain}`
      : kind === "guest"
        ? `${first}.${last}${j}_partner.com#EXT#@${c.microsoft}`
        : `${first}.${last}${j}@${domain}`;
  const enabled = chance(r, 0.94);
  const disabledKeepsLicence = !enabled && chance(r, 0.7);
  const licences = licencesFor(r, archetype, kind !== "guest");
  const held = enabled || disabledKeepsLicence ? licences : [];
  const displayName = chance(r, 0.3) ? `${cap(last)}, ${cap(first)}` : `${cap(first)} ${cap(last)}`;
  const billable = enabled && kind === "member" && held.length > 0;
  return { upn, displayName, enabled, guest: kind === "guest", licences: held, billable };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A date `days` before asOf, as a date or (sometimes) a date-time. */
export function daysBefore(r: Rng, days: number): string {
  const d = new Date(`${AS_OF}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  const date = d.toISOString().slice(0, 10);
  return chance(r, 0.4) ? `${date}T${String(int(r, 0, 23)).padStart(2, "0")}:15:00Z` : date;
}

function makeDevice(r: Rng, c: Ids, users: User[], k: number): Device {
  const type = weighted(r, TYPES);
  const hostname = `${c.id.toUpperCase()}-${type.slice(0, 2).toUpperCase()}${String(k).padStart(3, "0")}`;
  const serial = chance(r, 0.04) ? pick(r, PLACEHOLDERS) : `SN${c.id.slice(1)}${String(k).padStart(4, "0")}`;
  const stale = chance(r, 0.08);
  const lastSeen = stale
    ? daysBefore(r, int(r, 31, 200))
    : daysBefore(r, chance(r, 0.01) ? -1 : int(r, 0, 25));
  const owner = type !== "server" && users.length > 0 && chance(r, 0.85) ? pick(r, users).upn : "";
  return { hostname, type, serial, lastSeen, primaryUser: owner, current: !stale, duplicate: false };
}

/** A second inventory row of the same machine: same serial (or hostname), older, other spelling. */
function duplicateOf(r: Rng, d: Device): Device {
  const lower = d.hostname.toLowerCase();
  const hostname = PLACEHOLDERS.includes(d.serial) && chance(r, 0.5) ? `${lower}.corp.local` : lower;
  return { ...d, hostname, lastSeen: daysBefore(r, int(r, 20, 90)), duplicate: true };
}

export function makeClient(r: Rng, index: number, width: number): Client {
  const ids = clientIds(r, index, width);
  const { archetype, plans } = choosePlans(r);
  const userCount = int(r, 5, 95);
  const users = Array.from({ length: userCount }, (_, j) => makeUser(r, ids, archetype, j));
  const deviceCount = Math.round(userCount * (0.85 + 0.6 * r()));
  const devices: Device[] = [];
  for (let k = 0; k < deviceCount; k++) {
    const d = makeDevice(r, ids, users, k);
    devices.push(d);
    if (chance(r, 0.03)) devices.push(duplicateOf(r, d));
  }
  return { index, ids, archetype, plans, users, devices };
}
