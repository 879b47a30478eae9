import { useState } from "react";
import { breakdownUrl, queries } from "../api.ts";
import { Count, Money, SplitLine } from "../components/Figures.tsx";
import { PageHeader } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { useGet } from "../hooks.ts";
import { Link, setQuery, useLocation } from "../router.tsx";

const LIMIT = 100;

export function ClientsPage() {
  const { search } = useLocation();
  const offset = Math.max(0, Number(search.get("offset")) || 0);
  const clients = useGet(queries.clients({ limit: LIMIT, offset }));
  const page = clients.data;
  return (
    <>
      <PageHeader
        title="Clients"
        subtitle="Ranked by monthly impact: the money to recover or refund first."
        actions={<BreakdownDownloads />}
      />
      {clients.error ? (
        <ErrorState error={clients.error} onRetry={clients.reload} />
      ) : !page ? (
        <Loading what="Loading clients" />
      ) : page.items.length === 0 ? (
        <Empty title="No clients yet.">
          <p>
            Clients come from the <Link to="/catalogue">catalogue</Link> (trueup.yaml) and appear here after a
            run.
          </p>
        </Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="clients-table">
              <caption className="visually-hidden">Clients ranked by monthly impact</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col" className="col-name">
                    Client
                  </th>
                  <th scope="col" className="num">
                    Billable users
                  </th>
                  <th scope="col" className="num">
                    Current devices
                  </th>
                  <th scope="col" className="num">
                    Stale
                  </th>
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
                    Monthly impact
                  </th>
                  <th scope="col" className="num">
                    Findings
                  </th>
                  <th scope="col" className="num">
                    Coverage gaps
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((c, i) => (
                  <tr key={c.id} data-testid="client-row" data-client-id={c.id}>
                    <td className="num muted">{page.offset + i + 1}</td>
                    <th scope="row">
                      {c.id === "_unmapped" ? (
                        <Link to="/mappings">{c.name}</Link>
                      ) : (
                        <Link to={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                      )}
                    </th>
                    <td className="num">
                      <Count value={c.counts.billableUsers} />
                    </td>
                    <td className="num">
                      <Count value={c.counts.currentDevices} />
                    </td>
                    <td className="num">
                      <Count value={c.counts.staleDevices} />
                    </td>
                    <td className="num">
                      <Money value={c.underBilled} />
                      <SplitLine split={c.split.underBilled} compact />
                    </td>
                    <td className="num">
                      <Money value={c.overBilled} />
                      <SplitLine split={c.split.overBilled} compact />
                    </td>
                    <td className="num">
                      <Money value={c.licenceWaste} />
                    </td>
                    <td className="num">
                      <Money value={c.licenceShortfall} />
                    </td>
                    <td className="num strong">
                      <Money value={c.impact} testId="client-impact" />
                    </td>
                    <td className="num">
                      <Count value={c.findings} />
                    </td>
                    <td className={c.coverageGaps > 0 ? "num diff-under" : "num"}>
                      <Count value={c.coverageGaps} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            label="Clients"
            total={page.total}
            limit={page.limit}
            offset={page.offset}
            onPage={(o) => setQuery({ offset: o || undefined }, { replace: false })}
          />
        </>
      )}
    </>
  );
}

/** The bundle breakdown report across clients, by service or bundle, as a spreadsheet. */
function BreakdownDownloads() {
  const [groupBy, setGroupBy] = useState<"service" | "bundle" | "client">("service");
  return (
    <div className="button-row">
      <label>
        Breakdown by{" "}
        <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as typeof groupBy)}>
          <option value="service">service</option>
          <option value="bundle">bundle</option>
          <option value="client">client</option>
        </select>
      </label>
      <a className="btn" href={breakdownUrl(groupBy, "xlsx")} download>
        Breakdown XLSX
      </a>
      <a className="btn" href={breakdownUrl(groupBy, "csv")} download>
        CSV
      </a>
    </div>
  );
}
