import { parseMoney } from "../../core/money.ts";
import type { CanonicalRow, PsaAgreement, PsaLine } from "../types.ts";

// ConnectWise PSA (Manage) JSON -> Trueup's PSA lines and trueup-billing rows. Pure functions only.
//
// Field names are those of the published OpenAPI (v2025.8): `Addition` as kept in
// /work/shared/formats/connectwise/addition.schema.json; `Agreement` (id, name, company{id,identifier,
// name}, agreementStatus, cancelledFlag, startDate, endDate) and `IvItemReference` (id, identifier)
// as generated from the same spec (ai-connor/connectwise build/docs). Guessed, not in a spec: that
// an addition's `agreementStatus` is its agreement's status, and how conditions escape quotes
// (we never send an identifier holding a quote or a backslash; see productCondition).

export interface CwReference {
  id?: number | string | null;
  identifier?: string | null;
  name?: string | null;
}

export interface CwAgreement {
  id: number | string;
  name?: string | null;
  company?: CwReference | null;
  type?: CwReference | null;
  agreementStatus?: string | null;
  cancelledFlag?: boolean | null;
  startDate?: string | null;
  endDate?: string | null;
}

export interface CwAddition {
  id: number | string;
  product?: CwReference | null;
  quantity?: number | null;
  unitPrice?: number | null;
  billCustomer?: "Billable" | "DoNotBill" | "NoCharge" | null;
  effectiveDate?: string | null;
  cancelledDate?: string | null;
  agreementId?: number | string | null;
  agreementStatus?: string | null;
}

/** What a line needs of its agreement: it is read once per agreement, not per line. */
export interface AgreementInfo {
  id: string;
  account: string;
  name: string;
  companyIdentifier: string;
}

/** Active agreements only; the list is filtered by the API too, this guards the answer. */
export function isActiveAgreement(a: CwAgreement): boolean {
  return a.agreementStatus === "Active" && a.cancelledFlag !== true;
}

export function agreementInfo(a: CwAgreement): AgreementInfo {
  return {
    id: String(a.id),
    account: a.company?.id == null ? "" : String(a.company.id),
    name: a.name ?? "",
    companyIdentifier: a.company?.identifier ?? "",
  };
}

export function toPsaAgreement(info: AgreementInfo): PsaAgreement {
  return { id: info.id, account: info.account, name: info.name };
}

/**
 * An addition counts at `asOf` when it has started (effectiveDate on or before asOf's day, or none),
 * is not cancelled (no cancelledDate, or one after asOf) and its agreement is not explicitly
 * inactive. `billCustomer` DoNotBill/NoCharge lines count too: they are Trueup's tracking lines,
 * with the unit price ConnectWise gives (normally 0).
 */
export function isActiveAddition(a: CwAddition, asOf: Date): boolean {
  if (a.agreementStatus != null && a.agreementStatus !== "Active") return false;
  const day = asOf.toISOString().slice(0, 10);
  if (a.effectiveDate && a.effectiveDate.slice(0, 10) > day) return false;
  if (a.cancelledDate) {
    const cancelled = Date.parse(a.cancelledDate);
    if (Number.isNaN(cancelled) || cancelled <= asOf.getTime()) return false;
  }
  return true;
}

/** A JSON number as exact text: String(n), never arithmetic. Null (unset) reads as 0. */
export function numberText(n: number | null | undefined): string {
  return n == null ? "0" : String(n);
}

export function toPsaLine(info: AgreementInfo, a: CwAddition): PsaLine {
  const line: PsaLine = {
    id: String(a.id),
    account: info.account,
    agreement: info.id,
    agreementName: info.name,
    product: a.product?.identifier ?? "",
    quantity: numberText(a.quantity),
    unitPrice: numberText(a.unitPrice),
    ref: {
      agreementId: info.id,
      additionId: String(a.id),
      companyIdentifier: info.companyIdentifier,
      productId: a.product?.id == null ? "" : String(a.product.id),
      billCustomer: a.billCustomer ?? "",
    },
  };
  if (a.effectiveDate) line.startDate = a.effectiveDate.slice(0, 10);
  return line;
}

export function toBillingRow(l: PsaLine): CanonicalRow {
  return {
    account: l.account,
    product: l.product,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    agreement: l.agreement,
    lineId: l.id,
  };
}

/**
 * The instant a line is judged at for `effective` (an ISO date): never before now, so a line
 * that started after `effective` but is live today still counts, and a line created to start on
 * a future `effective` is found on that day.
 */
export function asOfFor(now: Date, effective: string): Date {
  const at = Date.parse(`${isoDay(effective)}T00:00:00Z`);
  return at > now.getTime() ? new Date(at) : now;
}

/** "2026-12-01" or "2026-12-01T.." -> "2026-12-01"; throws on anything else. */
export function isoDay(text: string): string {
  const day = text.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day)))
    throw new Error(`not an ISO date: ${text}`);
  return day;
}

/** ConnectWise date-times are UTC without milliseconds: 2026-12-01T00:00:00Z. */
export function cwDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A decimal string as the JSON number ConnectWise takes; throws if the number would not be exact. */
export function decimalNumber(text: string, what: string): number {
  const exact = parseMoney(text);
  const n = Number(text);
  const back = Number.isFinite(n) ? parseMoney(String(n)) : undefined;
  if (exact === undefined || back === undefined || !back.eq(exact))
    throw new Error(`${what} ${JSON.stringify(text)} is not a decimal ConnectWise can hold exactly`);
  return n;
}

/** Conditions: strings in double quotes, dates in brackets, null and booleans bare. */
export const ACTIVE_AGREEMENTS = 'agreementStatus="Active" and cancelledFlag=false';

export function notCancelledCondition(asOf: Date): string {
  return `(cancelledDate=null or cancelledDate>[${cwDateTime(asOf)}])`;
}

/** The product filter, or undefined when the identifier can't be quoted safely (filtered locally). */
export function productCondition(identifier: string): string | undefined {
  return /["\\]/.test(identifier) ? undefined : `product/identifier="${identifier}"`;
}
