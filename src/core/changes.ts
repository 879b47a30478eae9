import { MONTH_NAMES } from "./dates.ts";
import { formatMoney, type Money, money, ZERO } from "./money.ts";
import type { JsonClient, JsonLine, JsonReport } from "./report-json.ts";

// Month-over-month changes: each figure of each client's lines (required, billed, purchased, deployed)
// against an earlier report, and those beyond both materiality thresholds as alerts, ranked by money.

export const FIGURES = ["required", "billed", "purchased", "deployed"] as const;
export type Figure = (typeof FIGURES)[number];

export interface Thresholds {
  /** An alert's money must be at least this (absolute, per month): rules.changeAmount. */
  amount: Money;
  /** ...and its quantity must move by at least this percentage of the earlier figure: rules.changePercent. */
  percent: Money;
}

export const DEFAULT_THRESHOLDS: Thresholds = { amount: money("50.00"), percent: money("20") };

/** What one unit of a subject is worth a month, for the money of a change. */
export interface UnitValues {
  /** What the MSP pays per unit (the catalogue's cost). */
  cost?: Money;
  name?: string;
}

export interface Change {
  clientId: string;
  clientName: string;
  subject: string;
  subjectName: string;
  figure: Figure;
  before: number;
  after: number;
  delta: number;
  /** delta / before x 100, to one decimal; undefined when before is 0 (new). */
  percent?: Money;
  /** |delta| x the unit's value: price for required and billed, cost for purchased and deployed. */
  money: Money;
  /** Beyond both thresholds. */
  alert: boolean;
  /** The client is in one report only. */
  client: "both" | "new" | "gone";
}

export interface Changes {
  since: string;
  asOf: string;
  currency: string;
  thresholds: Thresholds;
  /** Every figure that moved, alerts first, each list by money (largest first). */
  changes: Change[];
  alerts: Change[];
}

type Values = (clientId: string, subject: string) => UnitValues;

export function monthOverMonth(
  before: JsonReport,
  after: JsonReport,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
  values: Values = () => ({}),
): Changes {
  const olds = new Map(before.clients.map((c) => [c.id, c]));
  const news = new Map(after.clients.map((c) => [c.id, c]));
  const ids = [...new Set([...olds.keys(), ...news.keys()])].filter((id) => id !== "_unmapped");
  const changes: Change[] = [];
  for (const id of ids) {
    const old = olds.get(id);
    const now = news.get(id);
    const presence = old && now ? "both" : now ? "new" : "gone";
    const name = (now ?? old)?.name ?? id;
    for (const [subject, pair] of linePairs(old, now))
      for (const figure of FIGURES) {
        const b = pair.old?.[figure] ?? 0;
        const a = pair.now?.[figure] ?? 0;
        if (a === b) continue;
        const unit = values(id, subject);
        const line = pair.now ?? pair.old;
        // A component's line has no price (the bundle's line carries the money): only its cost counts.
        const perUnit = figure === "required" || figure === "billed" ? priceOf(line) : unit.cost;
        const amount = (perUnit ?? ZERO).times(Math.abs(a - b));
        const percent =
          b === 0
            ? undefined
            : money(String(a - b))
                .dividedBy(b)
                .times(100)
                .toDecimalPlaces(1);
        const beyond =
          amount.greaterThanOrEqualTo(thresholds.amount) &&
          (percent === undefined || percent.abs().greaterThanOrEqualTo(thresholds.percent));
        changes.push({
          clientId: id,
          clientName: name,
          subject,
          subjectName: unit.name ?? subject,
          figure,
          before: b,
          after: a,
          delta: a - b,
          ...(percent === undefined ? {} : { percent }),
          money: amount,
          alert: beyond,
          client: presence,
        });
      }
  }
  changes.sort(byMoney);
  const alerts = changes.filter((c) => c.alert);
  return {
    since: before.asOf,
    asOf: after.asOf,
    currency: after.currency,
    thresholds,
    changes: [...alerts, ...changes.filter((c) => !c.alert)],
    alerts,
  };
}

