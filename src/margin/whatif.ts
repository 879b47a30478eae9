import type { PsaBilling, PsaLine } from "../connectors/types.ts";
import { idList } from "../core/accounts.ts";
import { formatPrice, type Money, money } from "../core/money.ts";
import { reconcile } from "../core/reconcile.ts";
import type { BillingRow, ReconcileInput } from "../core/types.ts";
import { type Change, planSync } from "../sync/plan.ts";
import { type Figures, figures, margin } from "./margin.ts";

// What-if (issue 15 item 2, docs/margin.md): the same rows under the catalogue as it stands and as
// changed. The PSA lines the change touches are found with the sync plan: a line changes when the
// plan under the changed catalogue would write it differently from the plan under the current one;
// it then moves by the difference between the two plans (a quantity by the difference of their
// quantities, a price to the changed plan's price). Every other line stays as it is billed today, so
// that the difference is the change's alone, not the fixing of what is already wrong.

export interface LineChange {
  client: string;
  clientName: string;
  subject: string;
  product: string;
  /** The PSA line (its source row, data/psa.csv:3); none for a line the change creates. */
  line: string | null;
  from: { quantity: number; unitPrice: Money };
  to: { quantity: number; unitPrice: Money };
  /** (to - from) revenue a month. */
  monthly: Money;
}

export interface ClientWhatIf {
  id: string;
  name: string;
  before: Figures;
  after: Figures;
}

export interface WhatIf {
  currency: string;
  clients: ClientWhatIf[];
  total: { before: Figures; after: Figures };
  lines: LineChange[];
}

export function whatIf(before: ReconcileInput, after: ReconcileInput): WhatIf {
  const lines = changedLines(before, after);
  const billing = billingAfter(before, after, lines);
  const m0 = margin(before);
  const m1 = margin({ ...after, billing });
  const clients = m0.clients.map((c) => {
    const a = m1.clients.find((x) => x.id === c.id);
    return { id: c.id, name: c.name, before: pick(c), after: a ? pick(a) : figures(c.revenue, c.cost) };
  });
  for (const a of m1.clients)
    if (!clients.some((c) => c.id === a.id))
      clients.push({ id: a.id, name: a.name, before: zero(), after: pick(a) });
  return { currency: before.currency, clients, total: { before: pick(m0), after: pick(m1) }, lines };
}

/** The same rows under another catalogue, clients and rules (a what-if's configuration). */
export function inputWith(
  input: ReconcileInput,
  config: Pick<ReconcileInput, "rules" | "services" | "bundles" | "clients">,
): ReconcileInput {
  const { rules, services, bundles } = config;
  // Every client the rows belong to stays (a catalogue saved after the rows were read may lack one).
  const kept = input.clients.filter((c) => !config.clients.some((x) => x.id === c.id));
  return { ...input, rules, services, bundles, clients: [...config.clients, ...kept] };
}

const pick = (f: Figures): Figures => figures(f.revenue, f.cost);
const zero = (): Figures => figures(money("0"), money("0"));

/** The workspace's PSA rows as the sync plan reads a PSA's lines: one line per row, its ref the id. */
function psaBilling(input: ReconcileInput): PsaBilling {
  const lines: PsaLine[] = [];
  const agreements = new Map<string, { id: string; account: string; name: string }>();
  for (const row of input.billing) {
    if (!("client" in row.owner)) continue;
    const id = row.owner.client;
    const account = idList(input.clients.find((c) => c.id === id)?.ids.psa)[0];
    if (account === undefined) continue;
    agreements.set(`${account}\u0000${row.agreement}`, { id: row.agreement, account, name: row.agreement });
    lines.push({
      id: row.ref,
      account,
      agreement: row.agreement,
      agreementName: row.agreement,
      product: row.product,
      quantity: String(row.quantity),
      unitPrice: formatPrice(row.unitPrice),
      ref: {},
    });
  }
  return { agreements: [...agreements.values()], lines, counts: {} };
}

function planOf(input: ReconcileInput, billing: PsaBilling): Map<string, Change> {
  const plan = planSync({
    report: reconcile(input),
    clients: input.clients,
    services: input.services,
    bundles: input.bundles,
    billing,
    effective: input.asOf,
    includePrices: true,
  });
  // A set change by its line; a new line by client and product.
  return new Map(plan.changes.map((c) => [c.line?.id ?? `${c.client}\u0000${c.product.toLowerCase()}`, c]));
}

function target(c: Change | undefined, line: PsaLine | undefined): { quantity: number; unitPrice: Money } {
  if (!c) return { quantity: Number(line?.quantity ?? 0), unitPrice: money(line?.unitPrice ?? "0") };
  return { quantity: Number(c.to), unitPrice: money(c.toPrice ?? (c.line ? c.line.unitPrice : c.unitPrice)) };
}

function changedLines(before: ReconcileInput, after: ReconcileInput): LineChange[] {
  const billing = psaBilling(before);
  const p0 = planOf(before, billing);
  const p1 = planOf({ ...after, billing: before.billing }, billing);
  const out: LineChange[] = [];
  const keys = new Set([
    ...billing.lines.map((l) => l.id),
    ...[...p1.keys()].filter((k) => !p1.get(k)?.line),
  ]);
  for (const key of keys) {
    const line = billing.lines.find((l) => l.id === key);
    const c1 = p1.get(key);
    const t0 = target(p0.get(key), line);
    const t1 = target(c1, line);
    if (t0.quantity === t1.quantity && t0.unitPrice.equals(t1.unitPrice)) continue;
    const c = c1 ?? p0.get(key);
    if (!c) continue;
    // Only what the change moves: the plans' difference on the line as it is billed today.
    const from = target(undefined, line);
    const to = {
      quantity: from.quantity + t1.quantity - t0.quantity,
      unitPrice: t0.unitPrice.equals(t1.unitPrice) ? from.unitPrice : t1.unitPrice,
    };
    const monthly = to.unitPrice.times(to.quantity).minus(from.unitPrice.times(from.quantity));
    out.push({
      client: c.client,
      clientName: c.clientName,
      subject: c.subject,
      product: line?.product ?? c.product,
      line: line?.id ?? null,
      from,
      to,
      monthly,
    });
  }
  return out.sort((a, b) => a.client.localeCompare(b.client) || a.product.localeCompare(b.product));
}

/** The PSA rows as they would bill after the change: changed lines take their new figures, new ones join. */
function billingAfter(
  before: ReconcileInput,
  after: ReconcileInput,
  lines: readonly LineChange[],
): BillingRow[] {
  const byRef = new Map(lines.filter((l) => l.line !== null).map((l) => [l.line, l]));
  const rows = before.billing.map((r) => {
    const l = byRef.get(r.ref);
    return l ? { ...r, quantity: l.to.quantity, unitPrice: l.to.unitPrice } : r;
  });
  for (const l of lines.filter((x) => x.line === null)) {
    const client = after.clients.find((c) => c.id === l.client);
    const agreement = before.billing.find(
      (r) => "client" in r.owner && r.owner.client === l.client,
    )?.agreement;
    rows.push({
      ref: `new ${l.product} line`,
      owner: { client: client?.id ?? l.client },
      product: l.product,
      quantity: l.to.quantity,
      unitPrice: l.to.unitPrice,
      agreement: agreement ?? "",
    });
  }
  return rows;
}
