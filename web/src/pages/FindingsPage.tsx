import { useEffect, useState } from "react";
import { findingsCsvUrl, queries } from "../api.ts";
import { FindingsTable, type SortState } from "../components/FindingsTable.tsx";
import { PageHeader } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { nextSort } from "../finding-sort.ts";
import { cents, centsText, FINDING_TYPES, formatMoney, plural, typeLabel } from "../format.ts";
import { useGet } from "../hooks.ts";
import { Link, setQuery, useLocation } from "../router.tsx";
import type { FindingFilter, FindingSort, FindingTotals } from "../types.ts";

/** The monthly impact and number of the findings the list shows: one status, or all three. */
function viewImpact(t: FindingTotals, status: string | undefined): { impact: string; findings: number } {
  const picked = (["open", "accepted", "dismissed"] as const).filter((k) => !status || k === status);
  const impact = picked.reduce((sum, k) => sum + cents(t[k].impact), 0n);
  return { impact: centsText(impact), findings: picked.reduce((n, k) => n + t[k].findings, 0) };
}

const LIMIT = 50;
const STATUSES = [
  { value: "open", label: "Open" },
  { value: "accepted", label: "Accepted (to be fixed)" },
  { value: "dismissed", label: "Dismissed" },
];

/** The dashboard's totals a list can be narrowed to (its money cards link here). */
const TOTALS = [
  { value: "underBilled", label: "Under-billed" },
  { value: "overBilled", label: "Over-billed" },
  { value: "licenceWaste", label: "Licence waste" },
  { value: "licenceShortfall", label: "Licence shortfall" },
  { value: "unmapped", label: "Unmapped" },
];

const SORTS: readonly FindingSort[] = [
  "impact",
  "client",
  "type",
  "subject",
  "expected",
  "actual",
  "evidence",
  "status",
];

/** The list's order from the address: largest money first unless a column was chosen. */
function sortOf(search: URLSearchParams): SortState {
  const asked = search.get("sort") as FindingSort | null;
  const sort = asked && SORTS.includes(asked) ? asked : "impact";
  const order = search.get("order");
  return { sort, order: order === "asc" || order === "desc" ? order : sort === "impact" ? "desc" : "asc" };
}

/** The filter's set values, as a query string takes them (the run stays, the page does not). */
function definedOf(f: FindingFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["runId", "clientId", "type", "q", "total"] as const) {
    const v = f[k];
    if (v) out[k] = v;
  }
  return out;
}

