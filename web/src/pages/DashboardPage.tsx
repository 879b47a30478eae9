import type { ReactNode } from "react";
import { queries } from "../api.ts";
import { ChangesList } from "../components/ChangesList.tsx";
import { type Bar, BarChart, type Series, TrendChart } from "../components/Charts.tsx";
import { Count, Money, SplitLine } from "../components/Figures.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { RenewalsCard } from "../components/RenewalsCard.tsx";
import { RunButton } from "../components/RunButton.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import {
  cents,
  FINDING_TYPES,
  formatCount,
  formatDateTime,
  formatDay,
  formatMoney,
  formatMonth,
  isZeroMoney,
  plural,
  typeLabel,
  typeTone,
} from "../format.ts";
import { useGet } from "../hooks.ts";
import { Link } from "../router.tsx";
import type { Dashboard } from "../types.ts";

const MONEY_SERIES: (Series & { key: "underBilled" | "overBilled" | "licenceWaste" | "licenceShortfall" })[] =
  [
    { key: "underBilled", label: "Under-billed", tone: "under" },
    { key: "overBilled", label: "Over-billed", tone: "over" },
    { key: "licenceWaste", label: "Licence waste", tone: "waste" },
    { key: "licenceShortfall", label: "Licence shortfall", tone: "shortfall" },
  ];

const TOP_CLIENTS = 12;

export function DashboardPage() {
  const dash = useGet(queries.dashboard());
  const run = dash.data?.run;
  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle={
          run ? (
            <span data-testid="dashboard-run">
              Run #{run.id} as of <strong>{formatDay(run.asOf)}</strong>, made {formatDateTime(run.createdAt)}{" "}
              by {run.createdBy}
            </span>
          ) : undefined
        }
        actions={<RunButton onDone={dash.reload} />}
      />
      {dash.error ? (
        <ErrorState error={dash.error} onRetry={dash.reload} />
      ) : !dash.data ? (
        <Loading what="Loading the dashboard" />
      ) : !dash.data.run ? (
        <Empty title="No reconciliation has run yet.">
          <p>
            Load your exports on the <Link to="/imports">Imports</Link> page, then start a run to see what is
            under-billed, over-billed, wasted and unprotected.
          </p>
        </Empty>
      ) : (
        <DashboardBody d={dash.data} />
      )}
    </>
  );
}

