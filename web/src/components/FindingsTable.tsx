import { type FormEvent, Fragment, useEffect, useRef, useState } from "react";
import { type ApiError, api, get, queries } from "../api.ts";
import { formatCount, formatMoney, statusLabel, typeLabel, typeTone } from "../format.ts";
import { useCan } from "../hooks.ts";
import { Link } from "../router.tsx";
import type { FindingSort, FindingStatus, FindingView } from "../types.ts";
import { Money } from "./Figures.tsx";
import { ActionError, Notice } from "./States.tsx";

/** Evidence shown before the rest folds, with its count. */
const EVIDENCE_SHOWN = 3;

function figure(v: string | number | null): string {
  if (v === null) return "—";
  return typeof v === "number" ? formatCount(v) : formatMoney(v);
}

/** Evidence items fetched per "Load more". */
const EVIDENCE_PAGE = 500;

/**
 * The users, devices or file lines behind a finding; a long list folds after the first few. Lists
 * carry a finding's first 50 items: with `finding`, the rest load on demand, a page at a time.
 */
export function Evidence({
  items: first,
  finding,
  linkTo,
}: {
  items: string[];
  finding?: Pick<FindingView, "runId" | "key" | "evidenceTotal">;
  linkTo?: (item: string) => string | undefined;
}) {
  const [more, setMore] = useState<string[]>([]);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState<ApiError | undefined>();
  // A new list (another run, a decision) starts again from what it carries.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the finding's evidence changes
  useEffect(() => setMore([]), [first, finding?.runId, finding?.key]);
  const items = more.length > 0 ? [...first, ...more] : first;
  const left = Math.max(0, (finding?.evidenceTotal ?? items.length) - items.length);
  const loadMore = async () => {
    if (!finding) return;
    setLoading(true);
    setFailed(undefined);
    try {
      const q = { runId: finding.runId, key: finding.key, offset: items.length, limit: EVIDENCE_PAGE };
      const page = await get(queries.evidence(q));
      setMore((m) => [...m, ...page.items]);
    } catch (e) {
      setFailed(e as ApiError);
    } finally {
      setLoading(false);
    }
  };
  if (items.length === 0) return <span className="muted">—</span>;
  const item = (e: string) => {
    const href = linkTo?.(e);
    return <li key={e}>{href ? <a href={href}>{e}</a> : e}</li>;
  };
  return (
    <div className="evidence" data-testid="finding-evidence">
      <ul>{items.slice(0, EVIDENCE_SHOWN).map(item)}</ul>
      {items.length > EVIDENCE_SHOWN && (
        <details>
          <summary>
            Show {formatCount(items.length - EVIDENCE_SHOWN)} more{" "}
            <span className="muted">({formatCount(finding?.evidenceTotal ?? items.length)} in all)</span>
          </summary>
          <ul>{items.slice(EVIDENCE_SHOWN).map(item)}</ul>
        </details>
      )}
      {left > 0 && (
        <p className="evidence-more" data-testid="evidence-more">
          and {formatCount(left)} more{" "}
          <button type="button" className="btn btn-small" disabled={loading} onClick={() => void loadMore()}>
            {loading ? "Loading…" : `Load ${formatCount(Math.min(left, EVIDENCE_PAGE))} more`}
          </button>
        </p>
      )}
      {failed && <ActionError error={failed} />}
    </div>
  );
}

export function TypeBadge({ type }: { type: string }) {
  return (
    <span className={`type-badge tone-bg-${typeTone(type)}`} data-testid="finding-type">
      {typeLabel(type)}
    </span>
  );
}

export function StatusBadge({ f }: { f: FindingView }) {
  return (
    <div className="status-cell">
      <span className={`status status-${f.status}`} data-testid="finding-status">
        {statusLabel(f.status)}
      </span>
      {f.reason && <span className="status-reason">“{f.reason}”</span>}
      {f.until && (
        <span className="status-by" data-testid="finding-until">
          until {f.until}
        </span>
      )}
      {f.decidedBy && <span className="status-by">by {f.decidedBy}</span>}
    </div>
  );
}

/** "Cobalt Logistics, under-billed Microsoft 365 F3": the finding in a button's accessible name. */
export function findingName(f: FindingView): string {
  return `${f.clientName}, ${typeLabel(f.type).toLowerCase()} ${f.subjectName ?? f.subject}`;
}

