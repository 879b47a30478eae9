import { useState } from "react";
import type { Answers } from "../api.gen.ts";
import type { Query } from "../api.ts";
import { formatDay, formatMoney, plural } from "../format.ts";
import { useGet } from "../hooks.ts";
import { Link } from "../router.tsx";
import { Money } from "./Figures.tsx";
import { Section } from "./Page.tsx";
import { ErrorState, Loading } from "./States.tsx";

// Renewal windows (GET /api/renewals): the licence surpluses that can be cut in the next 7, 30 or 90
// days with what each saves a month, and a calendar of every window by month (docs/renewals.md).

export type Renewals = Answers["GET /api/renewals"];
export type RenewalWindow = Renewals["windows"][number];

const RENEWALS: Query<Renewals> = { path: "/api/renewals" };

export function RenewalsCard() {
  const r = useGet(RENEWALS);
  const [horizon, setHorizon] = useState(30);
  return (
    <Section title="Renewal windows" id="renewals" testId="renewals-card">
      {r.error ? (
        <ErrorState error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="Loading the renewal windows" />
      ) : (
        <RenewalsBody r={r.data} horizon={horizon} setHorizon={setHorizon} />
      )}
    </Section>
  );
}

function RenewalsBody({
  r,
  horizon,
  setHorizon,
}: {
  r: Renewals;
  horizon: number;
  setHorizon: (d: number) => void;
}) {
  if (r.windows.length === 0) return <p className="hint">No licence surplus in the latest run.</p>;
  const soon = r.windows.filter((w) => w.days !== undefined && w.days <= horizon);
  return (
    <>
      <fieldset className="cards horizons">
        <legend className="visually-hidden">Surpluses reducible within</legend>
        {r.horizons.map((h) => (
          <label
            key={h.days}
            className={`card card-waste${h.days === horizon ? " card-selected" : ""}`}
            data-testid={`renewals-${h.days}`}
          >
            <input
              type="radio"
              name="renewals-horizon"
              className="visually-hidden"
              checked={h.days === horizon}
              onChange={() => setHorizon(h.days)}
            />
            <span className="card-label">Next {h.days} days</span>
            <span className="card-value">
              <Money value={h.savingPerMonth} />
            </span>
            <span className="card-hint">{plural(h.count, "surplus", "surpluses")} to cut, saved a month</span>
          </label>
        ))}
      </fieldset>
      <h3>Reducible within {horizon} days</h3>
      {soon.length === 0 ? (
        <p className="hint">None.</p>
      ) : (
        <WindowTable windows={soon} testId="renewals-soon" />
      )}
      <details className="chart-table">
        <summary>Calendar of every window</summary>
        <Calendar windows={r.windows} />
      </details>
    </>
  );
}

function WindowTable({ windows, testId }: { windows: RenewalWindow[]; testId?: string }) {
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Client</th>
            <th scope="col">Service</th>
            <th scope="col" className="num">
              Seats to cut
            </th>
            <th scope="col" className="num">
              Saved a month
            </th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => (
            <tr key={`${w.clientId}|${w.subject}`}>
              <td>{when(w)}</td>
              <td>
                <Link to={`/clients/${encodeURIComponent(w.clientId)}`}>{w.clientName}</Link>
              </td>
              <td>{w.serviceName}</td>
              <td className="num">
                {w.surplus}{" "}
                <span className="sub">
                  ({w.purchased} bought, {w.required} needed)
                </span>
              </td>
              <td className="num">{formatMoney(w.savingPerMonth)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** When the window opens, or why no date is known. */
function when(w: RenewalWindow): string {
  if (w.status === "upcoming") return `${formatDay(w.opensOn)} (in ${plural(w.days ?? 0, "day")})`;
  if (w.status === "noTerm") return "No term end in the source";
  const next = w.opensOn
    ? `next window ${formatDay(w.opensOn)}`
    : "the source does not give the term's length: ask the vendor for the next window";
  return `Passed (term ended ${formatDay(w.endedOn)}); ${next}`;
}

function Calendar({ windows }: { windows: RenewalWindow[] }) {
  const months = new Map<string, RenewalWindow[]>();
  for (const w of windows) {
    const key = w.opensOn ? w.opensOn.slice(0, 7) : "no date";
    months.set(key, [...(months.get(key) ?? []), w]);
  }
  return (
    <div data-testid="renewals-calendar">
      {[...months].map(([month, list]) => (
        <div key={month}>
          <h4>{month === "no date" ? "No date known" : monthTitle(month)}</h4>
          <WindowTable windows={list} />
        </div>
      ))}
    </div>
  );
}

function monthTitle(month: string): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  return d.toLocaleDateString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}
