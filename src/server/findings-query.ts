import { csvText } from "../core/csv.ts";
import { describeFinding } from "../core/findings.ts";
import type { FindingFilter, FindingView, Paged, Store } from "../store/store.ts";
import { subjectNames } from "./catalogue-view.ts";
import { EVIDENCE_SHOWN } from "./schemas.ts";

// Findings of a run (the latest by default), a page at a time or all of them.

const PAGE = 500;

/** The filter with its run resolved; undefined when there is no run yet. */
export async function resolveRun(store: Store, filter: FindingFilter): Promise<FindingFilter | undefined> {
  if (filter.runId !== undefined) return filter;
  const latest = await store.latestRun();
  return latest && { ...filter, runId: latest.id };
}

/**
 * A finding as lists show it: its first EVIDENCE_SHOWN items of evidence and how many there are, the
 * catalogue name of its subject and the sentence the CLI table prints for it.
 */
export type ListedFinding = FindingView & { evidenceTotal: number; subjectName?: string; why: string };

const NO_NAMES: ReadonlyMap<string, string> = new Map();

/**
 * One client with 329,000 devices made a page of 50 findings 75 MB: lists carry the start of each
 * finding's evidence, GET /api/findings/evidence the rest, the CSV all of it.
 */
export function listed(f: FindingView, names: ReadonlyMap<string, string> = NO_NAMES): ListedFinding {
  const evidence = f.evidence.length > EVIDENCE_SHOWN ? f.evidence.slice(0, EVIDENCE_SHOWN) : f.evidence;
  const subjectName = names.get(f.subject);
  const out: ListedFinding = { ...f, evidence, evidenceTotal: f.evidence.length, why: describeFinding(f) };
  if (subjectName !== undefined) out.subjectName = subjectName;
  return out;
}

export async function findingsPage(store: Store, filter: FindingFilter): Promise<Paged<ListedFinding>> {
  const resolved = await resolveRun(store, filter);
  if (!resolved) return { items: [], total: 0, limit: filter.limit, offset: filter.offset };
  const names = subjectNames(await store.loadConfig());
  const page = await store.listFindings({ ...resolved, names });
  return { ...page, items: page.items.map((f) => listed(f, names)) };
}

/** A page of one finding's evidence; `n` picks among findings that share a key (PRICE_MISMATCH). */
export async function evidencePage(
  store: Store,
  q: { runId?: number; key: string; n: number; limit: number; offset: number },
): Promise<Paged<string> | undefined> {
  const runId = q.runId ?? (await store.latestRun())?.id;
  if (runId === undefined) return undefined;
  const found = (await store.findingsWithKey(runId, q.key))[q.n];
  if (!found) return undefined;
  const items = found.evidence.slice(q.offset, q.offset + q.limit);
  return { items, total: found.evidence.length, limit: q.limit, offset: q.offset };
}

/** Every finding that passes the filter, read page by page, evidence complete. */
export async function allFindings(store: Store, filter: Omit<FindingFilter, "limit" | "offset">) {
  const items: FindingView[] = [];
  const resolved = await resolveRun(store, { ...filter, limit: PAGE, offset: 0 });
  if (!resolved) return items;
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listFindings({ ...resolved, offset });
    items.push(...page.items);
    if (page.items.length < PAGE || items.length >= page.total) return items;
  }
}

const HEADER = [
  "runId",
  "client",
  "clientName",
  "type",
  "subject",
  "expected",
  "actual",
  "monthlyImpact",
  "currency",
  "status",
  "reason",
  "decidedBy",
  "evidence",
  "key",
];

/** `currency`: the workspace's (trueup.yaml), on every row as the CLI's CSV writes it. */
export function findingsCsv(findings: readonly FindingView[], currency: string): string {
  const rows = findings.map((f) => {
    const row: (string | number | null | undefined)[] = [
      f.runId,
      f.clientId,
      f.clientName,
      f.type,
      f.subject,
      f.expected,
      f.actual,
      f.monthlyImpact,
      currency,
    ];
    row.push(f.status, f.reason, f.decidedBy, f.evidence.join("; "), f.key);
    return row;
  });
  return csvText(HEADER, rows);
}
