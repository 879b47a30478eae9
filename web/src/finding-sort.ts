import { cents, typeLabel } from "./format.ts";
import type { FindingSort, FindingView } from "./types.ts";

export interface SortState {
  sort: FindingSort;
  order: "asc" | "desc";
}

// Sorting a list of findings held in the browser (a client's page has all of its findings), by the
// same columns the findings page asks the server to sort by. Money compares in exact cents.

const text = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });

function figure(v: string | number | null): bigint | string {
  if (v === null) return "";
  if (typeof v === "number") return BigInt(Math.round(v * 100));
  return /^-?\d+(\.\d+)?$/.test(v) ? cents(v) : v;
}

function compareFigure(a: string | number | null, b: string | number | null): number {
  const x = figure(a);
  const y = figure(b);
  if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
  return text(String(x), String(y));
}

const COMPARE: Record<SortState["sort"], (a: FindingView, b: FindingView) => number> = {
  impact: (a, b) => compareFigure(a.monthlyImpact, b.monthlyImpact),
  client: (a, b) => text(a.clientName, b.clientName),
  type: (a, b) => text(typeLabel(a.type), typeLabel(b.type)),
  subject: (a, b) => text(a.subjectName ?? a.subject, b.subjectName ?? b.subject),
  expected: (a, b) => compareFigure(a.expected, b.expected),
  actual: (a, b) => compareFigure(a.actual, b.actual),
  evidence: (a, b) => a.evidenceTotal - b.evidenceTotal,
  status: (a, b) => text(a.status, b.status),
};

/** The findings in the order asked; ties keep the report's order. */
export function sortFindings(findings: readonly FindingView[], by: SortState): FindingView[] {
  const compare = COMPARE[by.sort];
  const sign = by.order === "asc" ? 1 : -1;
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => sign * compare(a.f, b.f) || a.i - b.i)
    .map((x) => x.f);
}

/** The next sort after a click on a column: the same column turns round; money starts largest first. */
export function nextSort(now: SortState, column: SortState["sort"]): SortState {
  if (now.sort === column) return { sort: column, order: now.order === "asc" ? "desc" : "asc" };
  return { sort: column, order: column === "impact" ? "desc" : "asc" };
}
