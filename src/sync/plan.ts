import { Decimal as DecimalJs } from "decimal.js";
import type { PsaAgreement, PsaBilling, PsaLine } from "../connectors/types.ts";
import { idList } from "../core/accounts.ts";
import { formatMoney, formatPrice } from "../core/money.ts";
import type { Bundle, Client, Service } from "../core/types.ts";
import { findingFigures, findingKey } from "../store/findings.ts";

// The plan: from a reconciliation and the PSA's lines as they stand, the changes that make the PSA
// bill what Trueup derived. Pure: the same report and lines give the same plan. People's decisions
// on the findings drive it: a dismissed finding (figures unchanged) proposes no change and is listed
// as left as agreed; an accepted one pre-approves the changes that fix it.

export type ChangeAction = "set" | "create" | "choose";

export interface Change {
  /** 1, 2, ... in plan order (client, product, line). */
  seq: number;
  action: ChangeAction;
  client: string;
  clientName: string;
  account: string;
  subject: string;
  product: string;
  /** set: the line's agreement; create: where it goes; choose: unset (see candidates). */
  agreement?: string;
  agreementName?: string;
  /** set only: the line written, as read when planning. */
  line?: PsaLine;
  /** Quantities as decimal text; create starts from 0. */
  from: string;
  to: string;
  /** Set when the price changes too (--include-prices). */
  fromPrice?: string;
  toPrice?: string;
  /** The contracted unit price the impact is counted at. */
  unitPrice: string;
  /** (to - from) x contracted price, plus any price change x the new quantity; signed. */
  monthlyImpact: string;
  why: string;
  /** choose: the client's agreements a person picks from. */
  candidates?: PsaAgreement[];
  /** Set when every finding the change fixes was accepted: the plan saves it approved. */
  preApproved?: { by: string };
}

/** A change the plan did not propose because a person dismissed its finding. */
export interface LeftAsAgreed {
  client: string;
  clientName: string;
  account: string;
  type: string;
  subject: string;
  product: string;
  /** PRICE_MISMATCH: the PSA line whose price stays. */
  lineId?: string;
  expected: number | string | null;
  actual: number | string | null;
  /** The finding's monthly impact: what stays as it is each month. */
  monthlyImpact: string;
  reason: string;
  decidedBy: string;
  until?: string;
}

/** A person's decision on a finding, as stored (store.decisions()). */
export interface PlanDecision {
  key: string;
  status: "accepted" | "dismissed";
  reason?: string;
  /** expected|actual|monthlyImpact of the finding it was taken on: it holds while they are the same. */
  figures: string;
  decidedBy: string;
  until?: string;
}

/** What the plan reads of a report: the core's Report, or its JSON form as a run stores it. */
export interface PlanReport {
  clients: {
    id: string;
    lines: { subject: string; required: number | null; billed: number | null; price: unknown }[];
    findings: PlanFinding[];
  }[];
}

interface PlanFinding {
  type: string;
  subject: string;
  expected: number | string | null;
  actual: number | string | null;
  /** The report's JSON gives "110.00"; the decisions compare it as written. */
  monthlyImpact?: unknown;
}

export interface PlanInput {
  report: PlanReport;
  clients: readonly Client[];
  services: readonly Service[];
  bundles: readonly Bundle[];
  billing: PsaBilling;
  /** ISO date from which the new quantities bill. */
  effective: string;
  includePrices: boolean;
  /** The decisions that hold (expired dismissals left out); none: every difference is proposed. */
  decisions?: readonly PlanDecision[];
}

export interface Plan {
  effective: string;
  includePrices: boolean;
  changes: Change[];
  /** Sum of the changes' monthly impact. */
  monthlyImpact: string;
  /** Differences a person dismissed: no change is proposed for them. */
  leftAsAgreed: LeftAsAgreed[];
}

// Exact decimal with the precision and rounding money uses everywhere.
const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
type Decimal = DecimalJs;

