import { type FormEvent, type ReactNode, useState } from "react";
import { api, queries } from "../api.ts";
import { Money } from "../components/Figures.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { PricingPanel } from "../components/PricingPanel.tsx";
import { SandboxPanel } from "../components/SandboxPanel.tsx";
import { ActionError, Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import {
  formatCount,
  formatDateTime,
  formatDay,
  formatMoney,
  isZeroMoney,
  plural,
  typeLabel,
} from "../format.ts";
import { type Loaded, useAction, useCan, useGet } from "../hooks.ts";
import { Link, setQuery, useLocation } from "../router.tsx";
import type {
  ApplyResult,
  ChangeDecision,
  ConnectionView,
  LeftAsAgreed,
  Paged,
  SyncChangeView,
  SyncEventView,
  SyncPlanView,
} from "../types.ts";

// PSA sync: plan the changes that make the PSA bill what the reconciliation says (the server reads
// the PSA, reconciles and saves the plan before anything is sent), approve or reject each one, apply
// the approved ones (each at most once; a line someone changed since the plan is a conflict, never
// overwritten), and read every request that was sent. Viewers see it all without the buttons.

const HISTORY_LIMIT = 100;

/** YYYY-MM-01 of the month after `now`, in the reader's calendar: the server's default too. */
export function firstOfNextMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-01`;
}

/** A change the PSA may still receive: not finished, and not one a person must place by hand. */
function open(c: SyncChangeView): boolean {
  return c.change.action !== "choose" && (c.state === "planned" || c.state === "failed");
}

export function SyncPage() {
  const can = useCan();
  const { search } = useLocation();
  const connections = useGet(queries.connections());
  const psas = (connections.data ?? []).filter((c) => c.psa);
  const asked = search.get("connection") ?? undefined;
  const chosen = psas.find((c) => c.name === asked) ?? psas[0];

  return (
    <>
      <PageHeader
        title="PSA sync"
        subtitle="Make the PSA bill what Trueup found: plan, approve each change, apply. Nothing is sent before you apply."
      />
      <PricingPanel canEdit={can.edit} />
      {connections.error ? (
        <ErrorState error={connections.error} onRetry={connections.reload} />
      ) : !connections.data ? (
        <Loading what="Loading connections" />
      ) : psas.length === 0 || !chosen ? (
        <Empty title="No PSA connection.">
          <p>
            Add a ConnectWise, Autotask or HaloPSA connection under <code>connections:</code> in trueup.yaml
            and a billing source that reads it (<Link to="/connections">Connections</Link>).
          </p>
        </Empty>
      ) : (
        <Sync key={chosen.name} psas={psas} connection={chosen} canEdit={can.edit} />
      )}
    </>
  );
}

function Sync({
  psas,
  connection,
  canEdit,
}: {
  psas: ConnectionView[];
  connection: ConnectionView;
  canEdit: boolean;
}) {
  const plans = useGet(queries.syncPlans({ connection: connection.name, limit: 1 }));
  const latest = plans.data?.items[0];
  const plan = useGet(latest ? queries.syncPlan(latest.id) : null);
  const [historyOffset, setHistoryOffset] = useState(0);
  const history = useGet(
    latest ? queries.syncHistory({ planId: latest.id, limit: HISTORY_LIMIT, offset: historyOffset }) : null,
  );
  const [planned, setPlanned] = useState<SyncPlanView | null>(null);

  const changed = () => {
    plans.reload();
    plan.reload();
    history.reload();
  };

  return (
    <>
      <SandboxPanel connection={connection} canEdit={canEdit} onReset={changed} />
      <Section title="Plan" id="plan-form">
        <PlanForm
          psas={psas}
          connection={connection}
          canEdit={canEdit}
          onPlanned={(p) => {
            setPlanned(p);
            setHistoryOffset(0);
            plans.reload();
          }}
        />
        {planned && planned.connection === connection.name && (
          <Notice testId="plan-done">
            Plan #{planned.id}: {plural(planned.changes.length, "change")}, monthly impact{" "}
            {formatMoney(planned.monthlyImpact)}. Review each change below, then apply.
          </Notice>
        )}
      </Section>
      <Section title="Latest plan" id="plan" testId="plan-section">
        {plans.error ? (
          <ErrorState error={plans.error} onRetry={plans.reload} />
        ) : !plans.data ? (
          <Loading what="Loading plans" />
        ) : !latest ? (
          <Empty title={`No plan for ${connection.name} yet.`}>
            {canEdit ? <p>Choose the effective date and press Plan.</p> : null}
          </Empty>
        ) : plan.error ? (
          <ErrorState error={plan.error} onRetry={plan.reload} />
        ) : !plan.data ? (
          <Loading what="Loading the plan" />
        ) : (
          <PlanView plan={plan.data} canEdit={canEdit} onChanged={changed} />
        )}
      </Section>
      {latest && (
        <Section title="History of this plan" id="history" testId="history-section">
          <History history={history} onPage={setHistoryOffset} />
        </Section>
      )}
    </>
  );
}

function PlanForm({
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
        <label className="field">
          <span>PSA connection</span>
          <select
            value={connection.name}
            onChange={(e) => setQuery({ connection: e.target.value })}
            disabled={plan.busy}
          >
            {psas.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.title})
              </option>
            ))}
          </select>
        </label>
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

function PlanView({
  plan,
  canEdit,
  onChanged,
}: {
  plan: SyncPlanView;
  canEdit: boolean;
  onChanged: () => void;
}) {
  const editable = canEdit && plan.status === "open";
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
  const busy = decide.busy || apply.busy;
  const approvable = plan.changes.filter((c) => open(c) && c.decision === "pending").map((c) => c.seq);
  // An approved change left "applying" by an apply that died is sent again (after a read) too.
  const toApply = plan.changes.filter(
    (c) => (open(c) || c.state === "applying") && c.decision === "approved" && c.change.action !== "choose",
  ).length;
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
        <div className="button-row plan-actions">
          <button
            type="button"
            className="btn"
            disabled={busy || approvable.length === 0}
            onClick={() => void decide.run(approvable, "approved")}
            data-testid="approve-all"
          >
            Approve all
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || toApply === 0}
            onClick={() => void apply.run()}
            data-testid="apply"
          >
            {apply.busy ? "Applying…" : "Apply approved changes"}
          </button>
          <span className="hint">
            {toApply === 0
              ? "Approve changes to apply them."
              : `${plural(toApply, "approved change")} will be sent to the PSA.`}
          </span>
        </div>
      )}
      <ActionError error={decide.error ?? apply.error} />
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

function figure(v: string | number | null): string {
  if (v === null) return "—";
  return typeof v === "number" ? formatCount(v) : formatMoney(v);
}

/** What the plan does not change because a person dismissed the finding, and why. */
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

function ApplyNotice({ r }: { r: ApplyResult }) {
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

function ChangesTable({
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
  const decidable = editable && open(c);
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

// ---- history ----

const KIND_LABELS: Record<string, string> = {
  plan: "Planned",
  approve: "Approved",
  reject: "Rejected",
  reopen: "Back to pending",
  attempt: "Attempt",
  exchange: "Request",
  "no-answer": "No answer",
  verified: "Already done",
  applied: "Applied",
  conflict: "Conflict",
  error: "Failed",
};

function History({
  history,
  onPage,
}: {
  history: Loaded<Paged<SyncEventView>>;
  onPage: (o: number) => void;
}) {
  const page = history.data;
  if (history.error) return <ErrorState error={history.error} onRetry={history.reload} />;
  if (!page) return <Loading what="Loading the history" />;
  if (page.items.length === 0) return <Empty title="Nothing has happened to this plan yet." />;
  return (
    <>
      <p className="hint">
        Oldest first: the plan, every decision, and each request sent to the PSA with its answer.
      </p>
      <div className="table-wrap">
        <table className="table table-compact history-table" data-testid="history-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col">What</th>
              <th scope="col" className="col-details">
                Details
              </th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((e) => (
              <tr
                key={e.id}
                data-testid="history-row"
                data-kind={e.kind}
                data-seq={e.seq}
                data-method={
                  e.kind === "exchange" || e.kind === "no-answer" ? text(e.details.method) : undefined
                }
                data-status={e.kind === "exchange" ? text(e.details.status) : undefined}
                className={
                  e.kind === "conflict" || e.kind === "error" || e.kind === "no-answer"
                    ? "row-error"
                    : undefined
                }
              >
                <td className="nowrap">{formatDateTime(e.at)}</td>
                <td>{e.actor}</td>
                <td className="num">{e.seq ?? "—"}</td>
                <td className="nowrap">{KIND_LABELS[e.kind] ?? e.kind}</td>
                <td className="col-details">
                  <EventDetails e={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="History" total={page.total} limit={page.limit} offset={page.offset} onPage={onPage} />
    </>
  );
}

function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : json(v);
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v, null, 1) ?? "";
  } catch {
    return String(v);
  }
}

function EventDetails({ e }: { e: SyncEventView }) {
  const d = e.details;
  if (e.kind === "exchange" || e.kind === "no-answer")
    return (
      <div className="exchange">
        <code className="exchange-request" data-testid="history-request">
          {text(d.method)} {text(d.path)}
        </code>{" "}
        {e.kind === "exchange" ? (
          <span data-testid="history-status" className={Number(d.status) >= 400 ? "error-text" : undefined}>
            → {text(d.status)}
          </span>
        ) : (
          <span className="error-text" data-testid="history-status">
            → no answer: {text(d.error)}
          </span>
        )}
        {typeof d.ms === "number" && <span className="muted small"> ({formatCount(d.ms)} ms)</span>}
        {d.requestBody !== undefined && (
          <pre className="json" data-testid="history-body">
            {json(d.requestBody)}
          </pre>
        )}
        {d.responseBody !== undefined && (
          <details className="answer">
            <summary>Answer</summary>
            <pre className="json">{json(d.responseBody)}</pre>
          </details>
        )}
      </div>
    );
  const parts: ReactNode[] = [];
  if (e.kind === "plan") {
    parts.push(
      `${plural(Number(d.changes ?? 0), "change")}, effective ${text(d.effective)}, monthly impact ${formatMoney(text(d.monthlyImpact))}`,
    );
  } else if (e.kind === "approve" || e.kind === "reject" || e.kind === "reopen") {
    const seqs = Array.isArray(d.seqs) ? `#${d.seqs.join(", #")}` : text(d.seqs);
    parts.push(`${seqs} (${plural(Number(d.changes ?? 0), "change")})`);
  } else {
    if (d.message !== undefined) parts.push(text(d.message));
    if (d.found !== undefined) parts.push(`PSA had: ${text(d.found)}`);
    if (d.unknownOutcome === true) parts.push("the outcome is unknown: the next apply reads the line first");
  }
  if (parts.length === 0) return <code className="details">{json(d)}</code>;
  return <span data-testid="history-text">{parts.join("; ")}</span>;
}
