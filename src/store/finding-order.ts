import { type FindingType, type TotalKey, totalOf } from "../core/findings.ts";
import { type Money, money, parseMoney } from "../core/money.ts";
import type { RunStatus } from "./overlay.ts";
import type { RunData, RunFinding } from "./run-data.ts";
import type { FindingFilter, FindingSort } from "./store.ts";

// The findings list as a person narrows and orders it: a text search over clients, subjects and
// evidence, and a sort on any column (money compared as exact decimals). Ties keep the report's order.

/** The words of a search, lower case; none for an empty one. */
function words(q: string | undefined): string[] {
  return (q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
}

function haystack(f: RunFinding, names: ReadonlyMap<string, string> | undefined): string {
  const parts = [f.clientId, f.clientName, f.subject, names?.get(f.subject) ?? "", ...f.evidence];
  return parts.join("\u0000").toLowerCase();
}

/** The total a finding counts towards (PRICE_MISMATCH: under-billed when the PSA price is lower). */
function totalKeyOf(f: RunFinding): TotalKey | undefined {
  const lower =
    f.type === "PRICE_MISMATCH" && typeof f.expected === "string" && typeof f.actual === "string"
      ? money(f.actual).lessThan(money(f.expected))
      : undefined;
  const core = {
    ...f,
    type: f.type as FindingType,
    monthlyImpact: money(f.monthlyImpact),
    psaPriceLower: lower,
  };
  return totalOf(core);
}

/** The positions whose finding counts towards `total` and has every word of `q` somewhere in it. */
export function searched(
  run: RunData,
  list: readonly number[],
  filter: Pick<FindingFilter, "q" | "names" | "total">,
): readonly number[] {
  const needles = words(filter.q);
  const { total } = filter;
  if (needles.length === 0 && total === undefined) return list;
  return list.filter((p) => {
    const f = run.findings[p];
    if (!f) return false;
    if (total !== undefined && totalKeyOf(f) !== total) return false;
    if (needles.length === 0) return true;
    const text = haystack(f, filter.names);
    return needles.every((w) => text.includes(w));
  });
}

type Key = Money | string | number | null;

function figure(v: string | number | null): Key {
  if (v === null) return null;
  if (typeof v === "number") return money(String(v));
  return parseMoney(v) ?? v;
}

const STATUS_ORDER = { open: 0, accepted: 1, dismissed: 2 } as const;

function keyOf(f: RunFinding, sort: FindingSort, status: RunStatus, p: number): Key {
  switch (sort) {
    case "impact":
      return money(f.monthlyImpact);
    case "client":
      return f.clientName.toLowerCase();
    case "type":
      return f.type;
    case "subject":
      return f.subject.toLowerCase();
    case "expected":
      return figure(f.expected);
    case "actual":
      return figure(f.actual);
    case "evidence":
      return f.evidence.length;
    case "status":
      return STATUS_ORDER[status.statusOf(p)];
  }
}

/** Empty figures last in either order. */
function compareKeys(a: Key, b: Key): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === "object" && typeof b === "object") return a.comparedTo(b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The positions in the order asked for: impact sorts largest first unless `order` says otherwise. */
export function sorted(
  run: RunData,
  status: RunStatus,
  list: readonly number[],
  filter: Pick<FindingFilter, "sort" | "order">,
): readonly number[] {
  const { sort } = filter;
  if (sort === undefined) return list;
  const order = filter.order ?? (sort === "impact" ? "desc" : "asc");
  const keys = new Map<number, Key>();
  for (const p of list) {
    const f = run.findings[p];
    if (f) keys.set(p, keyOf(f, sort, status, p));
  }
  const sign = order === "desc" ? -1 : 1;
  return [...list].sort((a, b) => {
    const ka = keys.get(a) ?? null;
    const kb = keys.get(b) ?? null;
    if (ka === null || kb === null) return compareKeys(ka, kb) || a - b;
    return sign * compareKeys(ka, kb) || a - b;
  });
}
