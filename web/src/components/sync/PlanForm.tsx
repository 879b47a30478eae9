import { type FormEvent, useState } from "react";
import { api } from "../../api.ts";
import { useAction } from "../../hooks.ts";
import { Link, setQuery } from "../../router.tsx";
import type { ConnectionView, SyncPlanView } from "../../types.ts";
import { ActionError } from "../States.tsx";
import { firstOfNextMonth } from "./plan.ts";

// The connection picker and the Plan form: which PSA, from when, with or without prices. Planning
// reads the PSA and saves the plan; nothing is sent.

export function PlanForm({
  psas,
  connection,
  canEdit,
  onPlanned,
}: {
  psas: ConnectionView[];
  connection: ConnectionView;
  canEdit: boolean;
  onPlanned: (p: SyncPlanView) => void;
}) {
  const [effective, setEffective] = useState(firstOfNextMonth);
  const [includePrices, setIncludePrices] = useState(false);
  const plan = useAction(async () => {
    const p = await api.plan({
      connection: connection.name,
      effective: effective || undefined,
      includePrices,
    });
    onPlanned(p);
    return p;
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void plan.run();
  };
  const missing = connection.secrets.filter((s) => s.source === "missing");
  return (
    <>
      <form className="form-row" onSubmit={submit} data-testid="plan-form">
        <ConnectionPicker psas={psas} chosen={connection} disabled={plan.busy} />
        {canEdit && (
          <>
            <label className="field">
              <span>Effective from</span>
              <input
                type="date"
                required
                value={effective}
                onChange={(e) => setEffective(e.target.value)}
                disabled={plan.busy}
              />
            </label>
            <label className="check check-field">
              <input
                type="checkbox"
                checked={includePrices}
                onChange={(e) => setIncludePrices(e.target.checked)}
                disabled={plan.busy}
              />
              Include prices
            </label>
            <button type="submit" className="btn btn-primary" disabled={plan.busy} data-testid="plan-submit">
              {plan.busy ? "Reading the PSA…" : "Plan"}
            </button>
          </>
        )}
      </form>
      {canEdit ? (
        <p className="hint">
          Plan reads {connection.title} now, reconciles, and saves the changes; nothing is sent to the PSA
          until you apply. A new plan replaces the open one.
        </p>
      ) : (
        <p className="hint">
          Billing and admin accounts plan, approve and apply; you see the plans and their history.
        </p>
      )}
      {missing.length > 0 && (
        <p className="alert alert-error" data-testid="plan-missing-secrets">
          {connection.name} has no {missing.map((s) => s.name).join(", ")}: see{" "}
          <Link to="/connections">Connections</Link>.
        </p>
      )}
      <ActionError error={plan.error} />
    </>
  );
}

/** Which PSA connection the page shows (in the address, so that a link keeps it). */
export function ConnectionPicker({
  psas,
  chosen,
  disabled,
}: {
  psas: ConnectionView[];
  chosen: ConnectionView;
  disabled: boolean;
}) {
  return (
    <label className="field">
      <span>PSA connection</span>
      <select
        value={chosen.name}
        onChange={(e) => setQuery({ connection: e.target.value })}
        disabled={disabled}
      >
        {psas.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} ({c.title})
          </option>
        ))}
      </select>
    </label>
  );
}
