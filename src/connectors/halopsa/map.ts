import { parseMoney } from "../../core/money.ts";
import type { CanonicalRow, PsaAgreement, PsaLine } from "../types.ts";

// Pure mapping of HaloPSA recurring invoices (InvoiceHeader) and their lines (InvoiceDetail) to
// Trueup's PSA lines and trueup-billing rows. Field names are those of the InvoiceHeader and
// InvoiceDetail schemas of /work/shared/formats/halopsa/openapi.json (Halo API v2).
//
// Confirmed by the spec: InvoiceHeader id, client_id, client_name, reference, disabled, startdate,
// enddate, lines; InvoiceDetail id, ihid, item_code, qty_order, unit_price, startdate, enddate,
// isinactive (all nullable except id).
// Guessed (not documented anywhere public): what makes a recurring invoice or a line active. We take
// `disabled` / `isinactive` as switches and startdate/enddate as the billing window; dates before
// 1901 are treated as empty because Halo stores "no date" as 1900-01-01 in many date fields.

export interface HaloLine {
  id: number;
  ihid?: number | null;
  item_code?: string | null;
  qty_order?: number | null;
  unit_price?: number | null;
  startdate?: string | null;
  enddate?: string | null;
  isinactive?: boolean | null;
}

export interface HaloRecurringInvoice {
  id: number;
  client_id?: number | null;
  client_name?: string | null;
  reference?: string | null;
  disabled?: boolean | null;
  startdate?: string | null;
  enddate?: string | null;
  lines?: HaloLine[] | null;
}

/** A window of days (ISO dates, inclusive): a line counts when it bills on some day in it. */
export interface ActiveWindow {
  from: string;
  to: string;
}

/** The ISO date (YYYY-MM-DD) of a Halo date-time, or undefined when empty or Halo's "no date". */
export function haloDate(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) < 1901 ? undefined : `${m[1]}-${m[2]}-${m[3]}`;
}

export function isActiveInvoice(inv: HaloRecurringInvoice, today: string): boolean {
  if (inv.disabled === true) return false;
  const end = haloDate(inv.enddate);
  return end === undefined || end >= today;
}

/** Started by `w.to` and not ended before `w.from`, and not switched off. */
export function isActiveLine(line: HaloLine, w: ActiveWindow): boolean {
  if (line.isinactive === true) return false;
  const start = haloDate(line.startdate);
  const end = haloDate(line.enddate);
  return (start === undefined || start <= w.to) && (end === undefined || end >= w.from);
}

/** A JSON number as exact decimal text (String(n) never computes; null counts as zero). */
export function decimalText(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? String(n) : "0";
}

/**
 * A decimal string as the JSON number Halo's double fields take. Refuses a value that would not
 * survive the trip exactly (more than ~15 significant digits), rather than send a rounded price.
 */
export function jsonNumber(text: string, field: string): number {
  const exact = parseMoney(text);
  const n = Number(text.trim());
  const back = Number.isFinite(n) ? parseMoney(String(n)) : undefined;
  if (exact === undefined || back === undefined || !back.equals(exact))
    throw new Error(`${field} ${JSON.stringify(text)} is not a decimal Halo can store exactly`);
  return n;
}

export function agreementName(inv: HaloRecurringInvoice): string {
  return inv.reference?.trim() || `Recurring invoice ${inv.id}`;
}

export function toAgreement(inv: HaloRecurringInvoice): PsaAgreement {
  return { id: String(inv.id), account: accountOf(inv), name: agreementName(inv) };
}

export function toPsaLine(inv: HaloRecurringInvoice, line: HaloLine): PsaLine {
  const ihid = line.ihid ?? inv.id;
  const start = haloDate(line.startdate);
  return {
    id: String(line.id),
    account: accountOf(inv),
    agreement: String(ihid),
    agreementName: agreementName(inv),
    product: line.item_code ?? "",
    quantity: decimalText(line.qty_order),
    unitPrice: decimalText(line.unit_price),
    ...(start ? { startDate: start } : {}),
    ref: { ihid: String(ihid), clientName: inv.client_name ?? "" },
  };
}

/** The active lines of an active recurring invoice; none when the invoice itself is not active. */
export function activeLines(inv: HaloRecurringInvoice, w: ActiveWindow): PsaLine[] {
  if (!isActiveInvoice(inv, w.from)) return [];
  return (inv.lines ?? []).filter((l) => isActiveLine(l, w)).map((l) => toPsaLine(inv, l));
}

export function toBillingRow(line: PsaLine): CanonicalRow {
  return {
    account: line.account,
    product: line.product,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    agreement: line.agreement,
    lineId: line.id,
  };
}

/** A day as a zone-less midnight date-time, the form Halo's dates come back in (format guessed). */
export function haloDateTime(isoDate: string): string {
  return `${isoDate.slice(0, 10)}T00:00:00`;
}

function accountOf(inv: HaloRecurringInvoice): string {
  return inv.client_id === null || inv.client_id === undefined ? "" : String(inv.client_id);
}
