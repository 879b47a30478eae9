import { parseMoney } from "../../core/money.ts";
import { ConnectionError } from "../errors.ts";
import type { CanonicalRow, PsaAgreement, PsaLine } from "../types.ts";

// Pure functions from Autotask REST JSON to Trueup's shapes, and the bodies Trueup writes.
//
// Confirmed (Autotask REST entity pages on autotask.net and the Autotask REST Swagger, as
// published in api-evangelist/kaseya): Contracts (id, companyID, contractName, contractType,
// status, startDate, endDate; contractType 7 = Recurring Service), ContractServices (id,
// contractID, serviceID, unitPrice, unitCost, invoiceDescription; adjustedPrice from the entity
// page, it is missing from one Swagger snapshot), ContractServiceBundles (id, contractID,
// serviceBundleID, unitPrice, adjustedPrice), ContractServiceUnits / ContractServiceBundleUnits
// (contractServiceID / contractServiceBundleID, serviceID / serviceBundleID, units (int32),
// startDate, endDate, price, cost), ContractServiceAdjustments (contractID, contractServiceID,
// serviceID, unitChange (int32), effectiveDate, adjustedUnitPrice, adjustedUnitCost),
// ContractServiceBundleAdjustments (contractID, contractServiceBundleID, serviceBundleID,
// unitChange, effectiveDate, adjustedUnitPrice; no cost field).
// Guessed: status 1 = Active (picklist values are per instance; 1 is what published integrations
// filter on); Services and ServiceBundles carry the display name in `name`; the line's unit price
// is adjustedPrice when set, else unitPrice; a service with no units period starting on or
// before the date is not (yet, or any more) on the contract.

export const RECURRING_SERVICE = 7;
export const ACTIVE = 1;

export interface AtContract {
  id: number;
  companyID: number;
  contractName?: string | null;
  contractType?: number | null;
  status?: number | null;
}

export type LineKind = "service" | "bundle";

/** A ContractService or ContractServiceBundle, reduced to what both share. */
export interface AtContractLine {
  kind: LineKind;
  /** contractServiceID or contractServiceBundleID. */
  id: number;
  contractID: number;
  /** serviceID or serviceBundleID. */
  itemID: number;
  unitPrice?: number | null;
  adjustedPrice?: number | null;
  unitCost?: number | null;
}

/** A ContractServiceUnits or ContractServiceBundleUnits row: the units of one billing period. */
export interface AtUnits {
  units: number;
  startDate: string;
  endDate: string;
}

export interface AtNamed {
  id: number;
  name?: string | null;
}

export function isActiveRecurring(c: AtContract): boolean {
  return c.contractType === RECURRING_SERVICE && c.status === ACTIVE;
}

export function toAgreement(c: AtContract): PsaAgreement {
  return { id: String(c.id), account: String(c.companyID), name: c.contractName ?? "" };
}

/** Normalises a ContractServices row. */
export function fromService(r: Record<string, unknown>): AtContractLine {
  return {
    kind: "service",
    id: Number(r.id),
    contractID: Number(r.contractID),
    itemID: Number(r.serviceID),
    unitPrice: num(r.unitPrice),
    adjustedPrice: num(r.adjustedPrice),
    unitCost: num(r.unitCost),
  };
}

/** Normalises a ContractServiceBundles row. */
export function fromBundle(r: Record<string, unknown>): AtContractLine {
  return {
    kind: "bundle",
    id: Number(r.id),
    contractID: Number(r.contractID),
    itemID: Number(r.serviceBundleID),
    unitPrice: num(r.unitPrice),
    adjustedPrice: num(r.adjustedPrice),
  };
}

/** Bundle lines get a prefix: the two entities number their rows independently. */
export function lineId(kind: LineKind, id: number): string {
  return kind === "service" ? String(id) : `bundle-${id}`;
}

/** The ISO date of an Autotask date-time ("2025-06-01T00:00:00" -> "2025-06-01"). */
export function dateOf(text: string): string {
  return text.slice(0, 10);
}