export function FindingsPage() {
  const { search } = useLocation();
  const filter: FindingFilter = {
    runId: search.get("runId") ?? undefined,
    clientId: search.get("clientId") ?? undefined,
    type: search.get("type") ?? undefined,
    status: search.get("status") ?? undefined,
    q: search.get("q") ?? undefined,
    total: search.get("total") ?? undefined,
  };
  const order = sortOf(search);
  const offset = Math.max(0, Number(search.get("offset")) || 0);
  const findings = useGet(queries.findings({ ...filter, ...order, limit: LIMIT, offset }));
  const { status: _, ...unstatused } = filter;
  const totals = useGet(queries.findingTotals(unstatused));
  // The search box answers as one types; the address follows it.
  const [text, setText] = useState(filter.q ?? "");
  const urlQ = filter.q ?? "";
  useEffect(() => setText((t) => (t.trim() === urlQ ? t : urlQ)), [urlQ]);
  const reload = () => {
    findings.reload();
    totals.reload();
  };
  const clients = useGet(queries.clients({ limit: 500 }));

  // Any change of filter starts again at the first page.
  const sorted = search.get("sort") ? { sort: order.sort, order: order.order } : {};
  const change = (key: keyof FindingFilter, value: string) =>
    setQuery({ ...filter, ...sorted, [key]: value || undefined });
  const onSort = (column: FindingSort) => setQuery({ ...filter, ...nextSort(order, column) });
  const filtered = Boolean(filter.clientId || filter.type || filter.status || filter.q || filter.total);
  const page = findings.data;
  const viewTotal = totals.data && viewImpact(totals.data, filter.status);

  return (
    <>
      <PageHeader
        title="Findings"
        subtitle={
          filter.runId ? (
            <>
              Run #{filter.runId} · <Link to="/findings">Show the latest run</Link>
            </>
          ) : (
            "The latest run. Accept a finding to have it fixed, or dismiss it with a reason."
          )
        }
        actions={
          <a
            className="btn"
            href={findingsCsvUrl({ ...filter, ...order })}
            download
            data-testid="findings-export"
          >
            Export CSV
          </a>
        }
      />
      <form className="filters" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
        <label className="field-inline">
          <span>Search</span>
          <input
            type="search"
            value={text}
            placeholder="Client, subject, user or device"
            data-testid="findings-search"
            onChange={(e) => {
              setText(e.target.value);
              change("q", e.target.value.trim());
            }}
          />
        </label>
        <label className="field-inline">
          <span>Client</span>
          <select value={filter.clientId ?? ""} onChange={(e) => change("clientId", e.target.value)}>
            <option value="">All clients</option>
            {filter.clientId && !clients.data?.items.some((c) => c.id === filter.clientId) && (
              <option value={filter.clientId}>{filter.clientId}</option>
            )}
            {clients.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>Type</span>
          <select value={filter.type ?? ""} onChange={(e) => change("type", e.target.value)}>
            <option value="">All types</option>
            {FINDING_TYPES.map((t) => (
              <option key={t} value={t}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>Status</span>
          <select value={filter.status ?? ""} onChange={(e) => change("status", e.target.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>Total</span>
          <select value={filter.total ?? ""} onChange={(e) => change("total", e.target.value)}>
            <option value="">Any total</option>
            {TOTALS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="btn" onClick={() => setQuery({ runId: filter.runId })}>
            Clear filters
          </button>
        )}
        {page && (
          <span className="filters-count" role="status" data-testid="findings-count">
            {plural(page.total, "finding")}
          </span>
        )}
      </form>
      {viewTotal && (
        <p className="findings-view-total" data-testid="findings-view-total" data-value={viewTotal.impact}>
          {filtered ? "These findings" : "All findings"}: <strong>{formatMoney(viewTotal.impact)}</strong> a
          month, {plural(viewTotal.findings, "finding")}
          {filter.status ? "" : " (dismissed ones included)"}
        </p>
      )}
      {totals.data && (
        <p className="findings-totals" data-testid="findings-totals">
          {(["open", "accepted", "dismissed"] as const).map((k, i) => (
            <span key={k} data-testid={`findings-total-${k}`} data-value={totals.data?.[k].impact}>
              {i > 0 && " · "}
              <Link to={`/findings?${new URLSearchParams({ ...definedOf(filter), status: k })}`}>
                {k === "dismissed" ? "dismissed (not in the open totals)" : k}
              </Link>
              : <strong>{formatMoney(totals.data?.[k].impact)}</strong>,{" "}
              {plural(totals.data?.[k].findings ?? 0, "finding")}
            </span>
          ))}
        </p>
      )}
      {findings.error ? (
        <ErrorState error={findings.error} onRetry={findings.reload} />
      ) : !page ? (
        <Loading what="Loading findings" />
      ) : page.items.length === 0 ? (
        <Empty title={filtered ? "No finding matches these filters." : "No findings: everything agrees."} />
      ) : (
        <>
          <FindingsTable
            findings={page.items}
            onChanged={reload}
            caption="Findings"
            sort={order}
            onSort={onSort}
          />
          <Pager
            label="Findings"
            total={page.total}
            limit={page.limit}
            offset={page.offset}
            onPage={(o) => setQuery({ ...filter, offset: o || undefined }, { replace: false })}
          />
        </>
      )}
    </>
  );
}
