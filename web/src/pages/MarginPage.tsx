import { Fragment } from "react";
import { queries } from "../api.ts";
import { Count, Money } from "../components/Figures.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { useGet } from "../hooks.ts";
import type { Margin, MarginClient, MarginFigures } from "../margin-types.ts";

// Margin per client, bundle and service of the latest run (docs/margin.md): what the PSA bills
// against what the distributors charge, the clients and bundles below the target first.

export function Pct({ value, testId }: { value: string | null; testId?: string }) {
  return (
    <span className="num" data-testid={testId} data-value={value ?? ""}>
      {value === null ? "—" : `${value} %`}
    </span>
  );
}

export function MarginCells({ f, testId }: { f: MarginFigures; testId?: string }) {
  return (
    <>
      <td className="num">
        <Money value={f.revenue} testId={testId && `${testId}-revenue`} />
      </td>
      <td className="num">
        <Money value={f.cost} testId={testId && `${testId}-cost`} />
      </td>
      <td className="num">
        <Money value={f.margin} testId={testId && `${testId}-margin`} />
      </td>
      <td className="num">
        <Pct value={f.marginPct} testId={testId && `${testId}-pct`} />
      </td>
    </>
  );
}

/** The four column heads over MarginCells. */
export function MarginHeads() {
  return (
    <>
      <th scope="col">Revenue</th>
      <th scope="col">Cost</th>
      <th scope="col">Margin</th>
      <th scope="col">Margin %</th>
    </>
  );
}

/** A name with its "below target" badge, and two counts beside it. */
function NamedCounts({
  name,
  below,
  counts,
  row,
}: {
  name: string;
  below: boolean;
  counts: [number, number];
  row?: boolean;
}) {
  const label = (
    <>
      {name}
      {below && <span className="badge badge-warn">below target</span>}
    </>
  );
  return (
    <>
      {row ? <th scope="row">{label}</th> : <td className="indent">{label}</td>}
      {counts.map((n, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: two fixed columns
        <td key={i} className="num">
          <Count value={n} />
        </td>
      ))}
    </>
  );
}

export function MarginPage() {
  const m = useGet(queries.margin());
  return (
    <>
      <PageHeader
        title="Margin"
        subtitle="What the PSA bills against what the distributors charge, per client, bundle and service."
      />
      {m.error ? (
        m.error.status === 404 ? (
          <Empty title="No reconciliation has run yet." />
        ) : (
          <ErrorState error={m.error} onRetry={m.reload} />
        )
      ) : !m.data ? (
        <Loading what="Loading the margin" />
      ) : (
        <MarginView m={m.data} />
      )}
    </>
  );
}

function MarginView({ m }: { m: Margin }) {
  return (
    <>
      <Section title="Below target" id="below-target" testId="margin-below-target">
        {m.targetMargin === null ? (
          <p className="hint">
            No target margin: set <code>rules.targetMargin</code> (such as 0.35) in trueup.yaml to flag
            clients and bundles below it.
          </p>
        ) : m.belowTarget.length === 0 ? (
          <p>Every client and bundle is at or above the target of {m.targetMargin} %.</p>
        ) : (
          <>
            <p>Target margin {m.targetMargin} %; largest monthly shortfall first.</p>
            <ul>
              {m.belowTarget.map((f) => (
                <li key={`${f.kind}:${f.client ?? ""}:${f.bundle ?? ""}`} data-testid="margin-flag">
                  {f.name}: <Pct value={f.marginPct} />, <Money value={f.shortfall} /> a month short
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>
      <Section title={`Clients (${m.currency}, a month)`} id="margin-clients">
        <div className="table-wrap">
          <table className="table table-compact" data-testid="margin-table">
            <thead>
              <tr>
                <th scope="col">Client, bundle or service</th>
                <th scope="col">Billed</th>
                <th scope="col">Units</th>
                <MarginHeads />
                <th scope="col">Cost per unit</th>
              </tr>
            </thead>
            <tbody>
              {m.clients.map((c) => (
                <ClientRows key={c.id} c={c} />
              ))}
              <tr data-testid="margin-total">
                <th scope="row">Total</th>
                <td />
                <td />
                <MarginCells f={m.totals} testId="margin-total" />
                <td />
              </tr>
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Bundles over all clients" id="margin-bundles">
        <div className="table-wrap">
          <table className="table table-compact" data-testid="margin-bundles">
            <thead>
              <tr>
                <th scope="col">Bundle</th>
                <th scope="col">Clients</th>
                <th scope="col">Units</th>
                <MarginHeads />
              </tr>
            </thead>
            <tbody>
              {m.bundles.map((b) => (
                <tr key={b.bundle}>
                  <NamedCounts name={b.name} below={b.belowTarget} counts={[b.clients, b.units]} row />
                  <MarginCells f={b} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      {m.unmapped.rows.length > 0 && (
        <Section title="Not in any margin" id="margin-unmapped">
          <p className="hint">Rows of unknown products, SKUs or accounts: map them to count them.</p>
          <ul data-testid="margin-unmapped">
            {m.unmapped.rows.map((u) => (
              <li key={u.ref}>
                {u.kind === "billing" ? "Billed" : "Bought"} <code>{u.subject}</code>{" "}
                <Money value={u.money} /> ({u.ref})
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}

function ClientRows({ c }: { c: MarginClient }) {
  const unallocated = c.services.filter((s) => s.unallocated !== "0.00");
  return (
    <Fragment>
      <tr className="row-group" data-testid={`margin-client-${c.id}`}>
        <th scope="row">
          {c.name}
          {c.former && <span className="badge">former client</span>}
          {c.belowTarget && <span className="badge badge-warn">below target</span>}
        </th>
        <td />
        <td />
        <MarginCells f={c} testId={`margin-${c.id}`} />
        <td />
      </tr>
      {c.subjects.map((s) => (
        <tr key={s.subject} data-testid={`margin-${c.id}-${s.subject}`}>
          <NamedCounts name={s.name} below={s.belowTarget} counts={[s.billed, s.units]} />
          <MarginCells f={s} />
          <td className="num">
            <Money value={s.perUnit?.cost} testId={`margin-${c.id}-${s.subject}-unit-cost`} />
          </td>
        </tr>
      ))}
      {unallocated.map((s) => (
        <tr key={`left:${s.service}`}>
          <td className="indent">{s.name}: bought, required by no plan</td>
          <td />
          <td />
          <td />
          <td className="num">
            <Money value={s.unallocated} />
          </td>
          <td />
          <td />
          <td />
        </tr>
      ))}
    </Fragment>
  );
}
