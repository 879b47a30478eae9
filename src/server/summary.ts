import { type Finding, type FindingType, type TotalKey, totalOf } from "../core/findings.ts";
import { formatMoney, type Money, money, ZERO } from "../core/money.ts";
import type { JsonFinding, JsonLine } from "../core/report-json.ts";

// What the dashboard and the client list show, summed from one run's report (spec 6 JSON) with
// exact decimals. A run is never rewritten, so a summary is computed once per run.

/** A finding and a line of the report's JSON (spec 6). */
export type ReportFinding = JsonFinding;
export type ReportLine = JsonLine;

export interface ReportClient {
  id: string;
  name: string;
  counts: { billableUsers: number; currentDevices: number; staleDevices: number };
  lines: ReportLine[];
  findings: ReportFinding[];
}

export interface ReportJson {
  asOf: string;
  currency: string;
  totals: Record<string, string | number>;
  clients: ReportClient[];
}

type MoneyTotals = Record<TotalKey, string>;

/** What people dismissed: left out of the open totals, shown as its own figure. */
export interface Dismissed {
  impact: string;
  findings: number;
}

/** Of a billing total: what is billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH). */
export interface Split {
  quantity: string;
  price: string;
}

/** The figures behind the totals: their quantity / price split, and the net a month and a year. */
export interface Figures {
  split: { underBilled: Split; overBilled: Split };
  /** under-billed + licence waste − over-billed − licence shortfall: the margin fixing every finding gains a month. */
  net: string;
  /** `net` times 12. */
  annual: string;
}

export interface ClientRow extends MoneyTotals, Figures {
  id: string;
  name: string;
  counts: ReportClient["counts"];
  impact: string;
  findings: number;
  coverageGaps: number;
  dismissed: Dismissed;
}

export interface RunSummary {
  totals: MoneyTotals & Figures & { coverageGaps: number; findings: number; dismissed: Dismissed };
  /** Ranked by impact, largest first. */
  clients: ClientRow[];
  byType: { type: string; count: number; impact: string }[];
}

const TOTAL_KEYS: TotalKey[] = ["underBilled", "overBilled", "licenceWaste", "licenceShortfall", "unmapped"];

/** The price part of under- and over-billed: PRICE_MISMATCH findings. */
type PriceKey = "underBilled.price" | "overBilled.price";

function priceKey(f: ReportFinding, key: TotalKey | undefined): PriceKey | undefined {
  if (f.type !== "PRICE_MISMATCH") return undefined;
  return key === "underBilled" || key === "overBilled" ? `${key}.price` : undefined;
}

/** The split and net of a row's totals (`price`: the PRICE_MISMATCH part of each). */
function figuresOf(totals: MoneyTotals, price: (k: PriceKey) => Money): Figures {
  const m = (k: TotalKey) => money(totals[k]);
  const split = (k: "underBilled" | "overBilled"): Split => {
    const p = price(`${k}.price`);
    return { quantity: formatMoney(m(k).minus(p)), price: formatMoney(p) };
  };
  const net = m("underBilled").plus(m("licenceWaste")).minus(m("overBilled")).minus(m("licenceShortfall"));
  return {
    split: { underBilled: split("underBilled"), overBilled: split("overBilled") },
    net: formatMoney(net),
    annual: formatMoney(net.times(12)),
  };
}

class Sums {
  readonly money = new Map<TotalKey | PriceKey, Money>(TOTAL_KEYS.map((k) => [k, ZERO]));
  impact: Money = ZERO;
  findings = 0;
  coverageGaps = 0;

  add(f: ReportFinding, impact: Money): void {
    const key = totalOf(asCoreFinding(f, impact));
    if (key) this.money.set(key, (this.money.get(key) ?? ZERO).plus(impact));
    const price = priceKey(f, key);
    if (price) this.money.set(price, (this.money.get(price) ?? ZERO).plus(impact));
    this.impact = this.impact.plus(impact);
    this.findings += 1;
    if (f.type === "COVERAGE_GAP") this.coverageGaps += f.evidence.length;
  }

  merge(other: Sums): void {
    for (const k of other.money.keys())
      this.money.set(k, (this.money.get(k) ?? ZERO).plus(other.money.get(k) ?? ZERO));
    this.impact = this.impact.plus(other.impact);
    this.findings += other.findings;
    this.coverageGaps += other.coverageGaps;
  }

  formatted(): MoneyTotals & Figures {
    const out = {} as MoneyTotals;
    for (const k of TOTAL_KEYS) out[k] = formatMoney(this.money.get(k) ?? ZERO);
    return { ...out, ...figuresOf(out, (k) => this.money.get(k) ?? ZERO) };
  }
}

/** The core decides which total a finding counts towards; the JSON keeps PRICE_MISMATCH's prices. */
function asCoreFinding(f: ReportFinding, impact: Money): Finding {
  const psaPriceLower =
    f.type === "PRICE_MISMATCH" && typeof f.expected === "string" && typeof f.actual === "string"
      ? money(f.actual).lessThan(money(f.expected))
      : undefined;
  return { ...f, type: f.type as FindingType, monthlyImpact: impact, psaPriceLower };
}

type ByType = Map<string, { count: number; impact: Money }>;

function clientSums(c: ReportClient, types: ByType): Sums {
  const sums = new Sums();
  for (const f of c.findings) {
    const impact = money(f.monthlyImpact);
    sums.add(f, impact);
    const t = types.get(f.type) ?? { count: 0, impact: ZERO };
    types.set(f.type, { count: t.count + 1, impact: t.impact.plus(impact) });
  }
  return sums;
}