/** The subject's catalogue name with its id small beneath, and the one-sentence why. */
function Subject({ f }: { f: FindingView }) {
  return (
    <>
      {f.subjectName ? (
        <>
          <span className="subject-name" data-testid="finding-subject-name">
            {f.subjectName}
          </span>
          <code className="subject subject-id">{f.subject}</code>
        </>
      ) : (
        <code className="subject">{f.subject}</code>
      )}
      {f.why && (
        <span className="finding-why" data-testid="finding-why">
          {f.why}
        </span>
      )}
    </>
  );
}

import type { SortState } from "../finding-sort.ts";

export type { SortState };

/** A column header that sorts the list: aria-sort says how it is sorted now. */
function SortHeader({
  label,
  column,
  sort,
  onSort,
  num,
}: {
  label: string;
  column: FindingSort;
  sort?: SortState;
  onSort?: (column: FindingSort) => void;
  num?: boolean;
}) {
  const active = sort?.sort === column;
  const ariaSort = active ? (sort.order === "asc" ? "ascending" : "descending") : undefined;
  return (
    <th scope="col" className={num ? "num" : undefined} aria-sort={ariaSort}>
      {onSort ? (
        <button
          type="button"
          className="sort-button"
          data-testid={`sort-${column}`}
          onClick={() => onSort(column)}
        >
          {label}
          <span aria-hidden="true" className="sort-mark">
            {active ? (sort.order === "asc" ? " ▲" : " ▼") : ""}
          </span>
        </button>
      ) : (
        label
      )}
    </th>
  );
}

interface Props {
  findings: FindingView[];
  showClient?: boolean;
  /** Called after a decision, to load the list again. */
  onChanged: () => void;
  linkEvidence?: (item: string) => string | undefined;
  caption: string;
  /** How the list is sorted; with onSort every column header sorts it. */
  sort?: SortState;
  onSort?: (column: FindingSort) => void;
}

