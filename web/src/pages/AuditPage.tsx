import { useState } from "react";
import { queries } from "../api.ts";
import { PageHeader } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { formatDateTime } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";

const LIMIT = 50;

export function AuditPage() {
  const can = useCan();
  if (!can.admin)
    return (
      <>
        <PageHeader title="Audit log" />
        <Empty title="Only an admin reads the audit log." />
      </>
    );
  return <Audit />;
}

function Audit() {
  const [offset, setOffset] = useState(0);
  const audit = useGet(queries.audit({ limit: LIMIT, offset }));
  const page = audit.data;
  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change, who made it and when; newest first." />
      {audit.error ? (
        <ErrorState error={audit.error} onRetry={audit.reload} />
      ) : !page ? (
        <Loading what="Loading the audit log" />
      ) : page.items.length === 0 ? (
        <Empty title="Nothing has changed yet." />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-compact" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((a) => (
                  <tr key={a.id} data-testid="audit-row" data-action={a.action}>
                    <td className="num nowrap">{formatDateTime(a.at)}</td>
                    <td>
                      <p className="audit-sentence" data-testid="audit-sentence">
                        {a.sentence}
                      </p>
                      <details className="audit-details">
                        <summary>
                          Details <code>{a.action}</code>
                        </summary>
                        <code className="details">
                          {JSON.stringify({ actor: a.actor, entity: a.entity, ...a.details }, null, 2)}
                        </code>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            label="Audit"
            total={page.total}
            limit={page.limit}
            offset={page.offset}
            onPage={setOffset}
          />
        </>
      )}
    </>
  );
}
