import { type ReactNode, useMemo, useState } from "react";
import { findingsCsvUrl, queries } from "../api.ts";
import { Count, Money, SplitLine } from "../components/Figures.tsx";
import { FindingsTable, type SortState } from "../components/FindingsTable.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { StatementPanel } from "../components/StatementPanel.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { nextSort, sortFindings } from "../finding-sort.ts";
import { formatCount, formatDateTime, formatMoney, plural } from "../format.ts";
import { useGet } from "../hooks.ts";
import { Link } from "../router.tsx";
import type { ClientDetail, DeviceView, Line } from "../types.ts";

export function ClientPage({ id }: { id: string }) {
  const client = useGet(queries.client(id));
  const c = client.data;
  return (
    <>
      <PageHeader
        title={c?.name ?? "Client"}
        subtitle={
          <>
            <Link to="/clients">Clients</Link> / <code>{id}</code>
          </>
        }
        actions={
          c && (
            <div className="button-row">
              <Link className="btn" to={`/findings?clientId=${encodeURIComponent(id)}`}>
                All its findings
              </Link>
              <a className="btn" href={findingsCsvUrl({ clientId: id })} download>
                Export CSV
              </a>
            </div>
          )
        }
      />
      {client.error ? (
        <ErrorState error={client.error} onRetry={client.reload} />
      ) : !c ? (
        <Loading what="Loading the client" />
      ) : (
        <ClientBody c={c} reload={client.reload} />
      )}
    </>
  );
}

