import { formatMoney, isZeroMoney, plural } from "../../format.ts";
import type { ChangeDecision, SyncChangeView } from "../../types.ts";
import { Money } from "../Figures.tsx";
import { isOpen } from "./plan.ts";

// The plan's changes, one row each: what changes, why, its decision (with the buttons that make it)
// and what applying it did.

const STATE_LABELS: Record<SyncChangeView["state"], string> = {
  planned: "Not sent",
  applying: "Being applied",
  applied: "Applied",
  conflict: "Conflict",
  failed: "Failed",
};

const DECISION_LABELS: Record<ChangeDecision, string> = {
  pending: "Pending",
  approved: "Approved",
  rejected: "Rejected",
};

export function ChangesTable({
  changes,
  editable,
  busy,
  onDecide,
}: {
  changes: SyncChangeView[];
  editable: boolean;
  busy: boolean;
  onDecide: (seq: number, decision: ChangeDecision) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table table-compact changes-table" data-testid="changes-table">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Client and agreement</th>
            <th scope="col">Product and line</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Monthly impact
            </th>
            <th scope="col" className="col-why">
              Why
            </th>
            <th scope="col">Decision</th>
            <th scope="col" className="col-result">
              State and result
            </th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <ChangeRow key={c.seq} c={c} editable={editable} busy={busy} onDecide={onDecide} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChangeRow({
  c,
  editable,
  busy,
  onDecide,
}: {
  c: SyncChangeView;
  editable: boolean;
  busy: boolean;
  onDecide: (seq: number, decision: ChangeDecision) => void;
}) {
  const ch = c.change;
  const choose = ch.action === "choose";
  const rowClass =
    c.state === "conflict"
      ? "row-conflict"
      : c.state === "failed"
        ? "row-failed"
        : choose
          ? "row-choose"
          : c.decision === "rejected"
            ? "row-dismissed"
            : undefined;
  const decidable = editable && isOpen(c);
  const button = (decision: ChangeDecision, label: string, primary = false) => (
    <button
      type="button"
      className={primary ? "btn btn-small btn-primary" : "btn btn-small"}
      disabled={busy}
      onClick={() => onDecide(c.seq, decision)}
    >
      {label}
    </button>
  );
  return (
    <tr
      data-testid="change-row"
      data-seq={c.seq}
      data-action={ch.action}
      data-decision={c.decision}
      data-state={c.state}
      data-line={ch.line?.id}
      className={rowClass}
    >
      <td className="num">{c.seq}</td>
      <td>
        <span className="strong" data-testid="change-client">
          {ch.clientName}
        </span>
        <span className="sub" data-testid="change-agreement">
          {choose ? (
            <>
              <span className="badge badge-warn">Needs an agreement</span>
              {ch.candidates && ch.candidates.length > 0 && (
                <span className="muted"> one of: {ch.candidates.map((a) => a.name).join(", ")}</span>
              )}
            </>
          ) : (
            (ch.agreementName ?? ch.agreement ?? "—")
          )}
        </span>
      </td>
      <td>
        <code data-testid="change-product">{ch.product}</code>
        <span className="sub muted" data-testid="change-line">
          {ch.action === "set" && ch.line
            ? `line ${ch.line.id}`
            : ch.action === "create"
              ? "new line"
              : "no line"}
        </span>
      </td>
      <td className="num" data-testid="change-quantity" data-from={ch.from} data-to={ch.to}>
        {ch.from} → <strong>{ch.to}</strong>
      </td>
      <td className="num" data-testid="change-price">
        {ch.fromPrice !== undefined || ch.toPrice !== undefined ? (
          <>
            {formatMoney(ch.fromPrice)} → <strong>{formatMoney(ch.toPrice)}</strong>
          </>
        ) : (
          <span className="muted" title={`Counted at ${formatMoney(ch.unitPrice)} a unit`}>
            —
          </span>
        )}
      </td>
      <td className={`num ${impactTone(ch.monthlyImpact)}`}>
        <Money value={ch.monthlyImpact} testId="change-impact" />
      </td>
      <td className="col-why" data-testid="change-why">
        {ch.why}
      </td>
      <td>
        <div className="decision-cell">
          {choose ? (
            <span className="small" data-testid="change-decision" data-value="choose">
              Not approvable: add the line by hand in the PSA, or give the client one agreement, then plan
              again.
            </span>
          ) : (
            <span
              className={`status decision-${c.decision}`}
              data-testid="change-decision"
              data-value={c.decision}
            >
              {DECISION_LABELS[c.decision]}
            </span>
          )}
          {c.decidedBy && !choose && <span className="status-by">by {c.decidedBy}</span>}
          {ch.preApproved && c.decision === "approved" && c.decidedBy === ch.preApproved.by && (
            <span className="status-by" data-testid="change-preapproved">
              pre-approved: the finding was accepted
            </span>
          )}
          {decidable && (
            <div className="button-row decision">
              {c.decision !== "approved" && button("approved", "Approve", true)}
              {c.decision !== "rejected" && button("rejected", "Reject")}
              {c.decision !== "pending" && button("pending", "Undo")}
            </div>
          )}
        </div>
      </td>
      <td className="col-result">
        <StateBadge state={c.state} />
        {c.attempts > 0 && <span className="status-by"> {plural(c.attempts, "attempt")}</span>}
        {c.result && (
          <p
            className={c.state === "conflict" || c.state === "failed" ? "error-text small" : "small muted"}
            data-testid="change-result"
          >
            {c.result}
          </p>
        )}
      </td>
    </tr>
  );
}

function impactTone(v: string): string {
  if (isZeroMoney(v)) return "";
  return v.trim().startsWith("-") ? "impact-down" : "impact-up";
}

function StateBadge({ state }: { state: SyncChangeView["state"] }) {
  const tone =
    state === "conflict" || state === "failed"
      ? "badge-danger"
      : state === "applied"
        ? "badge-ok"
        : state === "applying"
          ? "badge-warn"
          : "";
  return (
    <span className={`badge ${tone}`} data-testid="change-state" data-value={state}>
      {STATE_LABELS[state]}
    </span>
  );
}
