import { compareFindings, compareText, type Finding, totalOf } from "./findings.ts";
import { formatMoney, type Money, ZERO } from "./money.ts";

// The report of spec 6, and its one JSON form (report.schema.json).

export interface Line {
  subject: string;
  required: number | null;
  billed: number | null;
  purchased: number | null;
  deployed: number | null;
  price: Money | null;
}

export interface ClientReport {
  id: string;
  name: string;
  counts: { billableUsers: number; currentDevices: number; staleDevices: number };
  lines: Line[];
  findings: Finding[];
}

export interface Totals {
  underBilled: Money;
  overBilled: Money;
  licenceWaste: Money;
  licenceShortfall: Money;
  /** The money on rows nobody reconciles (unmapped accounts, SKUs, products). */
  unmapped: Money;
  coverageGaps: number;
  findings: number;
}

export interface Report {
  asOf: string;
  currency: string;
  totals: Totals;
  clients: ClientReport[];
}

export const UNMAPPED_CLIENT = "_unmapped";

export function buildReport(asOf: string, currency: string, clients: ClientReport[]): Report {
  for (const c of clients) {
    c.findings.sort(compareFindings);
    c.lines.sort((a, b) => compareText(a.subject, b.subject));
  }
  clients.sort((a, b) => compareText(a.id, b.id));
  return { asOf, currency, totals: totals(clients), clients };
}

export function totals(clients: readonly ClientReport[]): Totals {
  const t: Totals = {
    underBilled: ZERO,
    overBilled: ZERO,
    licenceWaste: ZERO,
    licenceShortfall: ZERO,
    unmapped: ZERO,
    coverageGaps: 0,
    findings: 0,
  };
  for (const c of clients) {
    for (const f of c.findings) {
      t.findings += 1;
      if (f.type === "COVERAGE_GAP") t.coverageGaps += f.evidence.length;
      const key = totalOf(f);
      if (key) t[key] = t[key].plus(f.monthlyImpact);
    }
  }
  return t;
}

/** Monthly impact of a client's findings on billing and licences, for ranking clients. */
export function clientImpact(c: ClientReport): Money {
  let total = ZERO;
  for (const f of c.findings) total = total.plus(f.monthlyImpact);
  return total;
}

/** The report as plain JSON values, keys in the order of the spec's example. */
export function reportToJson(r: Report): unknown {
  return { ...headJson(r), clients: r.clients.map(clientJson) };
}

function headJson(r: Report) {
  return {
    asOf: r.asOf,
    currency: r.currency,
    totals: {
      underBilled: formatMoney(r.totals.underBilled),
      overBilled: formatMoney(r.totals.overBilled),
      licenceWaste: formatMoney(r.totals.licenceWaste),
      licenceShortfall: formatMoney(r.totals.licenceShortfall),
      unmapped: formatMoney(r.totals.unmapped),
      coverageGaps: r.totals.coverageGaps,
      findings: r.totals.findings,
    },
  };
}

function clientJson(c: ClientReport) {
  return {
    id: c.id,
    name: c.name,
    counts: c.counts,
    lines: c.lines.map((l) => ({
      subject: l.subject,
      required: l.required,
      billed: l.billed,
      purchased: l.purchased,
      deployed: l.deployed,
      price: l.price === null ? null : formatMoney(l.price),
    })),
    findings: c.findings.map((f) => ({
      type: f.type,
      subject: f.subject,
      expected: f.expected,
      actual: f.actual,
      monthlyImpact: formatMoney(f.monthlyImpact),
      evidence: f.evidence,
      ...(f.reducibleOn === undefined ? {} : { reducibleOn: f.reducibleOn }),
    })),
  };
}

/** A client's JSON is stringified inside this wrapper, which puts it at its depth in the report. */
const CLIENT_OPEN = '{\n  "clients": [\n';
const CLIENT_CLOSE = "\n  ]\n}";

/**
 * The text of reportToJsonText a client at a time: the same bytes, but no object of the whole
 * report's JSON and no single string of it (tens of MB for thousands of clients) is ever built.
 * Each client is stringified as the only element of `{ clients: [...] }`, so that JSON.stringify
 * indents it as it stands in the whole report; the wrapper's own text is cut off.
 */
export function* reportToJsonPieces(r: Report): Generator<string> {
  const head = JSON.stringify({ ...headJson(r), clients: [] }, null, 2);
  if (r.clients.length === 0) {
    yield `${head}\n`;
    return;
  }
  // The head ends in `"clients": []` and the object's closing brace.
  yield `${head.slice(0, head.length - "[]\n}".length)}[`;
  for (let i = 0; i < r.clients.length; i++) {
    const text = JSON.stringify({ clients: [clientJson(r.clients[i] as ClientReport)] }, null, 2);
    yield `${i === 0 ? "\n" : ",\n"}${text.slice(CLIENT_OPEN.length, text.length - CLIENT_CLOSE.length)}`;
  }
  yield "\n  ]\n}\n";
}

export function reportToJsonText(r: Report): string {
  return [...reportToJsonPieces(r)].join("");
}
