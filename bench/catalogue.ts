// The synthetic MSP's catalogue (modelled on the spec's basic example) and its client archetypes.

import { chance, int, pick, type Rng, weighted } from "./rng.ts";

export const AS_OF = "2026-11-01";

export const CATALOGUE_YAML = `currency: USD
asOf: '${AS_OF}'
rules:
  staleDeviceDays: 30
  requireLicence: true
  excludeUsers: [svc-*]
services:
- {id: m365-bp, name: Microsoft 365 Business Premium, unit: user, cost: '22.00', price: '26.40', psaProduct: M365-BP,
   vendorSkus: [{vendor: pax8, sku: MST-BP-M}, {vendor: microsoft, sku: SPB}]}
- {id: m365-bs, name: Microsoft 365 Business Standard, unit: user, cost: '12.50', price: '15.00', psaProduct: M365-BS,
   vendorSkus: [{vendor: pax8, sku: MST-BS-M}, {vendor: microsoft, sku: O365_BUSINESS_PREMIUM}]}
- {id: m365-f1, name: Microsoft 365 F1, unit: user, cost: '2.25', price: '3.00',
   vendorSkus: [{vendor: microsoft, sku: SPE_F1}]}
- {id: edr, name: SentinelOne Complete, unit: device, cost: '4.50', price: '9.00', psaProduct: EDR-S1,
   vendorSkus: [{vendor: pax8, sku: S1-COMPLETE}], deployment: edr}
- {id: backup-ws, name: Workstation backup, unit: device, cost: '3.00', price: '6.00', psaProduct: BKP-WS,
   vendorSkus: [{vendor: backupco, sku: WS}], deployment: backup}
- {id: backup-srv, name: Server backup, unit: device, cost: '35.00', price: '60.00', psaProduct: BKP-SRV,
   vendorSkus: [{vendor: backupco, sku: SRV}], deployment: backup}
- {id: device-addon, name: Additional device, unit: device, cost: '0.00', price: '25.00', psaProduct: DEV-ADD}
- {id: archiving, name: Email archiving, unit: user, cost: '1.10', price: '3.50', psaProduct: ARCH,
   vendorSkus: [{vendor: pax8, sku: ARCH-1}]}
- {id: domain, name: Domain hosting, unit: device, cost: '1.00', price: '2.00', psaProduct: DOM}
bundles:
- {id: gold-user, name: Gold (per user), per: user, price: '150.00', psaProduct: GOLD-U,
   includes: [{service: m365-bp}, {service: edr}, {service: backup-ws, deviceTypes: [workstation, laptop]}],
   devicesPerUser: 2, extraDevice: device-addon}
- {id: silver-user, name: Silver (per user), per: user, price: '95.00', psaProduct: SILVER-U,
   includes: [{service: m365-bs}, {service: edr}]}
- {id: frontline, name: Frontline (per user), per: user, price: '30.00', psaProduct: FRONT-U,
   deviceTypes: [mobile], includes: [{service: m365-f1}]}
- {id: server, name: Server care, per: device, deviceTypes: [server], price: '120.00', psaProduct: SRV,
   includes: [{service: edr}, {service: backup-srv}]}
- {id: bronze-device, name: Bronze (per device), per: device, deviceTypes: [workstation, laptop], price: '45.00',
   psaProduct: BRONZE-D, includes: [{service: edr}]}
sources:
- {kind: users, format: trueup-users, file: data/users.csv}
- {kind: devices, format: trueup-devices, file: data/devices.csv}
- {kind: deployments, format: trueup-deployments, file: data/edr.csv, deployment: edr}
- {kind: deployments, format: trueup-deployments, file: data/backup.csv, deployment: backup}
- {kind: licences, format: trueup-licences, file: data/pax8.csv, vendor: pax8}
- {kind: licences, format: trueup-licences, file: data/backupco.csv, vendor: backupco}
- {kind: billing, format: trueup-billing, file: data/psa.csv}
clients:
`;

/** What a plan counts, so that the generator can bill and buy roughly the right quantities. */
export type Basis = "users" | "frontline" | "servers" | "desktops" | "devices" | "all" | "fixed";

export interface Plan {
  bundle?: string;
  service?: string;
  psaProduct: string;
  listPrice: string;
  basis: Basis;
  price?: string;
  minimum?: number;
  quantity?: number;
  licencesAny?: string[];
}

export type Archetype = "gold" | "silver" | "frontline" | "bronze" | "itemised";

export const ARCHETYPES: readonly (readonly [Archetype, number])[] = [
  ["gold", 35],
  ["silver", 25],
  ["frontline", 15],
  ["bronze", 15],
  ["itemised", 10],
];

