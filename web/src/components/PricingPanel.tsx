import { useState } from "react";
import { api, queries } from "../api.ts";
import { formatDay } from "../format.ts";
import { useAction, useGet } from "../hooks.ts";
import { Money } from "./Figures.tsx";
import { Section } from "./Page.tsx";
import { ActionError, ErrorState, Loading, Notice } from "./States.tsx";

// Price rises at contract anniversaries (docs/pricing.md): what is due, each price now and new, the
// monthly effect and a notice letter per client; approving writes the new prices into the catalogue
// from their date, and the PSA follows with a plan that includes prices, effective on that date.

export function PricingPanel({ canEdit }: { canEdit: boolean }) {
  const plan = useGet(queries.pricingPlan());
  const approve = useAction(api.applyPricing);
  const [done, setDone] = useState<string | null>(null);
  if (plan.error) return <ErrorState error={plan.error} onRetry={plan.reload} />;
  if (!plan.data) return <Loading what="Loading price rises" />;
  const { due, later } = plan.data;
  if (due.length === 0 && later.length === 0 && !done) return null;
  const from = [...new Set(due.map((c) => c.anniversary))].sort()[0];
  return (
    <Section title="Price rises due" id="pricing" testId="pricing-panel">
      {due.length === 0 && <p>No price rise due within {plan.data.windowDays} days.</p>}
      {due.map((c) => (
        <div key={c.client} data-testid="pricing-client" data-client={c.client}>
          <p>
            <strong>{c.clientName}</strong>: +{c.appliedPercent} % from {formatDay(c.anniversary)} (uplift{" "}
            {c.percent} %{c.cap ? `, cap ${c.cap} %` : ""}
            {c.capAmount ? `, at most ${c.capAmount} a unit` : ""}).{" "}
            <a href={`/api/pricing/letters/${encodeURIComponent(c.client)}`} target="_blank" rel="noreferrer">
              Notice letter
            </a>{" "}
            (
            <a
              href={`/api/pricing/letters/${encodeURIComponent(c.client)}?format=pdf`}
              target="_blank"
              rel="noreferrer"
              aria-label={`Notice letter to ${c.clientName} as PDF`}
            >
              PDF
            </a>
            )
          </p>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Bundle or service</th>
                  <th className="num">Price now</th>
                  <th className="num">New price</th>
                  <th className="num">Quantity</th>
                  <th className="num">Monthly effect</th>
                </tr>
              </thead>
              <tbody>
                {c.rises.map((r) => (
                  <tr key={r.subject} data-testid="pricing-rise" data-subject={r.subject}>
                    <td>{r.name}</td>
                    <td className="num">
                      <Money value={r.oldPrice} />
                    </td>
                    <td className="num">
                      <Money value={r.newPrice} testId="pricing-new-price" />
                    </td>
                    <td className="num">{r.quantity}</td>
                    <td className="num">
                      <Money value={r.monthlyEffect} />
                    </td>
                  </tr>
                ))}
                {c.excluded.map((x) => (
                  <tr key={x.subject} data-testid="pricing-excluded">
                    <td>{x.name} (excluded)</td>
                    <td className="num">
                      <Money value={x.price} />
                    </td>
                    <td className="num">unchanged</td>
                    <td />
                    <td />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      {later.map((l) => (
        <p key={l.client} className="muted">
          {l.clientName}:{" "}
          {l.applied
            ? `new prices written, from ${formatDay(l.anniversary)}`
            : `next anniversary ${formatDay(l.anniversary)}`}
        </p>
      ))}
      {canEdit && due.length > 0 && (
        <button
          type="button"
          className="btn btn-primary"
          disabled={approve.busy}
          data-testid="pricing-approve"
          onClick={async () => {
            const r = await approve.run();
            if (!r) return;
            setDone(
              `New prices of ${r.plan.due.map((c) => c.clientName).join(", ")} written into the catalogue from ` +
                `${from ? formatDay(from) : ""}. To bill them, plan the PSA sync below with "Include prices" effective ${from ?? ""}.`,
            );
            plan.reload();
          }}
        >
          Approve the price rises
        </button>
      )}
      <ActionError error={approve.error} />
      {done && <Notice testId="pricing-done">{done}</Notice>}
    </Section>
  );
}
