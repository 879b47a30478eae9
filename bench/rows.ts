// Turns a synthetic client into rows of the seven canonical trueup CSV files.

import { join } from "node:path";
import { type Basis, contractedPrice, type Plan, SKUS } from "./catalogue.ts";
import { type Client, type Device, daysBefore, PLACEHOLDERS } from "./client.ts";
import { chance, drift, int, pick, type Rng } from "./rng.ts";
import { CsvWriter } from "./writer.ts";

const USERS = ["licences", "displayName", "userType", "upn", "account", "enabled"] as const;
const DEVICES = ["hostname", "type", "serial", "account", "lastSeen", "primaryUser"] as const;
const EDR = ["account", "hostname", "lastSeen", "serial"] as const;
const BACKUP = ["serial", "account", "hostname", "lastSeen"] as const;
const PAX8 = ["sku", "account", "unitCost", "quantity"] as const;
const BACKUPCO = ["quantity", "sku", "unitCost", "account"] as const;
const PSA = ["account", "agreement", "product", "quantity", "unitPrice"] as const;

type Writer<T extends readonly string[]> = CsvWriter<T[number]>;

export interface Outputs {
  users: Writer<typeof USERS>;
  devices: Writer<typeof DEVICES>;
  edr: Writer<typeof EDR>;
  backup: Writer<typeof BACKUP>;
  pax8: Writer<typeof PAX8>;
  backupco: Writer<typeof BACKUPCO>;
  psa: Writer<typeof PSA>;
}

export function openOutputs(dataDir: string): Outputs {
  const at = (name: string) => join(dataDir, `${name}.csv`);
  return {
    users: new CsvWriter(at("users"), USERS),
    devices: new CsvWriter(at("devices"), DEVICES),
    edr: new CsvWriter(at("edr"), EDR),
    backup: new CsvWriter(at("backup"), BACKUP),
    pax8: new CsvWriter(at("pax8"), PAX8),
    backupco: new CsvWriter(at("backupco"), BACKUPCO),
    psa: new CsvWriter(at("psa"), PSA),
  };
}

/** Roughly what each basis counts for this client (the engine decides exactly; we only aim near it). */
function counts(c: Client): Record<Basis, number> {
  const live = c.devices.filter((d) => d.current && !d.duplicate);
  const of = (...types: string[]) => live.filter((d) => types.includes(d.type)).length;
  const billable = c.users.filter((u) => u.billable);
  const frontline = billable.filter((u) => u.licences.includes("SPE_F1")).length;
  return {
    users: billable.length - frontline,
    frontline,
    servers: of("server"),
    desktops: of("workstation", "laptop"),
    devices: of("workstation", "laptop", "server"),
    all: live.length,
    fixed: 0,
  };
}

const odd = (r: Rng, s: string) => (chance(r, 0.04) ? s.toUpperCase() : s);

function writeUsers(r: Rng, c: Client, out: Outputs): void {
  for (const u of c.users) {
    out.users.row({
      licences: u.licences.join("+"),
      displayName: u.displayName,
      userType: u.guest ? "guest" : "member",
      upn: u.upn,
      account: odd(r, c.ids.microsoft),
      enabled: String(u.enabled),
    });
  }
}

function writeDevices(r: Rng, c: Client, out: Outputs): void {
  for (const d of c.devices) {
    const { hostname, type, serial, lastSeen, primaryUser } = d;
    out.devices.row({ hostname, type, serial, lastSeen, primaryUser, account: odd(r, c.ids.rmm) });
  }
}

const agentTypes = new Set(["workstation", "laptop", "server"]);
const realSerial = (d: Device) => !PLACEHOLDERS.includes(d.serial);
const fqdn = (d: Device) => `${d.hostname.toLowerCase()}.corp.local`;

