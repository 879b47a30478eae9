import type { Report } from "../core/report.ts";
import type { Bundle, Service } from "../core/types.ts";

// The bundle breakdown report (issue 14): for every service and bundle, required / billed /
// purchased / deployed per client and in total, grouped by service, bundle or client. Read straight
// from the report's lines, so that its figures are the report's.

export const GROUPINGS = ["service", "bundle", "client"] as const;
export type GroupBy = (typeof GROUPINGS)[number];

export interface Figures {
  required: number | null;
  billed: number | null;
  purchased: number | null;
  deployed: number | null;
}

export interface BreakdownRow extends Figures {
  client: string;
  clientName: string;
  subject: string;
  name: string;
  /** Bundle grouping: a component's row under its bundle's. */
  component: boolean;
}

export interface BreakdownGroup {
  key: string;
  name: string;
  rows: BreakdownRow[];
  /** Sums over the group's own subject (null for a client, whose lines count different things). */
  total: Figures | null;
}

export interface Breakdown {
  asOf: string;
  groupBy: GroupBy;
  groups: BreakdownGroup[];
}

export interface BreakdownFilter {
  clients?: string[];
  /** Service or bundle ids ("edr", "gold-user") or subjects ("service:edr"). */
  subjects?: string[];
}

export interface Catalogue {
  services: Service[];
  bundles: Bundle[];
}

const FIGURES = ["required", "billed", "purchased", "deployed"] as const;

export function sumFigures(rows: readonly Figures[]): Figures {
  const total: Figures = { required: null, billed: null, purchased: null, deployed: null };
  for (const r of rows)
    for (const k of FIGURES) if (r[k] !== null) total[k] = (total[k] ?? 0) + (r[k] as number);
  return total;
}

function namesOf(cat: Catalogue): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of cat.services) names.set(`service:${s.id}`, s.name);
  for (const b of cat.bundles) names.set(`bundle:${b.id}`, b.name);
  return names;
}

function allRows(report: Report, cat: Catalogue, filter: BreakdownFilter): BreakdownRow[] {
  const names = namesOf(cat);
  const clients = filter.clients && filter.clients.length > 0 ? new Set(filter.clients) : undefined;
  const rows: BreakdownRow[] = [];
  for (const c of report.clients) {
    if (clients && !clients.has(c.id)) continue;
    for (const l of c.lines) {
      const { required, billed, purchased, deployed } = l;
      const name = names.get(l.subject) ?? l.subject;
      rows.push({
        client: c.id,
        clientName: c.name,
        subject: l.subject,
        name,
        required,
        billed,
        purchased,
        deployed,
        component: false,
      });
    }
  }
  return rows;
}

function wanted(filter: BreakdownFilter): ((subject: string) => boolean) | undefined {
  if (!filter.subjects || filter.subjects.length === 0) return undefined;
  const set = new Set(filter.subjects);
  return (subject) => set.has(subject) || set.has(subject.slice(subject.indexOf(":") + 1));
}

export function breakdown(
  report: Report,
  cat: Catalogue,
  groupBy: GroupBy,
  filter: BreakdownFilter = {},
): Breakdown {
  const rows = allRows(report, cat, filter);
  const keep = wanted(filter);
  const groups =
    groupBy === "client"
      ? byClient(rows, keep)
      : groupBy === "service"
        ? byService(rows, keep)
        : byBundle(rows, cat, keep);
  return { asOf: report.asOf, groupBy, groups };
}

function byClient(rows: BreakdownRow[], keep?: (s: string) => boolean): BreakdownGroup[] {
  const groups = new Map<string, BreakdownGroup>();
  for (const r of rows) {
    if (keep && !keep(r.subject)) continue;
    const g = groups.get(r.client) ?? { key: r.client, name: r.clientName, rows: [], total: null };
    g.rows.push(r);
    groups.set(r.client, g);
  }
  return [...groups.values()];
}

function byService(rows: BreakdownRow[], keep?: (s: string) => boolean): BreakdownGroup[] {
  const groups = new Map<string, BreakdownGroup>();
  for (const r of rows) {
    if (!r.subject.startsWith("service:") || (keep && !keep(r.subject))) continue;
    const g = groups.get(r.subject) ?? { key: r.subject, name: r.name, rows: [], total: null };
    g.rows.push(r);
    groups.set(r.subject, g);
  }
  const out = [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const g of out) g.total = sumFigures(g.rows);
  return out;
}

function byBundle(rows: BreakdownRow[], cat: Catalogue, keep?: (s: string) => boolean): BreakdownGroup[] {
  const out: BreakdownGroup[] = [];
  for (const b of cat.bundles) {
    const subject = `bundle:${b.id}`;
    if (keep && !keep(subject)) continue;
    const bundleRows = rows.filter((r) => r.subject === subject);
    if (bundleRows.length === 0) continue;
    const group: BreakdownGroup = { key: subject, name: b.name, rows: [], total: sumFigures(bundleRows) };
    for (const br of bundleRows) {
      group.rows.push(br);
      for (const c of b.includes) {
        const comp = rows.find((r) => r.client === br.client && r.subject === `service:${c.service}`);
        if (comp) group.rows.push({ ...comp, component: true });
      }
    }
    out.push(group);
  }
  return out;
}