function ClientBody({ c, reload }: { c: ClientDetail; reload: () => void }) {
  // Largest money first, as on the findings page; every column header sorts.
  const [order, setOrder] = useState<SortState>({ sort: "impact", order: "desc" });
  // Hostnames in a COVERAGE_GAP finding's evidence, with the services whose agent they miss.
  const gaps = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const f of c.findings)
      if (f.type === "COVERAGE_GAP") for (const h of f.evidence) m.set(h, [...(m.get(h) ?? []), f.subject]);
    return m;
  }, [c.findings]);
  const hostnames = useMemo(() => new Set(c.devices.map((d) => d.hostname)), [c.devices]);
  const upns = useMemo(() => new Set(c.users.map((u) => u.upn)), [c.users]);
  const linkEvidence = (item: string) => {
    if (hostnames.has(item)) return `#device-${encodeURIComponent(item)}`;
    if (upns.has(item)) return `#user-${encodeURIComponent(item)}`;
    return undefined;
  };

  return (
    <>
      <dl className="figures" data-testid="client-figures">
        <Figure label="Billable users">
          <Count value={c.counts.billableUsers} testId="client-billable-users" />
        </Figure>
        <Figure label="Current devices">
          <Count value={c.counts.currentDevices} testId="client-current-devices" />
        </Figure>
        <Figure label="Stale devices">
          <Count value={c.counts.staleDevices} testId="client-stale-devices" />
        </Figure>
        <Figure label="Under-billed">
          <Money value={c.underBilled} />{" "}
          <SplitLine split={c.split.underBilled} testId="client-split-underBilled" />
        </Figure>
        <Figure label="Over-billed">
          <Money value={c.overBilled} />{" "}
          <SplitLine split={c.split.overBilled} testId="client-split-overBilled" />
        </Figure>
        <Figure label="Licence waste">
          <Money value={c.licenceWaste} />
        </Figure>
        <Figure label="Licence shortfall">
          <Money value={c.licenceShortfall} />
        </Figure>
        <Figure label="Monthly impact">
          <Money value={c.impact} testId="client-impact" />
        </Figure>
        <Figure label="Net a month (a year)">
          <Money value={c.net} testId="client-net" />{" "}
          <span className="muted" data-testid="client-annual" data-value={c.annual}>
            ({formatMoney(c.annual)})
          </span>
        </Figure>
        <Figure label="Dismissed (not in these figures)">
          <span data-testid="client-dismissed">
            <Money value={c.dismissed.impact} testId="client-dismissed-impact" />{" "}
            <span className="muted">{plural(c.dismissed.findings, "finding")}</span>
          </span>
        </Figure>
      </dl>

      <Section title="Statement and evidence" id="statement" testId="client-statement">
        <StatementPanel clientId={c.id} />
      </Section>

      <Section title="Plans" testId="client-plans">
        <Plans c={c} />
      </Section>

      <Section
        title="Bundles and services: required, billed, purchased, deployed"
        id="lines"
        testId="client-lines"
      >
        <Lines lines={c.lines} />
      </Section>

      <Section title={`Findings (${formatCount(c.findings.length)})`} id="findings" testId="client-findings">
        {c.findings.length === 0 ? (
          <Empty title="Nothing to fix: billing, licences and coverage agree with what this client has." />
        ) : (
          <FindingsTable
            findings={sortFindings(c.findings, order)}
            sort={order}
            onSort={(column) => setOrder(nextSort(order, column))}
            showClient={false}
            onChanged={reload}
            linkEvidence={linkEvidence}
            caption={`Findings for ${c.name}`}
          />
        )}
      </Section>

      <Section title={`Devices (${formatCount(c.devices.length)})`} id="devices" testId="client-devices">
        <Devices devices={c.devices} gaps={gaps} />
      </Section>

      <Section title={`Billable users (${formatCount(c.users.length)})`} id="users" testId="client-users">
        <Users users={c.users} />
      </Section>
    </>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A plan as in trueup.yaml, on one line: "bundle gold-user · users licencesAny SPB · price 140.00". */
function describe(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(describe).join(", ");
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${describe(v)}`)
      .join(", ");
  return String(value);
}

function planLabel(p: Record<string, unknown>): string | undefined {
  if (typeof p.bundle === "string") return `bundle:${p.bundle}`;
  if (typeof p.service === "string") return `service:${p.service}`;
  return undefined;
}

function Plans({ c }: { c: ClientDetail }) {
  if (c.plans.length === 0)
    return <Empty title="This client has no plans: nothing is billed to it by design." />;
  const users = new Map<string, number>();
  const devices = new Map<string, number>();
  for (const u of c.users) if (u.plan) users.set(u.plan, (users.get(u.plan) ?? 0) + 1);
  for (const d of c.devices) if (d.plan && d.current) devices.set(d.plan, (devices.get(d.plan) ?? 0) + 1);
  return (
    <ol className="plans">
      {c.plans.map((p, i) => {
        const label = planLabel(p);
        const rest = Object.entries(p).filter(([k]) => k !== "bundle" && k !== "service" && k !== "kind");
        return (
          // Plans are read in order (first match wins): the index is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={i} data-testid="plan">
            <code>{label ?? describe(p)}</code>
            {rest.map(([k, v]) => (
              <span key={k} className="plan-part">
                {k} <strong>{k === "price" && typeof v === "string" ? formatMoney(v) : describe(v)}</strong>
              </span>
            ))}
            {label && (
              <span className="plan-count muted">
                takes {plural(users.get(label) ?? 0, "user")}, {plural(devices.get(label) ?? 0, "device")}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function Diff({ value, required }: { value: number | null; required: number | null }) {
  if (value === null)
    return (
      <span className="muted" title="No source gives this figure">
        —
      </span>
    );
  const d = required === null ? 0 : value - required;
  return (
    <>
      <span className="num" data-value={value}>
        {formatCount(value)}
      </span>
      {d !== 0 && (
        <span className="delta">
          <span aria-hidden="true">{d > 0 ? `+${formatCount(d)}` : `−${formatCount(-d)}`}</span>
          <span className="visually-hidden">{`, ${d < 0 ? "short by" : "over by"} ${formatCount(Math.abs(d))}`}</span>
        </span>
      )}
    </>
  );
}

function diffClass(value: number | null, required: number | null): string {
  if (value === null || required === null || value === required) return "num";
  return value < required ? "num diff-under" : "num diff-over";
}

function Lines({ lines }: { lines: Line[] }) {
  if (lines.length === 0)
    return <Empty title="No bundle or service is required, billed, bought or deployed." />;
  return (
    <>
      <p className="hint">
        Each figure is compared with <em>required</em>: <span className="diff-under legend-chip">short</span>{" "}
        <span className="diff-over legend-chip">over</span>. A dash means no source gives that figure.
      </p>
      <div className="table-wrap">
        <table className="table" data-testid="lines-table">
          <caption className="visually-hidden">The four figures of each bundle and service</caption>
          <thead>
            <tr>
              <th scope="col">Bundle or service</th>
              <th scope="col" className="num">
                Required
              </th>
              <th scope="col" className="num">
                Billed
              </th>
              <th scope="col" className="num">
                Purchased
              </th>
              <th scope="col" className="num">
                Deployed
              </th>
              <th scope="col" className="num">
                Price
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.subject} data-testid="line-row" data-subject={l.subject}>
                <th scope="row">
                  {l.name && <span className="line-name">{l.name}</span>}
                  <code className="subject">{l.subject}</code>
                </th>
                <td className="num">
                  <Diff value={l.required} required={null} />
                </td>
                {(["billed", "purchased", "deployed"] as const).map((k) => (
                  <td key={k} className={diffClass(l[k], l.required)} data-testid={`line-${k}`}>
                    <Diff value={l[k]} required={l.required} />
                  </td>
                ))}
                <td className="num">
                  {l.price === null ? <span className="muted">—</span> : <Money value={l.price} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Devices({ devices, gaps }: { devices: DeviceView[]; gaps: Map<string, string[]> }) {
  const [filter, setFilter] = useState("");
  const [onlyGaps, setOnlyGaps] = useState(false);
  const deployments = useMemo(
    () => [...new Set(devices.flatMap((d) => Object.keys(d.deployments)))].sort(),
    [devices],
  );
  if (devices.length === 0) return <Empty title="No devices: the inventory has none for this client." />;
  const f = filter.trim().toLowerCase();
  const shown = devices.filter(
    (d) =>
      (!onlyGaps || gaps.has(d.hostname)) &&
      (f === "" || d.hostname.toLowerCase().includes(f) || (d.plan ?? "").toLowerCase().includes(f)),
  );
  return (
    <>
      <div className="toolbar">
        <label className="field-inline">
          <span>Filter devices</span>
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={onlyGaps} onChange={(e) => setOnlyGaps(e.target.checked)} />
          Only devices with a coverage gap ({formatCount(gaps.size)})
        </label>
      </div>
      {shown.length === 0 ? (
        <Empty title="No device matches." />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="devices-table">
            <caption className="visually-hidden">
              Devices, their plan and the deployments that see them
            </caption>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Type</th>
                <th scope="col">Last seen</th>
                <th scope="col">State</th>
                <th scope="col">Plan</th>
                {deployments.map((n) => (
                  <th key={n} scope="col" className="center">
                    {n}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => {
                const gap = gaps.get(d.hostname);
                return (
                  <tr
                    key={d.hostname}
                    id={`device-${d.hostname}`}
                    data-testid="device-row"
                    data-hostname={d.hostname}
                    data-current={d.current}
                    data-coverage-gap={gap !== undefined}
                    className={gap ? "row-gap" : d.current ? undefined : "row-stale"}
                  >
                    <th scope="row">
                      {d.hostname}
                      {gap && (
                        <span className="badge badge-danger" title={`Coverage gap: ${gap.join(", ")}`}>
                          coverage gap
                        </span>
                      )}
                    </th>
                    <td>{d.type}</td>
                    <td className="num">{formatDateTime(d.lastSeen)}</td>
                    <td>
                      {d.current ? (
                        <span className="status status-open">current</span>
                      ) : (
                        <span className="status status-stale">stale</span>
                      )}
                    </td>
                    <td>{d.plan ? <code>{d.plan}</code> : <span className="muted">no plan</span>}</td>
                    {deployments.map((n) => (
                      <DeploymentCell key={n} name={n} device={d} />
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/**
 * One deployment on one device: checked only where the device's plan includes a service of it. A
 * deployment the plan does not include is "not in plan" (an agent seen there anyway says so).
 */
function DeploymentCell({ name, device }: { name: string; device: DeviceView }) {
  const seen = device.deployments[name] === true;
  const required = device.inPlan.includes(name);
  const state = required ? (seen ? "seen" : "missing") : "not-in-plan";
  const text = required ? (seen ? "✓ seen" : "✗ missing") : seen ? "not in plan (seen)" : "not in plan";
  return (
    <td
      className={`center ${state === "not-in-plan" ? "muted" : state}`}
      data-testid="device-deployment"
      data-deployment={name}
      data-seen={seen}
      data-state={state}
    >
      {text}
    </td>
  );
}

function Users({ users }: { users: ClientDetail["users"] }) {
  const [filter, setFilter] = useState("");
  if (users.length === 0) return <Empty title="No billable users." />;
  const f = filter.trim().toLowerCase();
  const shown = users.filter(
    (u) => f === "" || u.upn.toLowerCase().includes(f) || (u.plan ?? "").toLowerCase().includes(f),
  );
  return (
    <>
      <div className="toolbar">
        <label className="field-inline">
          <span>Filter users</span>
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      </div>
      {shown.length === 0 ? (
        <Empty title="No user matches." />
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="users-table">
            <caption className="visually-hidden">Billable users and the plan that takes each</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Plan</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((u) => (
                <tr key={u.upn} id={`user-${u.upn}`} data-testid="user-row" data-upn={u.upn}>
                  <th scope="row">{u.upn}</th>
                  <td>
                    {u.plan ? <code>{u.plan}</code> : <span className="badge badge-warn">no plan</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
