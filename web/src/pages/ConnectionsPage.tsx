import { type FormEvent, useState } from "react";
import { api, queries } from "../api.ts";
import { Count } from "../components/Figures.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { ActionError, Empty, ErrorState, Loading } from "../components/States.tsx";
import { formatCount, formatDateTime } from "../format.ts";
import { useAction, useCan, useGet } from "../hooks.ts";
import { Link } from "../router.tsx";
import type { ConnectionSecret, ConnectionView, PullOutcome } from "../types.ts";

// Connections: the outside systems Trueup reads (trueup.yaml `connections:`), their last pull and
// the next, a pull by hand (billing, admin), and where each secret comes from. An admin stores a
// secret here (encrypted by the server); no value is ever shown, not even a stored one.

export function ConnectionsPage() {
  const can = useCan();
  const connections = useGet(queries.connections());
  const list = connections.data;
  return (
    <>
      <PageHeader
        title="Connections"
        subtitle="The systems Trueup pulls from: when each last answered, what it brought, and when it is pulled next."
      />
      <Section title="Connections" id="connections">
        {connections.error ? (
          <ErrorState error={connections.error} onRetry={connections.reload} />
        ) : !list ? (
          <Loading what="Loading connections" />
        ) : list.length === 0 ? (
          <Empty title="No connection yet.">
            <p>
              List them under <code>connections:</code> in trueup.yaml (<Link to="/catalogue">Catalogue</Link>
              ), with a source that reads each.
            </p>
          </Empty>
        ) : (
          <>
            <ConnectionsTable connections={list} canPull={can.edit} onPulled={connections.reload} />
            <p className="hint">
              Times are in your time zone; schedules are cron expressions in UTC. Rows are those of the last
              successful pull. A failed pull stores nothing and keeps the previous rows.
            </p>
          </>
        )}
      </Section>
      {list?.some((c) => c.secrets.length > 0) && (
        <Section title="Secrets" id="secrets">
          <p className="hint">
            A secret stored here is encrypted in the database and used before the environment variable. Values
            are never shown again.
          </p>
          <p className="hint" data-testid="secrets-binding">
            A stored secret is bound to its connection's kind and address (url, and any sign-in or token
            address): when an admin changes one of them, the stored secrets of that connection are no longer
            used until an admin enters them again. Environment variables must start with the prefix the
            operator allowed (<code>TRUEUP_CONN_</code> unless set otherwise).
          </p>
          <SecretsTable connections={list} canStore={can.admin} onStored={connections.reload} />
        </Section>
      )}
    </>
  );
}