function DashboardBody({ d }: { d: Dashboard }) {
  const t = d.totals;
  return (
    <>
      <section aria-label="This month's totals" className="cards" data-testid="dashboard-totals">
        <TotalCard
          label="Under-billed"
          hint="revenue you are not invoicing"
          tone="under"
          extra={<SplitLine split={t.split.underBilled} testId="split-underBilled" />}
        >
          <FindingsLink total="underBilled">
            <Money value={t.underBilled} testId="total-underBilled" />
          </FindingsLink>
        </TotalCard>
        <TotalCard
          label="Over-billed"
          hint="invoiced beyond what clients have"
          tone="over"
          extra={<SplitLine split={t.split.overBilled} testId="split-overBilled" />}
        >
          <FindingsLink total="overBilled">
            <Money value={t.overBilled} testId="total-overBilled" />
          </FindingsLink>
        </TotalCard>
        <TotalCard label="Licence waste" hint="licences bought and not needed" tone="waste">
          <FindingsLink total="licenceWaste">
            <Money value={t.licenceWaste} testId="total-licenceWaste" />
          </FindingsLink>
        </TotalCard>
        <TotalCard label="Licence shortfall" hint="licences needed and not bought" tone="shortfall">
          <FindingsLink total="licenceShortfall">
            <Money value={t.licenceShortfall} testId="total-licenceShortfall" />
          </FindingsLink>
        </TotalCard>
        <TotalCard
          label="Net a month"
          hint="under-billed + licence waste − over-billed − licence shortfall, if every finding is settled"
          tone="neutral"
          small
          extra={
            <span className="card-split" data-testid="total-annual" data-value={t.annual}>
              {formatMoney(t.annual)} a year
            </span>
          }
        >
          <Money value={t.net} testId="total-net" />
        </TotalCard>
        <TotalCard label="Unmapped" hint="money on rows no client or service claims" tone="neutral">
          <Link to="/mappings" className="card-link">
            <Money value={t.unmapped} testId="total-unmapped" />
          </Link>
        </TotalCard>
        <TotalCard label="Coverage gaps" hint="devices without their agent" tone="gap">
          <Link to="/findings?type=COVERAGE_GAP" className="card-link">
            <Count value={t.coverageGaps} testId="total-coverageGaps" />
          </Link>
        </TotalCard>
        <TotalCard label="Findings" hint="open or accepted, in the latest run" tone="neutral">
          <Link to="/findings" className="card-link">
            <Count value={t.findings} testId="total-findings" />
          </Link>
        </TotalCard>
        <TotalCard
          label="Dismissed"
          hint={`${plural(t.dismissed.findings, "finding")}, left out of these totals`}
          tone="neutral"
        >
          <Link to="/findings?status=dismissed" className="card-link" data-testid="dashboard-dismissed">
            <Money value={t.dismissed.impact} testId="total-dismissed" />
          </Link>
        </TotalCard>
      </section>
      <p className="hint" data-testid="dashboard-dismissed-note">
        The totals leave out what people dismissed: dismissed {formatMoney(t.dismissed.impact)} a month,{" "}
        {plural(t.dismissed.findings, "finding")}.
      </p>
      <div className="grid-2">
        <Section title="Monthly impact by client" id="by-client" testId="chart-by-client">
          <ByClient d={d} />
        </Section>
        <Section title="Findings by type" id="by-type" testId="chart-by-type">
          <ByType d={d} />
        </Section>
      </div>
      <Section title="Trend by month" id="trend" testId="chart-trend">
        <Trend d={d} />
      </Section>
      <RenewalsCard key={`renewals-${d.run?.id}`} />
      <ChangesList key={`changes-${d.run?.id}`} />
    </>
  );
}

/** A money card's figure links to the findings behind it. */
function FindingsLink({ total, children }: { total: string; children: ReactNode }) {
  return (
    <Link to={`/findings?total=${total}`} className="card-link" data-testid={`link-${total}`}>
      {children}
    </Link>
  );
}

function TotalCard({
  label,
  hint,
  tone,
  extra,
  small,
  children,
}: {
  label: string;
  hint: string;
  tone: string;
  /** Under the figure: its split, or its yearly amount. */
  extra?: ReactNode;
  /** A figure that may be long (a sign, a large net): a smaller type. */
  small?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`card card-${tone}`}>
      <div className="card-label">{label}</div>
      <div className={small ? "card-value card-value-small" : "card-value"}>{children}</div>
      {extra}
      <div className="card-hint">{hint}</div>
    </div>
  );
}