function linePairs(old: JsonClient | undefined, now: JsonClient | undefined) {
  const pairs = new Map<string, { old?: JsonLine; now?: JsonLine }>();
  for (const l of old?.lines ?? []) pairs.set(l.subject, { old: l });
  for (const l of now?.lines ?? []) pairs.set(l.subject, { ...pairs.get(l.subject), now: l });
  return pairs;
}

function priceOf(line: JsonLine | undefined): Money | undefined {
  return line?.price ? money(line.price) : undefined;
}

function byMoney(a: Change, b: Change): number {
  const m = b.money.comparedTo(a.money);
  if (m !== 0) return m;
  const key = (c: Change) => `${c.clientId}\u0000${c.subject}\u0000${FIGURES.indexOf(c.figure)}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** "October" for 2026-10-01; with the year when it is not the year of `asOf`. */
export function monthName(date: string, asOf: string): string {
  const name = MONTH_NAMES[Number(date.slice(5, 7)) - 1] ?? date;
  return date.slice(0, 4) === asOf.slice(0, 4) ? name : `${name} ${date.slice(0, 4)}`;
}

const FIGURE_WORDS: Record<Figure, string> = {
  required: "required",
  billed: "billed",
  purchased: "purchased",
  deployed: "deployed",
};

/** "Granite Ridge Construction: Gold (per user) required +40 % (+8) since October". */
export function describeChange(c: Change, since: string, asOf: string): string {
  const sign = (n: string) => (n.startsWith("-") ? n : `+${n}`);
  const pct =
    c.client === "gone" ? "client gone" : c.percent === undefined ? "new" : `${sign(c.percent.toString())} %`;
  return `${c.clientName}: ${c.subjectName} ${FIGURE_WORDS[c.figure]} ${pct} (${sign(String(c.delta))}) since ${monthName(since, asOf)}`;
}

/**
 * Which earlier run a month's changes compare with: the last one (highest id) whose asOf is in an
 * earlier month than `asOf`'s, preferring the latest such month. Undefined when none is.
 */
export function previousMonthRun<R extends { id: number; asOf: string }>(
  runs: readonly R[],
  asOf: string,
): R | undefined {
  const month = asOf.slice(0, 7);
  let best: R | undefined;
  for (const r of runs) {
    if (r.asOf.slice(0, 7) >= month) continue;
    if (
      !best ||
      r.asOf.slice(0, 7) > best.asOf.slice(0, 7) ||
      (r.asOf.slice(0, 7) === best.asOf.slice(0, 7) && r.id > best.id)
    )
      best = r;
  }
  return best;
}

/** Names of services and bundles, and each service's cost, from the catalogue. */
export function catalogueValues(
  services: readonly { id: string; name: string; cost: Money }[],
  bundles: readonly { id: string; name: string }[],
): (clientId: string, subject: string) => UnitValues {
  const values = new Map<string, UnitValues>();
  for (const s of services) values.set(`service:${s.id}`, { name: s.name, cost: s.cost });
  for (const b of bundles) values.set(`bundle:${b.id}`, { name: b.name });
  return (_client, subject) => values.get(subject) ?? {};
}

/** The changes as JSON values: money as two-place decimals, each change with its sentence. */
export function changesToJson(c: Changes) {
  const view = (x: Change) => ({
    ...x,
    percent: x.percent?.toString() ?? null,
    money: formatMoney(x.money),
    text: describeChange(x, c.since, c.asOf),
  });
  return {
    since: c.since,
    asOf: c.asOf,
    currency: c.currency,
    thresholds: { amount: formatMoney(c.thresholds.amount), percent: c.thresholds.percent.toString() },
    alerts: c.alerts.map(view),
    changes: c.changes.map(view),
  };
}