function writeAgents(r: Rng, c: Client, out: Outputs): void {
  const machines = c.devices.filter((d) => !d.duplicate && agentTypes.has(d.type));
  for (const d of machines) {
    if (!chance(r, 0.92)) continue;
    const hostname = chance(r, 0.35) ? fqdn(d) : d.hostname;
    const serial = realSerial(d) && chance(r, 0.5) ? d.serial : "";
    out.edr.row({ account: odd(r, c.ids.edr), hostname, serial, lastSeen: daysBefore(r, int(r, 0, 2)) });
  }
  for (const d of machines) {
    if (!chance(r, d.type === "server" ? 0.97 : 0.93)) continue;
    const serial = realSerial(d) && chance(r, 0.3) ? d.serial : "";
    out.backup.row({ account: c.ids.backup, hostname: d.hostname, serial, lastSeen: daysBefore(r, 0) });
  }
  const rogues = chance(r, 0.5) ? int(r, 1, 2) : 0;
  for (let n = 0; n < rogues; n++) {
    const hostname = `${c.ids.id.toUpperCase()}-ROGUE${n}`;
    out.edr.row({ account: c.ids.edr, hostname, serial: "", lastSeen: daysBefore(r, 0) });
  }
  if (chance(r, 0.2)) {
    const hostname = `${c.ids.id.toUpperCase()}-OLDNAS`;
    out.backup.row({ account: c.ids.backup, hostname, serial: "", lastSeen: daysBefore(r, 5) });
  }
}

function writeLicences(r: Rng, c: Client, n: Record<Basis, number>, out: Outputs): void {
  for (const [vendor, sku, basis] of SKUS[c.archetype]) {
    if (!chance(r, 0.68)) continue;
    const quantity = String(drift(r, n[basis], 0.6));
    if (vendor === "pax8") out.pax8.row({ sku, account: c.ids.pax8, unitCost: "", quantity });
    else
      out.backupco.row({ sku, account: c.ids.backupco, unitCost: sku === "WS" ? "3.00" : "35.00", quantity });
  }
  if (chance(r, 0.02)) {
    const sku = pick(r, ["MST-EXCH-P1", "DUO-MFA", "KEEPER-BIZ"]);
    out.pax8.row({ sku, account: c.ids.pax8, unitCost: "4.00", quantity: String(int(r, 1, 20)) });
  }
}

function planQuantity(plan: Plan, n: Record<Basis, number>): number {
  return plan.quantity ?? Math.max(n[plan.basis], plan.minimum ?? 0);
}

function writeBilling(r: Rng, c: Client, n: Record<Basis, number>, out: Outputs): void {
  const account = c.ids.psa;
  for (const plan of c.plans) {
    if (!chance(r, 0.9)) continue;
    const price = chance(r, 0.92)
      ? contractedPrice(plan)
      : plan.listPrice === "2.00"
        ? "1.50"
        : plan.listPrice;
    const quantity = String(drift(r, planQuantity(plan, n)));
    out.psa.row({ account, agreement: "Managed", product: plan.psaProduct, quantity, unitPrice: price });
  }
  if (c.archetype !== "itemised" && chance(r, 0.15)) {
    const quantity = String(drift(r, n.devices));
    out.psa.row({ account, agreement: "Tracking", product: "EDR-S1", quantity, unitPrice: "0.00" });
  }
  if (chance(r, 0.015)) {
    out.psa.row({ account, agreement: "Projects", product: "HW-LEASE", quantity: "1", unitPrice: "45.00" });
  }
}

/** Rows whose account matches no client: a forgotten tenant, an old RMM org, a closed PSA company. */
function writeStrays(r: Rng, c: Client, out: Outputs): void {
  const tag = `x${c.index}`;
  const upn = `ann.${tag}@stranger.example.com`;
  const account = `stranger-${tag}.onmicrosoft.com`;
  out.users.row({ licences: "SPB", displayName: "Ann", userType: "member", upn, account, enabled: "true" });
  const device = { hostname: `OLD-${tag}`.toUpperCase(), type: "laptop", serial: "", primaryUser: "" };
  out.devices.row({ ...device, account: `ORG-OLD-${tag}`, lastSeen: daysBefore(r, 3) });
  out.edr.row({
    account: `Site OLD-${tag}`,
    hostname: device.hostname,
    serial: "",
    lastSeen: daysBefore(r, 0),
  });
  out.psa.row({
    account: `OLD-${tag}`,
    agreement: "Managed",
    product: "GOLD-U",
    quantity: "3",
    unitPrice: "150.00",
  });
}

export function writeClientRows(r: Rng, c: Client, out: Outputs): void {
  const n = counts(c);
  writeUsers(r, c, out);
  writeDevices(r, c, out);
  writeAgents(r, c, out);
  writeLicences(r, c, n, out);
  writeBilling(r, c, n, out);
  if (chance(r, 0.005)) writeStrays(r, c, out);
}
