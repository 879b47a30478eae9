import { formatCount, formatDay, formatMoney, typeLabel } from "../../format.ts";
import type { LeftAsAgreed } from "../../types.ts";
import { Money } from "../Figures.tsx";

function figure(v: string | number | null): string {
  if (v === null) return "—";
  return typeof v === "number" ? formatCount(v) : formatMoney(v);
}

export /** What the plan does not change because a person dismissed the finding, and why. */
function LeftAsAgreedTable({ left }: { left: LeftAsAgreed[] }) {
  if (left.length === 0) return null;
  return (
    <section className="left-as-agreed" data-testid="left-as-agreed" aria-label="Left as agreed">
      <h3>Left as agreed ({formatCount(left.length)})</h3>
      <p className="hint">
        These differences were dismissed and their figures have not changed since, so the plan proposes no
        change for them. Should the figures change, the finding opens again and the next plan proposes the
        change.
      </p>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="left-table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Product</th>
              <th scope="col">Finding</th>
              <th scope="col" className="num">
                Contract
              </th>
              <th scope="col" className="num">
                PSA
              </th>
              <th scope="col" className="num">
                Monthly impact
              </th>
              <th scope="col">Why it stays</th>
            </tr>
          </thead>
          <tbody>
            {left.map((l) => (
              <tr
                key={`${l.client}|${l.type}|${l.subject}|${l.lineId ?? ""}`}
                data-testid="left-row"
                data-client={l.client}
                data-product={l.product}
                data-type={l.type}
              >
                <td>{l.clientName}</td>
                <td>
                  <code>{l.product}</code>
                  {l.lineId && <span className="sub muted"> line {l.lineId}</span>}
                </td>
                <td>{typeLabel(l.type)}</td>
                <td className="num">{figure(l.expected)}</td>
                <td className="num">{figure(l.actual)}</td>
                <td className="num">
                  <Money value={l.monthlyImpact} testId="left-impact" />
                </td>
                <td data-testid="left-reason">
                  “{l.reason}” <span className="status-by">dismissed by {l.decidedBy}</span>
                  {l.until && <span className="status-by"> until {formatDay(l.until)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
