import { type FormEvent, useState } from "react";
import { queries } from "../api.ts";
import { Count, Money } from "../components/Figures.tsx";
import { Evidence, TypeBadge } from "../components/FindingsTable.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { RunButton } from "../components/RunButton.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { formatCount, formatDateTime, formatDay, formatMoney } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";
import { Link, setQuery, useLocation } from "../router.tsx";
import type { FindingView, RunDiff, RunView } from "../types.ts";

const LIMIT = 50;

function total(r: RunView, key: string): string | number | undefined {
  return r.totals[key];
}

export function RunsPage() {
  const can = useCan();
  const { search } = useLocation();
  const offset = Math.max(0, Number(search.get("offset")) || 0);
  const from = Number(search.get("from")) || undefined;
  const to = Number(search.get("to")) || undefined;
  const runs = useGet(queries.runs({ limit: LIMIT, offset }));
  const [asOf, setAsOf] = useState("");
  const page = runs.data;

  return (
    <>
      <PageHeader title="Runs" subtitle="Every reconciliation is kept as it was: compare any two." />
      {can.edit && (
        <Section title="Start a run" id="start">
          <div className="form-row">
            <label className="field-inline">
              <span>As of (optional)</span>
              <input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
            </label>
            <RunButton asOf={asOf} primary onDone={runs.reload} label="Start a run" />
          </div>
          <p className="hint">Without a date the run uses the workspace's asOf, else today.</p>
        </Section>
      )}
      {page && page.items.length >= 2 && (
        <Section title="Compare two runs" id="compare">
          <CompareForm runs={page.items} from={from} to={to} />
          {from !== undefined && to !== undefined && <DiffView from={from} to={to} />}
        </Section>
      )}
      <Section title="History" id="history">
        {runs.error ? (
          <ErrorState error={runs.error} onRetry={runs.reload} />
        ) : !page ? (
          <Loading what="Loading runs" />
        ) : page.items.length === 0 ? (
          <Empty title="No run yet." />
        ) : (
          <>
            <RunsTable runs={page.items} />
            <Pager
              label="Runs"
              total={page.total}
              limit={page.limit}
              offset={page.offset}
              onPage={(o) => setQuery({ offset: o || undefined, from, to }, { replace: false })}
            />
          </>
        )}
      </Section>
    </>
  );
}

function RunsTable({ runs }: { runs: RunView[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">As of</th>
            <th scope="col">Made</th>
            <th scope="col">By</th>
            <th scope="col" className="num">
              Under-billed
            </th>
            <th scope="col" className="num">
              Over-billed
            </th>
            <th scope="col" className="num">
              Licence waste
            </th>
            <th scope="col" className="num">
              Shortfall
            </th>
            <th scope="col" className="num">
              Coverage gaps
            </th>
            <th scope="col" className="num">
              Findings
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="run-row" data-run-id={r.id}>
              <th scope="row">
                <Link to={`/findings?runId=${r.id}`} title="Its findings">
                  #{r.id}
                </Link>
              </th>
              <td className="nowrap">{formatDay(r.asOf)}</td>
              <td className="num">{formatDateTime(r.createdAt)}</td>
              <td>{r.createdBy}</td>
              {(["underBilled", "overBilled", "licenceWaste", "licenceShortfall"] as const).map((k) => (
                <td key={k} className="num">
                  <Money value={String(total(r, k) ?? "")} />
                </td>
              ))}
              <td className="num">
                <Count value={Number(total(r, "coverageGaps") ?? 0)} />
              </td>
              <td className="num">
                <Count value={Number(total(r, "findings") ?? 0)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CompareForm({ runs, from, to }: { runs: RunView[]; from?: number; to?: number }) {
  const [a, setA] = useState(String(from ?? runs[1]?.id ?? ""));
  const [b, setB] = useState(String(to ?? runs[0]?.id ?? ""));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ from: a, to: b });
  };
  const option = (r: RunView) => (
    <option key={r.id} value={r.id}>
      #{r.id} as of {formatDay(r.asOf)} ({formatDateTime(r.createdAt)})
    </option>
  );
  return (
    <form className="form-row" onSubmit={submit} data-testid="compare-form">
      <label className="field-inline">
        <span>From run</span>
        <select value={a} onChange={(e) => setA(e.target.value)}>
          {runs.map(option)}
        </select>
      </label>
      <label className="field-inline">
        <span>To run</span>
        <select value={b} onChange={(e) => setB(e.target.value)}>
          {runs.map(option)}
        </select>
      </label>
      <button type="submit" className="btn btn-primary" disabled={a === b}>
        Compare
      </button>
    </form>
  );
}

function DiffView({ from, to }: { from: number; to: number }) {
  const diff = useGet(queries.diff(from, to));
  if (diff.error) return <ErrorState error={diff.error} onRetry={diff.reload} />;
  if (!diff.data) return <Loading what="Comparing" />;
  const d: RunDiff = diff.data;
  return (
    <div className="diff" data-testid="run-diff">
      <p className="diff-summary" role="status">
        From run #{d.from} to run #{d.to}: {formatCount(d.appeared.length)} appeared,{" "}
        {formatCount(d.fixed.length)} fixed, {formatCount(d.changed.length)} changed.
      </p>
      <DiffList title="Appeared" testId="diff-appeared" findings={d.appeared} empty="No new finding." />
      <DiffList title="Fixed" testId="diff-fixed" findings={d.fixed} empty="Nothing was fixed." />
      <h3>Changed ({formatCount(d.changed.length)})</h3>
      {d.changed.length === 0 ? (
        <p className="muted">No finding changed its figures.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="diff-changed">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Type</th>
                <th scope="col">Subject</th>
                <th scope="col" className="num">
                  Expected
                </th>
                <th scope="col" className="num">
                  Actual
                </th>
                <th scope="col" className="num">
                  Monthly impact
                </th>
              </tr>
            </thead>
            <tbody>
              {d.changed.map(({ before, after }) => (
                <tr key={after.key}>
                  <td>{after.clientName}</td>
                  <td>
                    <TypeBadge type={after.type} />
                  </td>
                  <td>
                    <code className="subject">{after.subject}</code>
                  </td>
                  <td className="num">{change(before.expected, after.expected)}</td>
                  <td className="num">{change(before.actual, after.actual)}</td>
                  <td className="num">{change(before.monthlyImpact, after.monthlyImpact)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function figure(v: string | number | null): string {
  if (v === null) return "—";
  return typeof v === "number" ? formatCount(v) : formatMoney(v);
}

function change(a: string | number | null, b: string | number | null): string {
  return a === b ? figure(b) : `${figure(a)} → ${figure(b)}`;
}

function DiffList({
  title,
  findings,
  testId,
  empty,
}: {
  title: string;
  findings: FindingView[];
  testId: string;
  empty: string;
}) {
  return (
    <>
      <h3>
        {title} ({formatCount(findings.length)})
      </h3>
      {findings.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" data-testid={testId}>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Type</th>
                <th scope="col">Subject</th>
                <th scope="col" className="num">
                  Monthly impact
                </th>
                <th scope="col">Evidence</th>
              </tr>
            </thead>
            <tbody>
              {findings.map((f) => (
                <tr key={f.key} data-testid="diff-row" data-key={f.key}>
                  <td>{f.clientName}</td>
                  <td>
                    <TypeBadge type={f.type} />
                  </td>
                  <td>
                    <code className="subject">{f.subject}</code>
                  </td>
                  <td className="num">
                    <Money value={f.monthlyImpact} />
                  </td>
                  <td>
                    <Evidence items={f.evidence} finding={f} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