const BILLING_TYPES = new Set(["UNDER_BILLED", "OVER_BILLED", "TRACKING_DRIFT"]);

/** The decision that holds for a finding: taken on its key, with the same figures. */
type DecisionOf = (client: string, f: PlanFinding) => PlanDecision | undefined;

function decisionLookup(decisions: readonly PlanDecision[]): DecisionOf {
  const byKey = new Map<string, PlanDecision>(decisions.map((d) => [d.key, d]));
  return (client, f) => {
    const d = byKey.get(findingKey(client, f.type, f.subject));
    const impact = f.monthlyImpact === undefined ? "" : String(f.monthlyImpact);
    return d && d.figures === findingFigures(f.expected, f.actual, impact) ? d : undefined;
  };
}

function leftAsAgreed(
  client: Client,
  account: string,
  product: string,
  f: PlanFinding,
  d: PlanDecision,
  lineId?: string,
): LeftAsAgreed {
  const left: LeftAsAgreed = {
    client: client.id,
    clientName: client.name,
    account,
    type: f.type,
    subject: f.subject,
    product,
    expected: f.expected,
    actual: f.actual,
    monthlyImpact: f.monthlyImpact === undefined ? "0.00" : String(f.monthlyImpact),
    reason: d.reason ?? "",
    decidedBy: d.decidedBy,
  };
  if (lineId !== undefined) left.lineId = lineId;
  if (d.until !== undefined) left.until = d.until;
  return left;
}

export function planSync(input: PlanInput): Plan {
  const products = productsBySubject(input.services, input.bundles);
  const decisionOf = decisionLookup(input.decisions ?? []);
  const changes: Change[] = [];
  const left: LeftAsAgreed[] = [];
  for (const report of input.report.clients) {
    const client = input.clients.find((c) => c.id === report.id);
    // A client billed under several PSA companies: its lines under any of them; new lines under the first.
    const accounts = idList(client?.ids.psa);
    const account = accounts[0];
    if (!client || account === undefined) continue;
    const lines = input.billing.lines.filter((l) => accounts.some((a) => same(l.account, a)));
    const byLine = new Map<string, Change>();
    for (const f of report.findings) {
      if (!BILLING_TYPES.has(f.type)) continue;
      const product = products.get(f.subject);
      if (!product) continue;
      const decision = decisionOf(client.id, f);
      if (decision?.status === "dismissed") {
        left.push(leftAsAgreed(client, account, product, f, decision));
        continue;
      }
      const price = priceOf(report.lines.find((l) => l.subject === f.subject)?.price);
      const ctx = {
        client,
        account,
        product,
        price,
        finding: f,
        agreements: input.billing.agreements,
        lines,
      };
      for (const c of quantityChanges(ctx)) {
        if (decision?.status === "accepted") c.preApproved = { by: decision.decidedBy };
        add(changes, byLine, c);
      }
    }
    if (input.includePrices) {
      for (const c of priceChanges(report.lines, products, lines, client, account)) {
        const f = priceFinding(report.findings, c);
        const decision = f && decisionOf(client.id, f);
        if (f && decision?.status === "dismissed") {
          left.push(leftAsAgreed(client, account, c.product, f, decision, c.line?.id));
          continue;
        }
        if (decision?.status === "accepted") c.preApproved = { by: decision.decidedBy };
        add(changes, byLine, c);
      }
    }
  }
  left.sort(
    (a, b) =>
      a.client.localeCompare(b.client) ||
      a.product.localeCompare(b.product) ||
      a.type.localeCompare(b.type) ||
      (a.lineId ?? "").localeCompare(b.lineId ?? "", "en", { numeric: true }),
  );
  changes.sort(compareChanges);
  changes.forEach((c, i) => {
    c.seq = i + 1;
  });
  const total = changes.reduce((t, c) => t.plus(c.monthlyImpact), new Decimal(0));
  return {
    effective: input.effective,
    includePrices: input.includePrices,
    changes,
    monthlyImpact: formatMoney(total),
    leftAsAgreed: left,
  };
}

