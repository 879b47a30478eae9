import { useState } from "react";
import { api, evidenceUrl, queries, statementUrl } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { useAction, useCan, useGet } from "../hooks.ts";
import type { StatementLink } from "../types.ts";

// A client's statement and protection evidence to download, and the links that share the statement
// with the client (issue 14). A new link's URL is shown once: only its hash is stored.

export function StatementPanel({ clientId }: { clientId: string }) {
  const can = useCan();
  const links = useGet(queries.statementLinks(clientId));
  const [days, setDays] = useState(30);
  const [shared, setShared] = useState<{ link: StatementLink; url: string } | undefined>();
  const share = useAction(async () => {
    const r = await api.shareStatement(clientId, days);
    setShared(r);
    links.reload();
  });
  return (
    <div className="statement-panel" data-testid="statement-panel">
      <div className="button-row">
        <a className="btn" href={statementUrl(clientId, "html")} target="_blank" rel="noreferrer">
          Open statement
        </a>
        <a className="btn" href={statementUrl(clientId, "pdf")} download>
          Statement PDF
        </a>
        <a className="btn" href={statementUrl(clientId, "csv")} download>
          Statement CSV
        </a>
        <a className="btn" href={evidenceUrl(clientId, "pdf")} download>
          Protection evidence PDF
        </a>
        <a className="btn" href={evidenceUrl(clientId, "csv")} download>
          Evidence CSV
        </a>
      </div>
      {can.edit && (
        <div className="button-row share-row">
          <label>
            Link valid for{" "}
            <input
              type="number"
              min={1}
              max={90}
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
              aria-label="Days the link is valid"
              style={{ width: "4em" }}
            />{" "}
            days
          </label>
          <button
            type="button"
            className="btn btn-primary"
            disabled={share.busy}
            onClick={() => void share.run()}
          >
            Share with the client
          </button>
        </div>
      )}
      {share.error && (
        <p className="alert alert-error" role="alert">
          {share.error.message}
        </p>
      )}
      {shared && <NewLink shared={shared} />}
      <LinkTable links={links.data ?? []} canEdit={can.edit} onChanged={links.reload} />
    </div>
  );
}

function NewLink({ shared }: { shared: { link: StatementLink; url: string } }) {
  const [to, setTo] = useState("");
  const [sent, setSent] = useState(false);
  const send = useAction(async () => {
    await api.sendStatementLink(shared.link.id, to, shared.url);
    setSent(true);
  });
  return (
    <div className="alert alert-info" data-testid="new-statement-link">
      <p>
        Send this link to the client. It is shown only now, and works until{" "}
        {shared.link.expiresAt.slice(0, 10)}:
      </p>
      <p>
        <input readOnly value={shared.url} aria-label="Shared link" style={{ width: "100%" }} />
      </p>
      <div className="button-row">
        <input
          type="email"
          placeholder="client@example.com"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-label="E-mail to"
        />
        <button
          type="button"
          className="btn"
          disabled={send.busy || to === ""}
          onClick={() => void send.run()}
        >
          Send by e-mail
        </button>
        {sent && <span>Sent to {to}.</span>}
      </div>
      {send.error && (
        <p className="alert alert-error" role="alert">
          {send.error.message}
        </p>
      )}
    </div>
  );
}

function LinkTable({
  links,
  canEdit,
  onChanged,
}: {
  links: StatementLink[];
  canEdit: boolean;
  onChanged: () => void;
}) {
  const revoke = useAction(async (id: number) => {
    await api.revokeStatementLink(id);
    onChanged();
  });
  if (links.length === 0) return <p className="muted">No statement has been shared yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="statement-links">
        <caption className="visually-hidden">Shared statement links</caption>
        <thead>
          <tr>
            <th>Month</th>
            <th>Shared</th>
            <th>Expires</th>
            <th>Views</th>
            <th>Acknowledged</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {links.map((l) => (
            <tr key={l.id}>
              <td>{l.month}</td>
              <td>
                {formatDateTime(l.createdAt)} by {l.createdBy}
              </td>
              <td>{l.revokedAt ? `revoked ${formatDateTime(l.revokedAt)}` : l.expiresAt.slice(0, 10)}</td>
              <td>{l.views}</td>
              <td>
                {l.acknowledgedAt ? `${l.acknowledgedBy} on ${l.acknowledgedAt.slice(0, 10)}` : "not yet"}
              </td>
              <td>
                {canEdit && !l.revokedAt && (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={revoke.busy}
                    onClick={() => void revoke.run(l.id)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoke.error && (
        <p className="alert alert-error" role="alert">
          {revoke.error.message}
        </p>
      )}
    </div>
  );
}