function clientRow(c: ReportClient, sums: Sums): ClientRow {
  return {
    id: c.id,
    name: c.name,
    counts: c.counts,
    ...sums.formatted(),
    impact: formatMoney(sums.impact),
    findings: sums.findings,
    coverageGaps: sums.coverageGaps,
    dismissed: NONE,
  };
}

const NONE: Dismissed = { impact: "0.00", findings: 0 };

/** Most findings first. */
function byTypeRows(types: ByType): RunSummary["byType"] {
  return [...types]
    .map(([type, t]) => ({ type, count: t.count, impact: formatMoney(t.impact) }))
    .sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1));
}

export function summarize(report: ReportJson): RunSummary {
  const all = new Sums();
  const types: ByType = new Map();
  const clients = report.clients.map((c) => {
    const sums = clientSums(c, types);
    all.merge(sums);
    return { c, sums };
  });
  clients.sort((a, b) => b.sums.impact.comparedTo(a.sums.impact) || (a.c.id < b.c.id ? -1 : 1));
  return {
    totals: { ...all.formatted(), coverageGaps: all.coverageGaps, findings: all.findings, dismissed: NONE },
    clients: clients.map(({ c, sums }) => clientRow(c, sums)),
    byType: byTypeRows(types),
  };
}

/** A dismissed finding of the run, as the store gives it. */
export interface DismissedFinding extends ReportFinding {
  clientId: string;
}

/** The figures of the sums: `sign` -1 takes a finding out. */
function moneyOf(row: MoneyTotals & { impact: string }): Map<TotalKey | "impact", Money> {
  const m = new Map<TotalKey | "impact", Money>(TOTAL_KEYS.map((k) => [k, money(row[k])]));
  m.set("impact", money(row.impact));
  return m;
}

class Taken {
  readonly money = new Map<TotalKey | PriceKey | "impact", Money>();
  findings = 0;
  coverageGaps = 0;

  take(f: ReportFinding): void {
    const impact = money(f.monthlyImpact);
    const key = totalOf(asCoreFinding(f, impact));
    if (key) this.money.set(key, (this.money.get(key) ?? ZERO).plus(impact));
    const price = priceKey(f, key);
    if (price) this.money.set(price, (this.money.get(price) ?? ZERO).plus(impact));
    this.money.set("impact", (this.money.get("impact") ?? ZERO).plus(impact));
    this.findings += 1;
    if (f.type === "COVERAGE_GAP") this.coverageGaps += f.evidence.length;
  }

  /** The row with what was taken moved from its totals to `dismissed`. */
  apply<R extends MoneyTotals & Figures & { impact?: string; findings: number; coverageGaps: number }>(
    row: R,
    impact: string,
  ): R & { dismissed: Dismissed } {
    const m = moneyOf({ ...row, impact });
    const out = { ...row } as R & { dismissed: Dismissed; impact?: string };
    for (const k of TOTAL_KEYS) out[k] = formatMoney((m.get(k) ?? ZERO).minus(this.money.get(k) ?? ZERO));
    if (row.impact !== undefined)
      out.impact = formatMoney((m.get("impact") ?? ZERO).minus(this.money.get("impact") ?? ZERO));
    out.findings = row.findings - this.findings;
    out.coverageGaps = row.coverageGaps - this.coverageGaps;
    out.dismissed = { impact: formatMoney(this.money.get("impact") ?? ZERO), findings: this.findings };
    // The price parts less what was taken of them.
    const price = (k: PriceKey) =>
      money(row.split[k === "underBilled.price" ? "underBilled" : "overBilled"].price).minus(
        this.money.get(k) ?? ZERO,
      );
    return { ...out, ...figuresOf(out, price) };
  }
}

/**
 * The run's summary with the dismissed findings out of the totals (by client, by type, overall) and
 * shown as their own figure; accepted findings stay in (they are still to be fixed).
 */
export function openSummary(summary: RunSummary, dismissed: readonly DismissedFinding[]): RunSummary {
  if (dismissed.length === 0) return summary;
  const all = new Taken();
  const byClient = new Map<string, Taken>();
  const byType = new Map<string, Taken>();
  for (const f of dismissed) {
    all.take(f);
    for (const [map, key] of [
      [byClient, f.clientId],
      [byType, f.type],
    ] as const) {
      const t = map.get(key) ?? new Taken();
      t.take(f);
      map.set(key, t);
    }
  }
  const totalImpact = summary.clients.reduce((t, c) => t.plus(money(c.impact)), ZERO);
  const totals = all.apply(summary.totals, formatMoney(totalImpact));
  const clients = summary.clients
    .map((c) => byClient.get(c.id)?.apply(c, c.impact) ?? c)
    .sort((a, b) => money(b.impact).comparedTo(money(a.impact)) || (a.id < b.id ? -1 : 1));
  const types = summary.byType
    .map((t) => {
      const taken = byType.get(t.type);
      if (!taken) return t;
      const impact = formatMoney(money(t.impact).minus(taken.money.get("impact") ?? ZERO));
      return { type: t.type, count: t.count - taken.findings, impact };
    })
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1));
  const { impact: _, ...overall } = totals as typeof totals & { impact?: string };
  return { totals: overall, clients, byType: types };
}
