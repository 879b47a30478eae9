import type { ReactNode } from "react";
import { formatCount, formatDateTime, formatMoney, plural } from "../../format.ts";
import type { Loaded } from "../../hooks.ts";
import type { Paged, SyncEventView } from "../../types.ts";
import { Pager } from "../Pager.tsx";
import { Empty, ErrorState, Loading } from "../States.tsx";

// The plan's history, oldest first: the plan, every decision, each request sent to the PSA and its answer.

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

export function History({
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
