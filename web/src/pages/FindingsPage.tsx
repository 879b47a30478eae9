import { findingsCsvUrl, queries } from "../api.ts";
import { FindingsTable } from "../components/FindingsTable.tsx";
import { PageHeader } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { FINDING_TYPES, formatMoney, plural, typeLabel } from "../format.ts";
import { useGet } from "../hooks.ts";
import { Link, setQuery, useLocation } from "../router.tsx";
import type { FindingFilter } from "../types.ts";

const LIMIT = 50;
const STATUSES = [
  { value: "open", label: "Open" },
  { value: "accepted", label: "Accepted (to be fixed)" },
  { value: "dismissed", label: "Dismissed" },
];

/** The filter's set values, as a query string takes them (the run stays, the page does not). */
function definedOf(f: FindingFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["runId", "clientId", "type"] as const) {
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
  };
  const offset = Math.max(0, Number(search.get("offset")) || 0);
  const findings = useGet(queries.findings({ ...filter, limit: LIMIT, offset }));
  const totals = useGet(
    queries.findingTotals({ runId: filter.runId, clientId: filter.clientId, type: filter.type }),
  );
  const reload = () => {
    findings.reload();
    totals.reload();
  };
  const clients = useGet(queries.clients({ limit: 500 }));

  // Any change of filter starts again at the first page.
  const change = (key: keyof FindingFilter, value: string) =>
    setQuery({ ...filter, [key]: value || undefined });
  const filtered = Boolean(filter.clientId || filter.type || filter.status);
  const page = findings.data;

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
          <a className="btn" href={findingsCsvUrl(filter)} download data-testid="findings-export">
            Export CSV
          </a>
        }
      />
      <form className="filters" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
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
        {filtered && (
          <button type="button" className="btn" onClick={() => setQuery({ runId: filter.runId })}>
            Clear filters
          </button>
        )}
        {page && (
          <span className="filters-count" role="status" data-testid="findings-count">
            {page.total === 1 ? "1 finding" : `${page.total.toLocaleString("en-US")} findings`}
          </span>
        )}
      </form>
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
          <FindingsTable findings={page.items} onChanged={reload} caption="Findings" />
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
