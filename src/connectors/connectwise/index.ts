import { ConnectionError } from "../errors.ts";
import type {
  Connection,
  ConnectorContext,
  FieldSpec,
  LineTarget,
  NewLine,
  PsaBilling,
  PsaConnector,
  PsaLine,
} from "../types.ts";
import { CwClient } from "./client.ts";
import {
  ACTIVE_AGREEMENTS,
  type AgreementInfo,
  agreementInfo,
  asOfFor,
  type CwAddition,
  type CwAgreement,
  cwDateTime,
  decimalNumber,
  isActiveAddition,
  isActiveAgreement,
  isoDay,
  notCancelledCondition,
  productCondition,
  toBillingRow,
  toPsaAgreement,
  toPsaLine,
} from "./map.ts";

// ConnectWise PSA (Manage): agreements and their additions are Trueup's billing lines. No endpoint
// lists the additions of every agreement, so each active agreement is read in turn.

const fields: readonly FieldSpec[] = [
  { name: "companyId", required: true, help: "ConnectWise company id, as typed at login" },
  { name: "publicKey", secret: true, required: true, help: "API member public key" },
  { name: "privateKey", secret: true, required: true, help: "API member private key" },
  { name: "clientId", secret: true, required: true, help: "clientId from developer.connectwise.com" },
];

/** Checks our own input (decimals, dates); a failure is a ConnectionError naming the connection. */
function valid<T>(conn: Connection, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new ConnectionError(`connection ${conn.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const num = (conn: Connection, text: string, what: string) => valid(conn, () => decimalNumber(text, what));

const additionsPath = (agreement: string) => `/finance/agreements/${encodeURIComponent(agreement)}/additions`;
const additionPath = (agreement: string, id: string) =>
  `${additionsPath(agreement)}/${encodeURIComponent(id)}`;

async function readBilling(conn: Connection, ctx: ConnectorContext, on?: string): Promise<PsaBilling> {
  const cw = new CwClient(conn, ctx);
  const now = on === undefined ? ctx.now() : valid(conn, () => asOfFor(ctx.now(), on));
  const listed = await cw.list<CwAgreement>("/finance/agreements", {
    conditions: ACTIVE_AGREEMENTS,
    label: "agreements",
  });
  const agreements = listed.filter(isActiveAgreement).map(agreementInfo);
  const lines: PsaLine[] = [];
  let read = 0;
  for (const [i, a] of agreements.entries()) {
    const additions = await cw.list<CwAddition>(additionsPath(a.id), {
      conditions: notCancelledCondition(now),
    });
    read += additions.length;
    for (const ad of additions) if (isActiveAddition(ad, now)) lines.push(toPsaLine(a, ad));
    ctx.progress(`additions: agreement ${i + 1} of ${agreements.length}`);
  }
  return {
    agreements: agreements.map(toPsaAgreement),
    lines,
    counts: { agreements: agreements.length, additions: read, lines: lines.length },
  };
}

async function readLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
  effective: string,
): Promise<PsaLine | undefined> {
  const cw = new CwClient(conn, ctx);
  const asOf = valid(conn, () => asOfFor(ctx.now(), effective));
  const found = await cw.find<CwAddition>(additionPath(line.agreement, line.id));
  if (!found || !isActiveAddition(found, asOf)) return undefined;
  const info: AgreementInfo = {
    id: line.agreement,
    account: line.account,
    name: line.agreementName,
    companyIdentifier: line.ref.companyIdentifier ?? "",
  };
  return toPsaLine(info, found);
}

async function findLines(
  conn: Connection,
  ctx: ConnectorContext,
  agreement: string,
  product: string,
  effective: string,
): Promise<PsaLine[]> {
  const cw = new CwClient(conn, ctx);
  const asOf = valid(conn, () => asOfFor(ctx.now(), effective));
  const info = agreementInfo(
    await cw.get<CwAgreement>(`/finance/agreements/${encodeURIComponent(agreement)}`),
  );
  const byProduct = productCondition(product);
  const conditions = [byProduct, notCancelledCondition(asOf)].filter(Boolean).join(" and ");
  const additions = await cw.list<CwAddition>(additionsPath(agreement), { conditions });
  return additions
    .filter((a) => a.product?.identifier === product && isActiveAddition(a, asOf))
    .map((a) => toPsaLine(info, a));
}

/** One PATCH: quantity (and unit price when planned). The effective date of the addition stays as is. */
async function writeLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
  _current: PsaLine,
  target: LineTarget,
): Promise<void> {
  const ops: { op: "replace"; path: string; value: number }[] = [
    { op: "replace", path: "quantity", value: num(conn, target.quantity, "quantity") },
  ];
  if (target.unitPrice !== undefined)
    ops.push({ op: "replace", path: "unitPrice", value: num(conn, target.unitPrice, "unit price") });
  await new CwClient(conn, ctx).send("PATCH", additionPath(line.agreement, line.id), ops);
}

async function createLine(conn: Connection, ctx: ConnectorContext, line: NewLine): Promise<void> {
  const body = {
    product: { identifier: line.product },
    quantity: num(conn, line.quantity, "quantity"),
    unitPrice: num(conn, line.unitPrice, "unit price"),
    billCustomer: "Billable",
    effectiveDate: cwDateTime(new Date(`${valid(conn, () => isoDay(line.effective))}T00:00:00Z`)),
  };
  await new CwClient(conn, ctx).send("POST", additionsPath(line.agreement), body);
}

export const connectwise: PsaConnector = {
  kind: "connectwise",
  title: "ConnectWise PSA",
  provides: ["billing"],
  fields,
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
