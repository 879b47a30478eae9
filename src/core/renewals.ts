import { addMonths, daysBetween } from "./dates.ts";
import { type Money, money, sum, ZERO } from "./money.ts";
import type { JsonReport } from "./report-json.ts";
import type { LicenceRow } from "./types.ts";

// Renewal windows: when each licence surplus (LICENCE_SURPLUS) can be cut, and what cutting it saves
// a month. A quantity bought on a term can only be reduced at the term's end (its `reducibleOn`).

/** The horizons the dashboard and `trueup renewals` total: the next 7, 30 and 90 days. */
export const HORIZONS = [7, 30, 90] as const;

/** What the licence rows say of one client's service's terms: every term end, and the term's length. */
export interface Term {
  ends: string[];
  /** Months per term where the source gives it (the same for every row, else unknown). */
  months?: number;
}

export type Terms = ReadonlyMap<string, Term>;

export const termKey = (clientId: string, subject: string) => `${clientId}\u0000${subject}`;

export type WindowStatus = "upcoming" | "passed" | "noTerm";

export interface RenewalWindow {
  clientId: string;
  clientName: string;
  /** `service:<id>`, as in the finding. */
  subject: string;
  required: number;
  purchased: number;
  /** Seats that can go: purchased - required. */
  surplus: number;
  /** The finding's monthly impact: surplus x the service's cost. */
  savingPerMonth: Money;
  /** upcoming: a term ends on or after asOf; passed: every term end is before asOf; noTerm: none given. */
  status: WindowStatus;
  /** The next date the quantity can be cut (undefined: not known). */
  opensOn?: string;
  /** Days from asOf to opensOn. */
  days?: number;
  /** passed: the term end that went by. */
  endedOn?: string;
  termMonths?: number;
}

export interface Renewals {
  asOf: string;
  currency: string;
  /** Every surplus, soonest window first (then the larger saving); unknown dates last. */
  windows: RenewalWindow[];
  /** Per horizon: the surpluses whose window opens within it (0 to N days from asOf) and their saving. */
  horizons: { days: number; count: number; savingPerMonth: Money }[];
}

/** Each client's service's term ends and lengths, from the licence rows of mapped clients. */
export function licenceTerms(
  rows: readonly LicenceRow[],
  serviceOf: (vendor: string, sku: string) => string | undefined,
): Map<string, Term> {
  const terms = new Map<string, Term & { lengths: Set<number | undefined> }>();
  for (const row of rows) {
    if (!("client" in row.owner) || row.commitmentEnd === undefined) continue;
    const service = serviceOf(row.vendor, row.sku);
    if (service === undefined) continue;
    const key = termKey(row.owner.client, `service:${service}`);
    const t = terms.get(key) ?? { ends: [], lengths: new Set() };
    t.ends.push(row.commitmentEnd);
    t.lengths.add(row.commitmentTermMonths);
    terms.set(key, t);
  }
  const out = new Map<string, Term>();
  for (const [key, { ends, lengths }] of terms) {
    const [months] = lengths;
    out.set(key, lengths.size === 1 && months !== undefined ? { ends, months } : { ends });
  }
  return out;
}

export function renewals(report: JsonReport, asOf: string, terms: Terms = new Map()): Renewals {
  const windows: RenewalWindow[] = [];
  for (const client of report.clients)
    for (const f of client.findings) {
      if (f.type !== "LICENCE_SURPLUS") continue;
      const required = Number(f.expected ?? 0);
      const purchased = Number(f.actual ?? 0);
      const base = {
        clientId: client.id,
        clientName: client.name,
        subject: f.subject,
        required,
        purchased,
        surplus: purchased - required,
        savingPerMonth: money(f.monthlyImpact),
      };
      windows.push({ ...base, ...windowOf(f.reducibleOn, terms.get(termKey(client.id, f.subject)), asOf) });
    }
  windows.sort(compareWindows);
  const horizons = HORIZONS.map((days) => {
    const inside = windows.filter((w) => w.days !== undefined && w.days >= 0 && w.days <= days);
    return { days, count: inside.length, savingPerMonth: sum(inside.map((w) => w.savingPerMonth)) };
  });
  return { asOf, currency: report.currency, windows, horizons };
}

type When = Pick<RenewalWindow, "status" | "opensOn" | "days" | "endedOn" | "termMonths">;

/**
 * The window of one surplus: its reducibleOn when on or after asOf; else the last term end before
 * asOf, and the next one (that end plus whole terms) where the term's length is known.
 */
function windowOf(reducibleOn: string | undefined, term: Term | undefined, asOf: string): When {
  const months = term?.months === undefined ? {} : { termMonths: term.months };
  const ahead = [reducibleOn, ...(term?.ends ?? [])].filter((d): d is string => d !== undefined && d >= asOf);
  if (ahead.length > 0) {
    const opensOn = ahead.sort()[0] as string;
    return { status: "upcoming", opensOn, days: daysBetween(asOf, opensOn), ...months };
  }
  const past = [reducibleOn, ...(term?.ends ?? [])].filter((d): d is string => d !== undefined).sort();
  const endedOn = past.at(-1);
  if (endedOn === undefined) return { status: "noTerm" };
  if (term?.months === undefined || term.months <= 0) return { status: "passed", endedOn };
  let opensOn = endedOn;
  for (let n = 1; opensOn < asOf; n++) opensOn = addMonths(endedOn, n * term.months);
  return { status: "passed", endedOn, opensOn, days: daysBetween(asOf, opensOn), ...months };
}

function compareWindows(a: RenewalWindow, b: RenewalWindow): number {
  const da = a.opensOn ?? "9999-99-99";
  const db = b.opensOn ?? "9999-99-99";
  if (da !== db) return da < db ? -1 : 1;
  const bySaving = b.savingPerMonth.comparedTo(a.savingPerMonth);
  if (bySaving !== 0) return bySaving;
  return a.clientId < b.clientId
    ? -1
    : a.clientId > b.clientId
      ? 1
      : a.subject < b.subject
        ? -1
        : a.subject > b.subject
          ? 1
          : 0;
}

/** The surpluses whose window opens within `days` of asOf (those already open included). */
export function within(r: Renewals, days: number): RenewalWindow[] {
  return r.windows.filter((w) => w.days !== undefined && w.days <= days);
}

export const savingOf = (windows: readonly RenewalWindow[]): Money =>
  windows.reduce((t, w) => t.plus(w.savingPerMonth), ZERO);
