import { csvText } from "../core/csv.ts";
import type { FindingFilter, FindingView, Paged, Store } from "../store/store.ts";

// Findings of a run (the latest by default), a page at a time or all of them.

const PAGE = 500;

/** The filter with its run resolved; undefined when there is no run yet. */
export async function resolveRun(store: Store, filter: FindingFilter): Promise<FindingFilter | undefined> {
  if (filter.runId !== undefined) return filter;
  const latest = await store.latestRun();
  return latest && { ...filter, runId: latest.id };
}

export async function findingsPage(store: Store, filter: FindingFilter): Promise<Paged<FindingView>> {
  const resolved = await resolveRun(store, filter);
  if (!resolved) return { items: [], total: 0, limit: filter.limit, offset: filter.offset };
  return store.listFindings(resolved);
}

/** Every finding that passes the filter, read page by page. */
export async function allFindings(store: Store, filter: Omit<FindingFilter, "limit" | "offset">) {
  const items: FindingView[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await findingsPage(store, { ...filter, limit: PAGE, offset });
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
  "status",
  "reason",
  "decidedBy",
  "evidence",
  "key",
];

export function findingsCsv(findings: readonly FindingView[]): string {
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
    ];
    row.push(f.status, f.reason, f.decidedBy, f.evidence.join("; "), f.key);
    return row;
  });
  return csvText(HEADER, rows);
}