function ByClient({ d }: { d: Dashboard }) {
  const withImpact = d.byClient.filter((c) => !isZeroMoney(c.impact));
  if (withImpact.length === 0) return <Empty title="No client has a monetary difference this month." />;
  const bars: Bar[] = withImpact.slice(0, TOP_CLIENTS).map((c) => ({
    key: c.clientId,
    label: c.name,
    values: MONEY_SERIES.map((s) => cents(c[s.key])),
    valueText: formatMoney(c.impact),
    href: c.clientId === "_unmapped" ? undefined : `/clients/${encodeURIComponent(c.clientId)}`,
  }));
  const rest = withImpact.length - bars.length;
  return (
    <>
      <BarChart title="Monthly impact by client, largest first" bars={bars} series={MONEY_SERIES} />
      {rest > 0 && (
        <p className="hint">
          {formatCount(rest)} more {rest === 1 ? "client" : "clients"} on the{" "}
          <Link to="/clients">Clients</Link> page.
        </p>
      )}
      <details className="chart-table">
        <summary>Show as a table</summary>
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Client</th>
              {MONEY_SERIES.map((s) => (
                <th key={s.key} scope="col" className="num">
                  {s.label}
                </th>
              ))}
              <th scope="col" className="num">
                Impact
              </th>
            </tr>
          </thead>
          <tbody>
            {withImpact.map((c) => (
              <tr key={c.clientId}>
                <th scope="row">{c.name}</th>
                {MONEY_SERIES.map((s) => (
                  <td key={s.key} className="num">
                    <Money value={c[s.key]} />
                  </td>
                ))}
                <td className="num">
                  <Money value={c.impact} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

function ByType({ d }: { d: Dashboard }) {
  const order = (type: string) => FINDING_TYPES.indexOf(type as (typeof FINDING_TYPES)[number]);
  const types = d.byType
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count || order(a.type) - order(b.type));
  if (types.length === 0) return <Empty title="No findings in the latest run." />;
  const bars: Bar[] = types.map((t) => ({
    key: t.type,
    label: typeLabel(t.type),
    values: [BigInt(t.count)],
    tone: `type-${typeTone(t.type)}`,
    valueText: isZeroMoney(t.impact)
      ? formatCount(t.count)
      : `${formatCount(t.count)} · ${formatMoney(t.impact)}`,
    href: `/findings?type=${t.type}`,
  }));
  return (
    <>
      <BarChart
        title="Number of findings of each type in the latest run"
        bars={bars}
        series={[{ key: "count", label: "Findings", tone: "neutral" }]}
      />
      <p className="hint" data-testid="by-type-note">
        Under-billed and over-billed here count wrong quantities; wrong prices are the price mismatches. The
        cards above add both: under-billed {formatMoney(d.totals.split.underBilled.quantity)} quantity +{" "}
        {formatMoney(d.totals.split.underBilled.price)} price = {formatMoney(d.totals.underBilled)}.
      </p>
      <p className="hint">
        <span className="legend-chip diff-under">red</span> revenue lost or a risk,{" "}
        <span className="legend-chip diff-over">amber</span> money spent or owed back, grey: to tidy up.
      </p>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Findings
              </th>
              <th scope="col" className="num">
                Monthly impact
              </th>
            </tr>
          </thead>
          <tbody>
            {types.map((t) => (
              <tr key={t.type} data-testid="by-type-row" data-type={t.type}>
                <th scope="row">{typeLabel(t.type)}</th>
                <td className="num">
                  <Count value={t.count} />
                </td>
                <td className="num">
                  <Money value={t.impact} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

function Trend({ d }: { d: Dashboard }) {
  if (d.trend.length === 0) return <Empty title="No past runs yet." />;
  const points = d.trend.map((p) => ({
    key: p.month,
    label: formatMonth(p.month),
    values: MONEY_SERIES.map((s) => cents(p[s.key])),
  }));
  return (
    <div className="trend">
      <TrendChart
        title={`Monthly differences over the last ${plural(d.trend.length, "month")}, oldest first`}
        points={points}
        series={MONEY_SERIES}
      />
      {d.trend.length === 1 && (
        <p className="hint">One month so far: the trend starts with the next month's run.</p>
      )}
      <p className="hint">
        Each month as its latest run found the differences, dismissed findings included: the totals above
        leave them out.
      </p>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Latest run</th>
              {MONEY_SERIES.map((s) => (
                <th key={s.key} scope="col" className="num">
                  {s.label}
                </th>
              ))}
              <th scope="col" className="num">
                Coverage gaps
              </th>
            </tr>
          </thead>
          <tbody>
            {[...d.trend].reverse().map((p) => (
              <tr key={p.month} data-testid="trend-row" data-month={p.month} data-run-id={p.runId}>
                <th scope="row">{formatMonth(p.month)}</th>
                <td className="nowrap">
                  #{p.runId} as of {formatDay(p.asOf)}
                </td>
                {MONEY_SERIES.map((s) => (
                  <td key={s.key} className="num">
                    <Money value={p[s.key]} />
                  </td>
                ))}
                <td className="num">
                  <Count value={p.coverageGaps} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