/** The PRICE_MISMATCH finding of a price change: its subject, and the line's price as the PSA's. */
function priceFinding(findings: readonly PlanFinding[], c: Change): PlanFinding | undefined {
  const from = new Decimal(c.fromPrice ?? c.unitPrice);
  return findings.find(
    (f) =>
      f.type === "PRICE_MISMATCH" &&
      f.subject === c.subject &&
      f.actual !== null &&
      new Decimal(String(f.actual)).equals(from),
  );
}

/** A price change on a line that also changes quantity becomes one change of both. */
function add(changes: Change[], byLine: Map<string, Change>, c: Change): void {
  const key = c.line?.id;
  const prior = key === undefined ? undefined : byLine.get(key);
  if (!prior) {
    changes.push(c);
    if (key !== undefined) byLine.set(key, c);
    return;
  }
  // One write of both: it is pre-approved only when everything it writes was accepted.
  if (!c.preApproved) delete prior.preApproved;
  if (c.toPrice !== undefined) {
    prior.fromPrice = c.fromPrice;
    prior.toPrice = c.toPrice;
    prior.why = `${prior.why}; ${c.why}`;
    const priceDelta = new Decimal(c.toPrice).minus(c.fromPrice ?? c.toPrice).times(prior.to);
    prior.monthlyImpact = formatMoney(new Decimal(prior.monthlyImpact).plus(priceDelta));
  }
}

interface SubjectCtx {
  client: Client;
  account: string;
  product: string;
  price: Decimal | null;
  finding: PlanFinding;
  agreements: readonly PsaAgreement[];
  lines: readonly PsaLine[];
}

/**
 * UNDER/OVER_BILLED and TRACKING_DRIFT: the newest active line of the product takes the difference;
 * when it cannot go below zero, the next newest takes the rest. No line: one is created.
 */
function quantityChanges(s: SubjectCtx): Change[] {
  const required = new Decimal(String(s.finding.expected ?? 0));
  const mine = s.lines.filter((l) => same(l.product, s.product)).sort(newestFirst);
  const billed = mine.reduce((t, l) => t.plus(l.quantity), new Decimal(0));
  let diff = required.minus(billed);
  if (diff.isZero()) return [];
  if (mine.length === 0) return [createChange(s, required)];
  const out: Change[] = [];
  for (const [i, line] of mine.entries()) {
    const from = new Decimal(line.quantity);
    const last = i === mine.length - 1;
    const to = diff.isPositive() || last ? from.plus(diff) : Decimal.max(0, from.plus(diff));
    if (!to.equals(from)) out.push(setChange(s, line, from, to));
    diff = diff.minus(to.minus(from));
    if (diff.isZero()) break;
  }
  return out;
}

function setChange(s: SubjectCtx, line: PsaLine, from: Decimal, to: Decimal): Change {
  const price =
    s.finding.type === "TRACKING_DRIFT" ? new Decimal(0) : (s.price ?? new Decimal(line.unitPrice));
  return {
    seq: 0,
    action: "set",
    client: s.client.id,
    clientName: s.client.name,
    account: s.account,
    subject: s.finding.subject,
    product: line.product,
    agreement: line.agreement,
    agreementName: line.agreementName,
    line,
    from: from.toString(),
    to: to.toString(),
    unitPrice: formatPrice(price),
    monthlyImpact: formatMoney(to.minus(from).times(price)),
    why: why(s.finding),
  };
}

