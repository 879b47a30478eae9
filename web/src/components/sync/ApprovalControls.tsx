import { useState } from "react";
import { api } from "../../api.ts";
import { formatCount, plural } from "../../format.ts";
import { useAction } from "../../hooks.ts";
import type { ApplyResult, ChangeDecision, SyncChangeView, SyncPlanView } from "../../types.ts";
import { isOpen } from "./plan.ts";

// Approving and applying a plan: the actions (one change or many), the Approve all and Apply
// buttons, and what an apply did.

/** The plan's decide and apply actions; each reloads the plan (`onChanged`) when it ends. */
export function usePlanActions(plan: SyncPlanView, onChanged: () => void) {
  const [applied, setApplied] = useState<ApplyResult | null>(null);
  const decide = useAction(async (seqs: number[], decision: ChangeDecision) => {
    setApplied(null);
    try {
      await api.decideChanges(plan.id, seqs, decision);
    } finally {
      onChanged();
    }
  });
  const apply = useAction(async () => {
    setApplied(null);
    try {
      const r = await api.applyPlan(plan.id);
      setApplied(r);
      return r;
    } finally {
      onChanged();
    }
  });
  return { decide, apply, applied, busy: decide.busy || apply.busy, error: decide.error ?? apply.error };
}

/** Approve all (the pending changes) and Apply (the approved ones), with what Apply will send. */
export function ApprovalControls({
  changes,
  busy,
  applying,
  onApproveAll,
  onApply,
}: {
  changes: SyncChangeView[];
  busy: boolean;
  applying: boolean;
  onApproveAll: (seqs: number[]) => void;
  onApply: () => void;
}) {
  const approvable = changes.filter((c) => isOpen(c) && c.decision === "pending").map((c) => c.seq);
  // An approved change left "applying" by an apply that died is sent again (after a read) too.
  const toApply = changes.filter(
    (c) => (isOpen(c) || c.state === "applying") && c.decision === "approved" && c.change.action !== "choose",
  ).length;
  return (
    <div className="button-row plan-actions">
      <button
        type="button"
        className="btn"
        disabled={busy || approvable.length === 0}
        onClick={() => onApproveAll(approvable)}
        data-testid="approve-all"
      >
        Approve all
      </button>
      <button
        type="button"
        className="btn btn-primary"
        disabled={busy || toApply === 0}
        onClick={onApply}
        data-testid="apply"
      >
        {applying ? "Applying…" : "Apply approved changes"}
      </button>
      <span className="hint">
        {toApply === 0
          ? "Approve changes to apply them."
          : `${plural(toApply, "approved change")} will be sent to the PSA.`}
      </span>
    </div>
  );
}

export function ApplyNotice({ r }: { r: ApplyResult }) {
  const bad = r.conflicts + r.failed > 0;
  const figure = (key: keyof ApplyResult, label: string) => (
    <li key={key}>
      {label}:{" "}
      <strong data-testid={`apply-${key}`} data-value={r[key]}>
        {formatCount(r[key])}
      </strong>
    </li>
  );
  return (
    <div className={`alert ${bad ? "alert-error" : "alert-ok"}`} role="status" data-testid="apply-result">
      <p>
        {bad
          ? "Applied, but some changes did not go through: see Conflict and Failed below."
          : "Applied: the PSA now has every approved change."}
      </p>
      <ul className="apply-figures">
        {figure("applied", "Applied now")}
        {figure("alreadyDone", "Already at the target")}
        {figure("conflicts", "Conflicts")}
        {figure("failed", "Failed")}
        {figure("notApproved", "Not approved")}
        {figure("finished", "Done before")}
      </ul>
    </div>
  );
}
