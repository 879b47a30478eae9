import { formatCount, formatDateTime, formatDay, plural } from "../../format.ts";
import type { SyncChangeView, SyncPlanView } from "../../types.ts";
import { Money } from "../Figures.tsx";
import { ActionError, Empty } from "../States.tsx";
import { ApplyNotice, ApprovalControls, usePlanActions } from "./ApprovalControls.tsx";
import { ChangesTable } from "./ChangesTable.tsx";
import { LeftAsAgreedTable } from "./LeftAsAgreedTable.tsx";

// One plan: what it is, how far it has gone, its controls, its changes and what it leaves as agreed.

export function PlanView({
  plan,
  canEdit,
  onChanged,
}: {
  plan: SyncPlanView;
  canEdit: boolean;
  onChanged: () => void;
}) {
  const editable = canEdit && plan.status === "open";
  const { decide, apply, applied, busy, error } = usePlanActions(plan, onChanged);
  const count = (f: (c: SyncChangeView) => boolean) => plan.changes.filter(f).length;
  return (
    <div className="plan" data-testid="plan" data-plan-id={plan.id} data-status={plan.status}>
      <p className="plan-summary" data-testid="plan-summary">
        <strong>Plan #{plan.id}</strong> for {plan.connection}, effective {formatDay(plan.effective)}
        {plan.includePrices ? ", prices included" : ", quantities only"}; made by {plan.createdBy},{" "}
        {formatDateTime(plan.createdAt)}. Monthly impact{" "}
        <Money value={plan.monthlyImpact} testId="plan-impact" />.
      </p>
      <p className="plan-counts muted" data-testid="plan-counts">
        {plural(plan.changes.length, "change")}: {formatCount(count((c) => c.decision === "approved"))}{" "}
        approved, {formatCount(count((c) => c.decision === "rejected"))} rejected,{" "}
        {formatCount(count((c) => c.decision === "pending"))} pending;{" "}
        {formatCount(count((c) => c.state === "applied"))} applied,{" "}
        {formatCount(count((c) => c.state === "conflict"))} in conflict,{" "}
        {formatCount(count((c) => c.state === "failed"))} failed.
      </p>
      {plan.status === "superseded" && (
        <div className="alert alert-info" data-testid="plan-superseded">
          A newer plan replaced this one: it can no longer be approved or applied.
        </div>
      )}
      {editable && plan.changes.length > 0 && (
        <ApprovalControls
          changes={plan.changes}
          busy={busy}
          applying={apply.busy}
          onApproveAll={(seqs) => void decide.run(seqs, "approved")}
          onApply={() => void apply.run()}
        />
      )}
      <ActionError error={error} />
      {applied && <ApplyNotice r={applied} />}
      {plan.changes.length === 0 ? (
        <Empty
          title={
            plan.leftAsAgreed.length > 0
              ? "Nothing to change: the PSA bills what Trueup found, but for what was left as agreed below."
              : "Nothing to change: the PSA already bills what Trueup found."
          }
        />
      ) : (
        <ChangesTable
          changes={plan.changes}
          editable={editable}
          busy={busy}
          onDecide={(seq, d) => void decide.run([seq], d)}
        />
      )}
      <LeftAsAgreedTable left={plan.leftAsAgreed ?? []} />
    </div>
  );
}