function createChange(s: SubjectCtx, required: Decimal): Change {
  const price = s.finding.type === "TRACKING_DRIFT" ? new Decimal(0) : (s.price ?? new Decimal(0));
  const where = agreementFor(s);
  return {
    seq: 0,
    action: where.agreement ? "create" : "choose",
    client: s.client.id,
    clientName: s.client.name,
    account: s.account,
    subject: s.finding.subject,
    product: s.product,
    agreement: where.agreement?.id,
    agreementName: where.agreement?.name,
    from: "0",
    to: required.toString(),
    unitPrice: formatPrice(price),
    monthlyImpact: formatMoney(required.times(price)),
    why: where.agreement ? `${why(s.finding)}; no ${s.product} line yet` : `${why(s.finding)}; ${where.why}`,
    candidates: where.agreement ? undefined : where.candidates,
  };
}

/** The agreement holding the client's other lines; when not exactly one, a person chooses. */
function agreementFor(s: SubjectCtx): { agreement?: PsaAgreement; candidates: PsaAgreement[]; why: string } {
  const mine = s.agreements.filter((a) => same(a.account, s.account));
  const holding = mine.filter((a) => s.lines.some((l) => l.agreement === a.id));
  if (holding.length === 1) return { agreement: holding[0], candidates: holding, why: "" };
  if (holding.length === 0 && mine.length === 1) return { agreement: mine[0], candidates: mine, why: "" };
  const why =
    mine.length === 0
      ? "the client has no active agreement in the PSA: create one, then plan again"
      : `the client's lines are in ${holding.length || mine.length} agreements: choose one`;
  return { candidates: holding.length > 0 ? holding : mine, why };
}

function priceOf(v: unknown): Decimal | null {
  return v === null || v === undefined ? null : new Decimal(String(v));
}

function priceChanges(
  reportLines: PlanReport["clients"][number]["lines"],
  products: Map<string, string>,
  lines: readonly PsaLine[],
  client: Client,
  account: string,
): Change[] {
  const out: Change[] = [];
  for (const rl of reportLines) {
    const product = products.get(rl.subject);
    const price = priceOf(rl.price);
    if (!product || price === null || rl.billed === null || rl.required === null) continue;
    for (const line of lines.filter((l) => same(l.product, product))) {
      const from = new Decimal(line.unitPrice);
      if (from.equals(price)) continue;
      const qty = new Decimal(line.quantity);
      out.push({
        seq: 0,
        action: "set",
        client: client.id,
        clientName: client.name,
        account,
        subject: rl.subject,
        product: line.product,
        agreement: line.agreement,
        agreementName: line.agreementName,
        line,
        from: line.quantity,
        to: line.quantity,
        fromPrice: formatPrice(from),
        toPrice: formatPrice(price),
        unitPrice: formatPrice(price),
        monthlyImpact: formatMoney(price.minus(from).times(qty)),
        why: `PRICE_MISMATCH: ${formatPrice(from)} billed, ${formatPrice(price)} contracted`,
      });
    }
  }
  return out;
}

function why(f: PlanFinding): string {
  const verb = f.type === "TRACKING_DRIFT" ? "tracked" : "billed";
  return `${f.type}: ${f.expected} required, ${f.actual} ${verb}`;
}

/** bundle:<id> / service:<id> -> the PSA product it is billed or tracked under. */
function productsBySubject(services: readonly Service[], bundles: readonly Bundle[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of services) if (s.psaProduct) m.set(`service:${s.id}`, s.psaProduct);
  for (const b of bundles) if (b.psaProduct) m.set(`bundle:${b.id}`, b.psaProduct);
  return m;
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function newestFirst(a: PsaLine, b: PsaLine): number {
  const d = (b.startDate ?? "").localeCompare(a.startDate ?? "");
  return d !== 0 ? d : b.id.localeCompare(a.id, "en", { numeric: true });
}

function compareChanges(a: Change, b: Change): number {
  return (
    a.client.localeCompare(b.client) ||
    a.product.localeCompare(b.product) ||
    (a.line?.id ?? "").localeCompare(b.line?.id ?? "", "en", { numeric: true })
  );
}

/** The first day of the month after `today` (ISO dates). */
export function nextMonth(today: string): string {
  const [y, m] = today.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}
