import { ConnectionError } from "../errors.ts";
import type {
  Connection,
  ConnectorContext,
  LineTarget,
  NewLine,
  PsaBilling,
  PsaConnector,
  PsaLine,
} from "../types.ts";
import { haloClient } from "./client.ts";
import {
  type ActiveWindow,
  activeLines,
  haloDateTime,
  isActiveInvoice,
  jsonNumber,
  toAgreement,
  toBillingRow,
} from "./map.ts";

// HaloPSA as a PSA: recurring invoices are the agreements, their lines the billing lines. The
// product of a line is its Halo `item_code`, so a client's psaProduct mapping must name Halo item
// codes. Quantities are absolute (`qty_order`): a write sets the new total, and Halo bills it from
// the next invoice it generates; the effective date only matters for new lines (their startdate).

async function readBilling(conn: Connection, ctx: ConnectorContext, on?: string): Promise<PsaBilling> {
  const invoices = await haloClient(conn, ctx).recurringInvoices();
  const today = isoDay(ctx.now());
  const day = on === undefined || on.slice(0, 10) < today ? today : on.slice(0, 10);
  const active = invoices.filter((inv) => isActiveInvoice(inv, today));
  const lines = active.flatMap((inv) => activeLines(inv, { from: today, to: day }));
  return {
    agreements: active.map(toAgreement),
    lines,
    counts: {
      recurringInvoices: invoices.length,
      activeRecurringInvoices: active.length,
      lines: lines.length,
    },
  };
}

/**
 * Lines of one recurring invoice that are live for a change effective on `effective`: not ended
 * before today and started by the effective date (a line created for next month counts already, so
 * creating it again is never needed).
 */
async function liveLines(conn: Connection, ctx: ConnectorContext, agreement: string, effective: string) {
  const inv = await haloClient(conn, ctx).recurringInvoice(agreement);
  if (!inv) return [];
  const today = isoDay(ctx.now());
  const day = effective.slice(0, 10);
  const window: ActiveWindow = { from: today, to: day.localeCompare(today) > 0 ? day : today };
  return activeLines(inv, window);
}

async function readLine(conn: Connection, ctx: ConnectorContext, line: PsaLine, effective: string) {
  const lines = await liveLines(conn, ctx, line.ref.ihid ?? line.agreement, effective);
  return lines.find((l) => l.id === line.id);
}

async function findLines(
  conn: Connection,
  ctx: ConnectorContext,
  agreement: string,
  product: string,
  effective: string,
): Promise<PsaLine[]> {
  const lines = await liveLines(conn, ctx, agreement, effective);
  return lines.filter((l) => l.product === product);
}

async function writeLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
  _current: PsaLine,
  target: LineTarget,
): Promise<void> {
  const entry: Record<string, unknown> = {
    id: haloId(conn, "line", line.id),
    ihid: haloId(conn, "recurring invoice", line.ref.ihid ?? line.agreement),
    qty_order: amount(conn, target.quantity, "quantity"),
  };
  if (target.unitPrice !== undefined) entry.unit_price = amount(conn, target.unitPrice, "unit price");
  await haloClient(conn, ctx).updateLines([entry]);
}

async function createLine(conn: Connection, ctx: ConnectorContext, line: NewLine): Promise<void> {
  if (!line.product) throw new ConnectionError(`connection ${conn.name}: a new line needs a Halo item code`);
  await haloClient(conn, ctx).updateLines([
    {
      ihid: haloId(conn, "recurring invoice", line.agreement),
      item_code: line.product,
      qty_order: amount(conn, line.quantity, "quantity"),
      unit_price: amount(conn, line.unitPrice, "unit price"),
      startdate: haloDateTime(line.effective),
    },
  ]);
}

export const halopsa: PsaConnector = {
  kind: "halopsa",
  title: "HaloPSA",
  provides: ["billing"],
  fields: [
    {
      name: "tenant",
      help: "Tenant name of a Halo-hosted instance (Configuration > Integrations > Halo API > API Details); leave empty on premise",
    },
    {
      name: "authUrl",
      help: "Authorisation server when it is not {url}/auth (shown in Halo's API Details)",
    },
    {
      name: "clientId",
      secret: true,
      required: true,
      help: "Client ID of a Halo API application using Client ID and Secret (Services), scope all",
    },
    {
      name: "clientSecret",
      secret: true,
      required: true,
      help: "Client secret of that Halo API application",
    },
  ],
  async pull(conn, ctx) {
    const billing = await readBilling(conn, ctx);
    return { rows: { billing: billing.lines.map(toBillingRow) }, counts: billing.counts };
  },
  readBilling,
  readLine,
  findLines,
  writeLine,
  createLine,
};

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function haloId(conn: Connection, what: string, id: string): number {
  if (!/^\d+$/.test(id))
    throw new ConnectionError(`connection ${conn.name}: ${what} id ${id} is not a Halo id`);
  return Number(id);
}

function amount(conn: Connection, value: string, field: string): number {
  try {
    return jsonNumber(value, field);
  } catch (e) {
    throw new ConnectionError(`connection ${conn.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
