import type { Answers } from "../api.gen.ts";
import type { Query } from "../api.ts";
import { formatDay, formatMoney, plural } from "../format.ts";
import { useGet } from "../hooks.ts";
import { Link } from "../router.tsx";
import { Section } from "./Page.tsx";
import { ErrorState, Loading } from "./States.tsx";

// Month-over-month changes (GET /api/changes): what moved since the last run of an earlier month,
// the changes beyond both thresholds first, largest money first (docs/renewals.md).

export type Changes = Answers["GET /api/changes"];
export type MonthChange = Changes["alerts"][number];

const CHANGES: Query<Changes> = { path: "/api/changes" };

export function ChangesList() {
  const c = useGet(CHANGES);
  return (
    <Section title="Changes since last month" id="changes" testId="changes-list">
      {c.error ? (
        <ErrorState error={c.error} onRetry={c.reload} />
      ) : !c.data ? (
        <Loading what="Loading the month's changes" />
      ) : (
        <ChangesBody c={c.data} />
      )}
    </Section>
  );
}

function ChangesBody({ c }: { c: Changes }) {
  if (c.sinceRunId === null)
    return (
      <p className="hint">
        No run of an earlier month to compare with yet: the next month's run will show what moved.
      </p>
    );
  const smaller = c.changes.length - c.alerts.length;
  return (
    <>
      <p className="hint">
        Run #{c.runId} ({formatDay(c.asOf)}) against run #{c.sinceRunId} ({formatDay(c.since)}). An alert
        moves at least {formatMoney(c.thresholds.amount)} a month and {c.thresholds.percent} % of its figure.
      </p>
      {c.alerts.length === 0 ? (
        <p className="hint">No change beyond both thresholds.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="changes-alerts">
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col" className="num">
                  Before
                </th>
                <th scope="col" className="num">
                  After
                </th>
                <th scope="col" className="num">
                  A month
                </th>
              </tr>
            </thead>
            <tbody>
              {c.alerts.map((a) => (
                <tr
                  key={`${a.clientId}|${a.subject}|${a.figure}`}
                  className={a.delta < 0 ? "change-drop" : "change-spike"}
                >
                  <td>
                    <Link to={`/clients/${encodeURIComponent(a.clientId)}`}>{a.text}</Link>
                  </td>
                  <td className="num">{a.before}</td>
                  <td className="num">{a.after}</td>
                  <td className="num">
                    {a.delta < 0 ? "−" : "+"}
                    {formatMoney(a.money)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {smaller > 0 && <p className="hint">{plural(smaller, "smaller change")} below the thresholds.</p>}
    </>
  );
}