/**
 * The units period that bills on `date`: the one containing it, else the latest one that started
 * before it (periods not generated yet), else none.
 */
export function periodFor<T extends AtUnits>(periods: readonly T[], date: string): T | undefined {
  let latest: T | undefined;
  for (const p of periods) {
    const start = dateOf(p.startDate);
    if (start > date) continue;
    if (dateOf(p.endDate) >= date) return p;
    if (!latest || start > dateOf(latest.startDate)) latest = p;
  }
  return latest;
}

export interface LineSource {
  contract: AtContract;
  line: AtContractLine;
  /** Service or bundle name: the line's product. */
  product: string;
  /** Every units period of this line that started on or before `date`. */
  periods: readonly AtUnits[];
  date: string;
}

/** The PsaLine for `date`, or undefined when no units period bills on it. */
export function toPsaLine(s: LineSource): PsaLine | undefined {
  const period = periodFor(s.periods, s.date);
  if (!period) return undefined;
  const { line, contract } = s;
  const starts = s.periods.map((p) => dateOf(p.startDate)).sort();
  const ref: Record<string, string> = {
    kind: line.kind,
    contractID: String(line.contractID),
    [line.kind === "service" ? "contractServiceID" : "contractServiceBundleID"]: String(line.id),
    [line.kind === "service" ? "serviceID" : "serviceBundleID"]: String(line.itemID),
  };
  if (line.unitCost !== undefined && line.unitCost !== null) ref.unitCost = String(line.unitCost);
  return {
    id: lineId(line.kind, line.id),
    account: String(contract.companyID),
    agreement: String(contract.id),
    agreementName: contract.contractName ?? "",
    product: s.product,
    quantity: String(period.units),
    unitPrice: priceOf(line),
    startDate: starts[0],
    ref,
  };
}

/** adjustedPrice when the contract overrides the catalogue price, else unitPrice. */
export function priceOf(line: AtContractLine): string {
  const p = line.adjustedPrice ?? line.unitPrice;
  return p === undefined || p === null ? "0" : String(p);
}

export function billingRow(line: PsaLine): CanonicalRow {
  return {
    account: line.account,
    product: line.product,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    agreement: line.agreementName,
    lineId: line.id,
  };
}

/** `target - current` as the integer Autotask's unitChange takes; units are whole numbers. */
export function unitChange(current: string, target: string): number {
  const from = wholeUnits(current, "current quantity");
  const to = wholeUnits(target, "target quantity");
  if (to < 0) throw new ConnectionError(`Autotask units cannot go below 0 (target ${target})`);
  return to - from;
}

export function wholeUnits(text: string, what: string): number {
  const d = parseMoney(text);
  if (d === undefined || !d.isInteger() || d.abs().greaterThan(2_147_483_647)) {
    throw new ConnectionError(`Autotask counts units in whole numbers: ${what} ${text} is not one`);
  }
  return d.toNumber();
}

/**
 * A decimal price as the JSON number Autotask's double fields take. Refuses text that a double
 * would not give back exactly, so no price is silently rounded on the way out.
 */
export function jsonPrice(text: string): number {
  const d = parseMoney(text);
  const n = d === undefined ? Number.NaN : d.toNumber();
  const back = Number.isFinite(n) ? parseMoney(String(n)) : undefined;
  if (d === undefined || back === undefined || !back.equals(d)) {
    throw new ConnectionError(`Autotask takes prices as numbers: ${text} cannot be sent exactly`);
  }
  return n;
}

export function samePrice(a: string, b: string): boolean {
  const x = parseMoney(a);
  const y = parseMoney(b);
  return x !== undefined && y !== undefined && x.equals(y);
}

/** Autotask date-times are sent without a zone, as its own examples do. */
export function effectiveDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ConnectionError(`not an ISO date: ${date}`);
  return `${date}T00:00:00`;
}

function num(v: unknown): number | null | undefined {
  return typeof v === "number" ? v : v === null ? null : undefined;
}
