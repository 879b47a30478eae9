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

function quoted(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A spreadsheet opens text starting with = + - @ as a formula; such text gets a leading quote. */
function cell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  const formula = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text);
  return quoted(formula ? `'${text}` : text);
}

export function findingsCsv(findings: readonly FindingView[]): string {
  const lines = [HEADER.join(",")];
  for (const f of findings) {
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
    lines.push(row.map(cell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