const GOLD: Plan = { bundle: "gold-user", psaProduct: "GOLD-U", listPrice: "150.00", basis: "users" };
const SILVER: Plan = { bundle: "silver-user", psaProduct: "SILVER-U", listPrice: "95.00", basis: "users" };
const SERVER: Plan = { bundle: "server", psaProduct: "SRV", listPrice: "120.00", basis: "servers" };
const BRONZE: Plan = {
  bundle: "bronze-device",
  psaProduct: "BRONZE-D",
  listPrice: "45.00",
  basis: "desktops",
};
const FRONTLINE: Plan = {
  bundle: "frontline",
  psaProduct: "FRONT-U",
  listPrice: "30.00",
  basis: "frontline",
  licencesAny: ["SPE_F1"],
};
const ARCHIVING: Plan = { service: "archiving", psaProduct: "ARCH", listPrice: "3.50", basis: "users" };
const M365_BS: Plan = { service: "m365-bs", psaProduct: "M365-BS", listPrice: "15.00", basis: "users" };
const EDR: Plan = { service: "edr", psaProduct: "EDR-S1", listPrice: "9.00", basis: "all" };
const BACKUP_WS: Plan = { service: "backup-ws", psaProduct: "BKP-WS", listPrice: "6.00", basis: "all" };
const DOMAIN: Plan = { service: "domain", psaProduct: "DOM", listPrice: "2.00", basis: "fixed" };

const PLANS: Record<Archetype, readonly Plan[]> = {
  gold: [GOLD, SERVER, ARCHIVING],
  silver: [SILVER, SERVER, ARCHIVING],
  frontline: [FRONTLINE, GOLD, SERVER],
  bronze: [BRONZE, SERVER, M365_BS],
  itemised: [EDR, BACKUP_WS, DOMAIN],
};

/** Vendor SKUs a client of this archetype buys, by vendor, with the basis of their quantity. */
export const SKUS: Record<Archetype, readonly (readonly [string, string, Basis])[]> = {
  gold: [
    ["pax8", "MST-BP-M", "users"],
    ["pax8", "S1-COMPLETE", "devices"],
    ["backupco", "WS", "desktops"],
    ["backupco", "SRV", "servers"],
  ],
  silver: [
    ["pax8", "MST-BS-M", "users"],
    ["pax8", "S1-COMPLETE", "devices"],
    ["backupco", "SRV", "servers"],
    ["pax8", "ARCH-1", "users"],
  ],
  frontline: [
    ["pax8", "MST-BP-M", "users"],
    ["pax8", "S1-COMPLETE", "devices"],
    ["backupco", "WS", "desktops"],
  ],
  bronze: [
    ["pax8", "MST-BS-M", "users"],
    ["pax8", "S1-COMPLETE", "devices"],
    ["backupco", "SRV", "servers"],
  ],
  itemised: [
    ["pax8", "S1-COMPLETE", "devices"],
    ["backupco", "WS", "desktops"],
    ["backupco", "SRV", "servers"],
  ],
};

/** The Microsoft SKU most users of this archetype hold. */
export const MAIN_LICENCE: Record<Archetype, string> = {
  gold: "SPB",
  silver: "O365_BUSINESS_PREMIUM",
  frontline: "SPB",
  bronze: "O365_BUSINESS_PREMIUM",
  itemised: "O365_BUSINESS_PREMIUM",
};

const DISCOUNTS: Record<string, readonly string[]> = {
  "GOLD-U": ["140.00", "135.00"],
  "SILVER-U": ["90.00", "85.00"],
  SRV: ["110.00", "100.00"],
  "BRONZE-D": ["40.00"],
};

/** The archetype's plans, with the occasional negotiated price, minimum or optional add-on dropped. */
export function choosePlans(r: Rng): { archetype: Archetype; plans: Plan[] } {
  const archetype = weighted(r, ARCHETYPES);
  const plans: Plan[] = [];
  for (const base of PLANS[archetype]) {
    if (base.service === "archiving" && chance(r, 0.5)) continue;
    const plan: Plan = { ...base };
    const discounts = DISCOUNTS[plan.psaProduct];
    if (discounts && chance(r, 0.2)) plan.price = pick(r, discounts);
    if (plan.bundle && plan.basis !== "servers" && chance(r, 0.1)) plan.minimum = pick(r, [10, 15, 20, 25]);
    if (plan.basis === "fixed") plan.quantity = int(r, 1, 6);
    plans.push(plan);
  }
  return { archetype, plans };
}

export function contractedPrice(plan: Plan): string {
  return plan.price ?? plan.listPrice;
}

/** One plan as a YAML flow mapping (JSON strings are valid YAML double-quoted scalars). */
export function planYaml(plan: Plan): string {
  const parts = [plan.bundle ? `bundle: ${plan.bundle}` : `service: ${plan.service}`];
  if (plan.licencesAny) parts.push(`users: {licencesAny: ${JSON.stringify(plan.licencesAny)}}`);
  if (plan.price) parts.push(`price: '${plan.price}'`);
  if (plan.minimum !== undefined) parts.push(`minimum: ${plan.minimum}`);
  if (plan.quantity !== undefined) parts.push(`quantity: ${plan.quantity}`);
  return `  - {${parts.join(", ")}}\n`;
}