function ConnectionsTable({
  connections,
  canPull,
  onPulled,
}: {
  connections: ConnectionView[];
  canPull: boolean;
  onPulled: () => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table connections-table" data-testid="connections-table">
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col">Feeds</th>
            <th scope="col">Last pull</th>
            <th scope="col">Last success</th>
            <th scope="col">Rows</th>
            <th scope="col" className="col-error">
              Last error
            </th>
            <th scope="col">Next pull (schedule, UTC)</th>
            {canPull && (
              <th scope="col">
                <span className="visually-hidden">Pull</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {connections.map((c) => (
            <ConnectionRow key={c.name} c={c} canPull={canPull} onPulled={onPulled} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConnectionRow({
  c,
  canPull,
  onPulled,
}: {
  c: ConnectionView;
  canPull: boolean;
  onPulled: () => void;
}) {
  const missing = c.secrets.filter((s) => s.source !== "stored" && s.source !== "environment");
  return (
    <tr
      data-testid="connection-row"
      data-connection={c.name}
      data-kind={c.kind}
      data-psa={c.psa ? "true" : "false"}
      className={c.lastError ? "row-failing" : undefined}
    >
      <th scope="row">
        <span className="connection-name" data-testid="connection-name">
          {c.name}
        </span>
        <span className="sub" data-testid="connection-title">
          {c.title}
        </span>
        {c.url && <span className="url sub muted">{c.url}</span>}
        <span className="badges">
          {c.psa && <span className="badge">PSA</span>}
          {missing.length > 0 && (
            <span className="badge badge-danger" title={missing.map((s) => s.name).join(", ")}>
              {missing.length === 1 ? "1 secret missing" : `${missing.length} secrets missing`}
            </span>
          )}
        </span>
      </th>
      <td data-testid="connection-feeds">
        {c.sources.length > 0 ? (
          c.sources.join(", ")
        ) : (
          <span className="muted" title={`It could provide: ${c.provides.join(", ")}`}>
            No source reads it
          </span>
        )}
      </td>
      <td className="when" data-testid="connection-last-pull" data-value={c.lastPullAt ?? ""}>
        <When iso={c.lastPullAt} none="Never" />
      </td>
      <td className="when" data-testid="connection-last-success" data-value={c.lastSuccessAt ?? ""}>
        <When iso={c.lastSuccessAt} none="Never" />
      </td>
      <td>
        <Counts counts={c.counts} />
      </td>
      <td className="col-error">
        {c.lastError ? (
          <p className="error-text" data-testid="connection-error">
            {c.lastError}
          </p>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="when">
        <span data-testid="connection-next-pull" data-value={c.nextPullAt ?? ""}>
          <When iso={c.nextPullAt} none="Not scheduled yet" />
        </span>
        <code className="sub" data-testid="connection-schedule">
          {c.schedule}
        </code>
      </td>
      {canPull && (
        <td className="col-pull">
          <PullButton name={c.name} onDone={onPulled} />
        </td>
      )}
    </tr>
  );
}

/** An instant as its day and, below, its time (the table stays narrow); `none` when there is none. */
function When({ iso, none }: { iso: string | undefined; none: string }) {
  if (!iso) return <span className="muted">{none}</span>;
  const text = formatDateTime(iso);
  const comma = text.lastIndexOf(", ");
  if (comma < 0) return <>{text}</>;
  return (
    <>
      <span className="nowrap">{text.slice(0, comma)}</span>
      <span className="sub">{text.slice(comma + 2)}</span>
    </>
  );
}

function Counts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="plain-list counts" data-testid="connection-counts">
      {entries.map(([kind, n]) => (
        <li key={kind} data-testid="connection-count" data-kind={kind}>
          {kind}: <Count value={n} />
        </li>
      ))}
    </ul>
  );
}

/** "Pull now": disabled while the pull runs (a slow system can take a minute), then its outcome. */
function PullButton({ name, onDone }: { name: string; onDone: () => void }) {
  const [outcome, setOutcome] = useState<PullOutcome | null>(null);
  const pull = useAction(async () => {
    setOutcome(null);
    try {
      const o = await api.pull(name);
      setOutcome(o);
      return o;
    } finally {
      onDone();
    }
  });
  return (
    <div className="pull">
      <button
        type="button"
        className="btn btn-small"
        disabled={pull.busy}
        aria-busy={pull.busy}
        onClick={() => void pull.run()}
        data-testid="pull-now"
      >
        {pull.busy ? "Pulling…" : "Pull now"}
      </button>
      {pull.busy && (
        <span className="small muted" role="status">
          Reading {name}…
        </span>
      )}
      {outcome &&
        (outcome.ok ? (
          <p className="pull-outcome pull-ok" role="status" data-testid="pull-outcome" data-ok="true">
            Pulled {countsText(outcome.counts)}
            {outcome.runId !== undefined && (
              <>
                ; <Link to={`/findings?runId=${outcome.runId}`}>run #{outcome.runId}</Link>
              </>
            )}
            .
          </p>
        ) : (
          <p className="pull-outcome error-text" role="alert" data-testid="pull-outcome" data-ok="false">
            Failed: nothing stored.
          </p>
        ))}
      <ActionError error={pull.error} />
    </div>
  );
}

function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([k, n]) => `${formatCount(n)} ${k}`);
  return parts.length > 0 ? parts.join(", ") : "nothing";
}

function SecretsTable({
  connections,
  canStore,
  onStored,
}: {
  connections: ConnectionView[];
  canStore: boolean;
  onStored: () => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="secrets-table">
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col">Secret</th>
            <th scope="col">Comes from</th>
            {canStore && <th scope="col">Store a value</th>}
          </tr>
        </thead>
        <tbody>
          {connections.flatMap((c) =>
            c.secrets.map((s) => (
              <tr
                key={`${c.name}/${s.name}`}
                data-testid="secret-row"
                data-connection={c.name}
                data-secret={s.name}
                data-source={s.source}
              >
                <td>{c.name}</td>
                <th scope="row">
                  <code>{s.name}</code>
                </th>
                <td>
                  <SecretSourceText secret={s} />
                </td>
                {canStore && (
                  <td>
                    <SecretForm connection={c.name} secret={s} onStored={onStored} />
                  </td>
                )}
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}

function SecretSourceText({ secret }: { secret: ConnectionSecret }) {
  if (secret.source === "stored")
    return (
      <span className="secret-source source-stored" data-testid="secret-source">
        Stored (encrypted)
      </span>
    );
  if (secret.source === "unbound")
    return (
      <span className="secret-source source-missing" data-testid="secret-source">
        Stored for another address or kind: not used. An admin must enter it again.
      </span>
    );
  if (secret.source === "refused")
    return (
      <span className="secret-source source-missing" data-testid="secret-source">
        Refused: {secret.note ?? `${secret.variable} is not allowed`}
      </span>
    );
  if (secret.source === "environment")
    return (
      <span className="secret-source source-environment" data-testid="secret-source">
        Environment variable <code>{secret.variable}</code>
      </span>
    );
  return (
    <span className="secret-source source-missing" data-testid="secret-source">
      Missing
      {secret.variable ? (
        <>
          : set <code>{secret.variable}</code> or store it
        </>
      ) : (
        ": store it"
      )}
    </span>
  );
}

function SecretForm({
  connection,
  secret,
  onStored,
}: {
  connection: string;
  secret: ConnectionSecret;
  onStored: () => void;
}) {
  const [value, setValue] = useState("");
  const [stored, setStored] = useState(false);
  const id = `secret-${connection}-${secret.name}`;
  const store = useAction(async (v: string) => {
    await api.storeSecret(connection, secret.name, v);
    setValue("");
    setStored(true);
    onStored();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setStored(false);
    if (value === "") return;
    void store.run(value);
  };
  return (
    <>
      <form className="map-form" onSubmit={submit} data-testid="secret-form">
        <label className="visually-hidden" htmlFor={id}>
          Value of {secret.name} for {connection}
        </label>
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={value}
          placeholder={secret.source === "stored" ? "Replace the stored value" : "Paste the value"}
          onChange={(e) => {
            setValue(e.target.value);
            setStored(false);
          }}
        />
        <button type="submit" className="btn btn-small btn-primary" disabled={store.busy || value === ""}>
          {store.busy ? "Storing…" : secret.source === "stored" ? "Replace" : "Store"}
        </button>
      </form>
      {stored && (
        <p className="pending-note small" role="status" data-testid="secret-stored">
          Stored, encrypted.
        </p>
      )}
      <ActionError error={store.error} />
    </>
  );
}
