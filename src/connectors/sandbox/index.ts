import { ConnectionError } from "../errors.ts";
import type {
  Connection,
  ConnectorContext,
  LineTarget,
  NewLine,
  PsaBilling,
  PsaConnector,
  PsaLine,
  SandboxBook,
  SandboxLine,
} from "../types.ts";

// The sandbox PSA: a pretend PSA whose agreements and lines live in Trueup's own database (table
// sandbox_lines), so that the demo shows plan, approve, apply and history without a real PSA, a
// secret or any outbound call. It answers through the same PsaConnector interface as ConnectWise,
// Autotask and HaloPSA, so the sync's read-before-write and exactly-once rules run unchanged. Each
// read and write is recorded as an exchange (method, path, body) like an HTTP PSA's, for the history.
// A quantity written here bills at once: the sandbox has no billing periods.

function bookOf(conn: Connection, ctx: ConnectorContext): SandboxBook {
  if (!ctx.sandbox)
    throw new ConnectionError(
      `connection ${conn.name} is a sandbox PSA: its lines live in the app's database, so it is used from the app (trueup serve) or with --database`,
    );
  return ctx.sandbox;
}

function toPsaLine(l: SandboxLine): PsaLine {
  return {
    id: l.id,
    account: l.account,
    agreement: l.agreement,
    agreementName: l.agreement,
    product: l.product,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    startDate: l.startDate,
    ref: {},
  };
}

async function readAll(conn: Connection, ctx: ConnectorContext, path: string): Promise<PsaLine[]> {
  const started = Date.now();
  const lines = (await bookOf(conn, ctx).lines(conn.name)).map(toPsaLine);
  ctx.exchange({
    method: "GET",
    path,
    status: 200,
    responseBody: { lines: lines.length },
    ms: Date.now() - started,
    attempt: 1,
  });
  return lines;
}

async function readBilling(conn: Connection, ctx: ConnectorContext): Promise<PsaBilling> {
  const lines = await readAll(conn, ctx, "/sandbox/lines");
  const agreements = new Map<string, { id: string; account: string; name: string }>();
  for (const l of lines)
    agreements.set(`${l.account}\u0000${l.agreement}`, {
      id: l.agreement,
      account: l.account,
      name: l.agreement,
    });
  return {
    agreements: [...agreements.values()],
    lines,
    counts: { agreements: agreements.size, lines: lines.length },
  };
}

async function readLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
): Promise<PsaLine | undefined> {
  const lines = await readAll(conn, ctx, `/sandbox/lines/${encodeURIComponent(line.id)}`);
  return lines.find((l) => l.id === line.id);
}

async function findLines(
  conn: Connection,
  ctx: ConnectorContext,
  agreement: string,
  product: string,
): Promise<PsaLine[]> {
  const lines = await readAll(conn, ctx, `/sandbox/lines?agreement=${encodeURIComponent(agreement)}`);
  return lines.filter((l) => l.agreement === agreement && l.product === product);
}

async function writeLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
  _current: PsaLine,
  target: LineTarget,
): Promise<void> {
  const body = {
    quantity: target.quantity,
    ...(target.unitPrice === undefined ? {} : { unitPrice: target.unitPrice }),
  };
  const started = Date.now();
  const found = await bookOf(conn, ctx).update(conn.name, line.id, target.quantity, target.unitPrice);
  const path = `/sandbox/lines/${encodeURIComponent(line.id)}`;
  ctx.exchange({
    method: "PATCH",
    path,
    requestBody: body,
    status: found ? 200 : 404,
    ms: Date.now() - started,
    attempt: 1,
  });
  if (!found) throw new ConnectionError(`connection ${conn.name}: sandbox line ${line.id} is gone`);
}

async function createLine(conn: Connection, ctx: ConnectorContext, line: NewLine): Promise<void> {
  const started = Date.now();
  const row = {
    account: line.account,
    agreement: line.agreement,
    product: line.product,
    description: "",
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    startDate: line.effective.slice(0, 10),
  };
  const id = await bookOf(conn, ctx).insert(conn.name, row);
  ctx.exchange({
    method: "POST",
    path: "/sandbox/lines",
    requestBody: row,
    status: 201,
    responseBody: { id },
    ms: Date.now() - started,
    attempt: 1,
  });
}

export const sandbox: PsaConnector = {
  kind: "sandbox",
  title: "Sandbox PSA (not a real PSA)",
  provides: ["billing"],
  fields: [],
  urlOptional: true,
  async pull(conn, ctx) {
    const billing = await readBilling(conn, ctx);
    const rows = billing.lines.map((l) => ({
      account: l.account,
      product: l.product,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      agreement: l.agreement,
      lineId: l.id,
    }));
    return { rows: { billing: rows }, counts: billing.counts };
  },
  readBilling,
  readLine,
  findLines,
  writeLine,
  createLine,
};