export function FindingsTable({
  findings,
  showClient = true,
  onChanged,
  linkEvidence,
  caption,
  sort,
  onSort,
}: Props) {
  const can = useCan();
  const [dismissing, setDismissing] = useState<string | null>(null);
  const [busyKey, setBusyKey] = useState<string | null>(null);
  const [error, setError] = useState<{ key: string; error: ApiError } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const decide = async (
    f: FindingView,
    status: FindingStatus,
    reason?: string,
    until?: string,
  ): Promise<boolean> => {
    setBusyKey(f.key);
    setError(null);
    setDone(null);
    try {
      await api.decide(f.key, status, reason, until);
      const verb = status === "accepted" ? "accepted" : status === "dismissed" ? "dismissed" : "reopened";
      setDone(`${typeLabel(f.type)} ${f.subjectName ?? f.subject} at ${f.clientName} ${verb}.`);
      setDismissing(null);
      onChanged();
      return true;
    } catch (e) {
      setError({ key: f.key, error: e as ApiError });
      return false;
    } finally {
      setBusyKey(null);
    }
  };

  const columns = 8 + (showClient ? 1 : 0);
  return (
    <>
      {done && <Notice testId="decision-notice">{done}</Notice>}
      <div className="table-wrap">
        <table className="table findings-table" data-testid="findings-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {showClient && <SortHeader label="Client" column="client" sort={sort} onSort={onSort} />}
              <SortHeader label="Type" column="type" sort={sort} onSort={onSort} />
              <SortHeader label="Subject" column="subject" sort={sort} onSort={onSort} />
              <SortHeader label="Expected" column="expected" sort={sort} onSort={onSort} num />
              <SortHeader label="Actual" column="actual" sort={sort} onSort={onSort} num />
              <SortHeader label="Monthly impact" column="impact" sort={sort} onSort={onSort} num />
              <SortHeader label="Evidence" column="evidence" sort={sort} onSort={onSort} />
              <SortHeader
                label={can.edit ? "Status and decision" : "Status"}
                column="status"
                sort={sort}
                onSort={onSort}
              />
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              // PRICE_MISMATCH is one finding per PSA line: two lines of a product share a key.
              <Fragment key={`${f.key}|${f.evidence[0] ?? ""}`}>
                <tr
                  data-testid="finding-row"
                  data-key={f.key}
                  data-type={f.type}
                  data-status={f.status}
                  data-client-id={f.clientId}
                  className={f.status === "open" ? undefined : `row-${f.status}`}
                >
                  {showClient && (
                    <td>
                      {f.clientId === "_unmapped" ? (
                        <span className="muted">{f.clientName}</span>
                      ) : (
                        <Link to={`/clients/${encodeURIComponent(f.clientId)}`}>{f.clientName}</Link>
                      )}
                    </td>
                  )}
                  <td>
                    <TypeBadge type={f.type} />
                  </td>
                  <td className="col-subject">
                    <Subject f={f} />
                  </td>
                  <td className="num">{figure(f.expected)}</td>
                  <td className="num">{figure(f.actual)}</td>
                  <td className="num">
                    <Money value={f.monthlyImpact} testId="finding-impact" />
                  </td>
                  <td className="col-evidence">
                    <Evidence items={f.evidence} finding={f} linkTo={linkEvidence} />
                  </td>
                  <td className="col-status">
                    <StatusBadge f={f} />
                    {can.edit && (
                      <Decision
                        f={f}
                        busy={busyKey === f.key}
                        onDecide={(s) => decide(f, s)}
                        onDismiss={() => setDismissing(dismissing === f.key ? null : f.key)}
                        dismissOpen={dismissing === f.key}
                      />
                    )}
                  </td>
                </tr>
                {(dismissing === f.key || error?.key === f.key) && (
                  <tr className="row-form">
                    <td colSpan={columns}>
                      {error?.key === f.key && <ActionError error={error.error} />}
                      {dismissing === f.key && (
                        <DismissForm
                          f={f}
                          busy={busyKey === f.key}
                          onCancel={() => setDismissing(null)}
                          onSubmit={(reason, until) => decide(f, "dismissed", reason, until)}
                        />
                      )}
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Decision({
  f,
  busy,
  onDecide,
  onDismiss,
  dismissOpen,
}: {
  f: FindingView;
  busy: boolean;
  onDecide: (s: FindingStatus) => void;
  onDismiss: () => void;
  dismissOpen: boolean;
}) {
  return (
    <div className="button-row decision">
      {f.status === "open" && (
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          aria-label={`Accept: ${findingName(f)}`}
          onClick={() => onDecide("accepted")}
        >
          Accept
        </button>
      )}
      {f.status !== "dismissed" && (
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          aria-expanded={dismissOpen}
          aria-label={`Dismiss: ${findingName(f)}`}
          onClick={onDismiss}
        >
          Dismiss…
        </button>
      )}
      {f.status !== "open" && (
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          aria-label={`Reopen: ${findingName(f)}`}
          onClick={() => onDecide("open")}
        >
          Reopen
        </button>
      )}
    </div>
  );
}

function DismissForm({
  f,
  busy,
  onCancel,
  onSubmit,
}: {
  f: FindingView;
  busy: boolean;
  onCancel: () => void;
  onSubmit: (reason: string, until?: string) => Promise<boolean>;
}) {
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  const [missing, setMissing] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const id = `dismiss-${f.key}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === "") {
      setMissing(true);
      ref.current?.focus();
      return;
    }
    void onSubmit(reason.trim(), until || undefined);
  };

  return (
    <form className="dismiss-form" onSubmit={submit} data-testid="dismiss-form" noValidate>
      <label htmlFor={id}>
        Reason for dismissing {typeLabel(f.type).toLowerCase()} <code>{f.subject}</code> (required)
      </label>
      <textarea
        id={id}
        ref={ref}
        rows={2}
        value={reason}
        required
        aria-invalid={missing}
        aria-describedby={missing ? `${id}-error` : undefined}
        onChange={(e) => {
          setReason(e.target.value);
          if (e.target.value.trim() !== "") setMissing(false);
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") onCancel();
        }}
      />
      {missing && (
        <p id={`${id}-error`} className="field-error" role="alert">
          A reason is required to dismiss a finding.
        </p>
      )}
      <label className="field-inline" htmlFor={`${id}-until`}>
        <span>Until (optional)</span>
        <input
          id={`${id}-until`}
          type="date"
          value={until}
          data-testid="dismiss-until"
          onChange={(e) => setUntil(e.target.value)}
        />
      </label>
      <p className="hint">
        A dismissed finding stays dismissed in later runs until its figures change
        {until ? `, or until ${until}, when it opens again by itself` : ""}. It leaves the open totals, and a
        PSA sync plan leaves its difference as agreed.
      </p>
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Dismissing…" : "Dismiss finding"}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
