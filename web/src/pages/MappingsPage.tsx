import { type FormEvent, useId, useState } from "react";
import { ApiError, api, queries } from "../api.ts";
import { PageHeader } from "../components/Page.tsx";
import { RunButton } from "../components/RunButton.tsx";
import { ActionError, Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import { formatCount, formatMoney } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";
import type { Mapping, MappingQueue, UnmappedItem, UnmappedRow } from "../types.ts";

const KIND_LABEL: Record<UnmappedItem["kind"], string> = {
  account: "Account",
  sku: "SKU",
  product: "PSA product",
};

const TARGET_LABEL: Record<UnmappedItem["kind"], string> = {
  account: "client",
  sku: "service",
  product: "bundle or service",
};

function itemKey(i: UnmappedItem): string {
  return `${i.kind}:${i.system}:${i.value}`;
}

export function MappingsPage() {
  const queue = useGet(queries.mappings());
  const can = useCan();
  const [done, setDone] = useState<string | null>(null);
  // Mapped items stay in the latest run's queue until the next run: they show what they were mapped to.
  const [pending, setPending] = useState<Map<string, string>>(new Map());
  const items = queue.data?.items ?? [];
  const [ranOnce, setRanOnce] = useState(false);
  const ran = () => {
    setPending(new Map());
    setDone(null);
    setRanOnce(true);
    queue.reload();
  };
  return (
    <>
      <PageHeader
        title="Mappings"
        subtitle="Accounts, SKUs and products in your files that Trueup cannot place yet."
      />
      <p className="alert alert-info">
        A mapping is saved at once and <strong>shows on the next run</strong>: the findings it explains go
        then.
        {can.edit && " Start a run when you have mapped what you can."}
      </p>
      {(done || ranOnce) && (
        <Notice testId="mapping-done">
          {done && <p>{done} The change shows on the next run.</p>}
          {/* Stays mounted across the run, so that its own notice says what the run found. */}
          <RunButton label="Run the reconciliation now" primary onDone={ran} />
        </Notice>
      )}
      {queue.error ? (
        <ErrorState error={queue.error} onRetry={queue.reload} />
      ) : !queue.data ? (
        <Loading what="Loading the queue" />
      ) : items.length === 0 ? (
        <Empty title="Nothing to map: every account, SKU and product of the latest run is known.">
          {!done && !ranOnce && <RunButton label="Start a run" />}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="mappings-table">
            <caption className="visually-hidden">Unmapped accounts, SKUs and products</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">System</th>
                <th scope="col">Value</th>
                <th scope="col" className="num">
                  Money a month
                </th>
                <th scope="col">Rows behind it</th>
                {can.edit && <th scope="col">Map to</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <Row
                  key={itemKey(i)}
                  item={i}
                  queue={queue.data as MappingQueue}
                  edit={can.edit}
                  pending={pending.get(itemKey(i))}
                  onDone={(message, mapped) => {
                    setDone(message);
                    if (mapped) setPending((p) => new Map(p).set(itemKey(i), message));
                    else queue.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
          <p className="hint">
            {formatCount(items.length)} to map, most money first: billed rows at quantity × unit price,
            licence rows at quantity × unit cost (0 where the file gives no cost).
          </p>
        </div>
      )}
    </>
  );
}

function Row({
  item,
  queue,
  edit,
  pending,
  onDone,
}: {
  item: UnmappedItem;
  queue: MappingQueue;
  edit: boolean;
  /** What the item was mapped to, until the next run takes it from the queue. */
  pending: string | undefined;
  /** mapped: false when the item was ignored (it leaves the queue at once). */
  onDone: (message: string, mapped: boolean) => void;
}) {
  const [target, setTarget] = useState("");
  const [former, setFormer] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [missing, setMissing] = useState(false);
  const selectId = useId();
  const what = `${KIND_LABEL[item.kind]} ${item.value}`;

  const send = async (mapping: Mapping, message: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.map(mapping);
      onDone(message, mapping.kind !== "ignore");
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "client", String(e)));
    } finally {
      setBusy(false);
    }
  };

  const map = (e: FormEvent) => {
    e.preventDefault();
    if (!target) {
      setMissing(true);
      return;
    }
    const [kind, ...rest] = target.split(":");
    const id = rest.join(":");
    const name = nameOf(queue, kind ?? "", id);
    const message = `Mapped ${what} to ${kind} ${name}.`;
    if (item.kind === "account")
      void send({ kind: "account", system: item.system, value: item.value, clientId: id }, message);
    else if (item.kind === "sku")
      void send({ kind: "sku", system: item.system, value: item.value, serviceId: id }, message);
    else
      void send(
        {
          kind: "product",
          value: item.value,
          target: { kind: kind === "bundle" ? "bundle" : "service", id },
        },
        message,
      );
  };

  const ignore = () =>
    void send(
      { kind: "ignore", item: item.kind, system: item.system, value: item.value },
      `${what} is ignored from now on.`,
    );

  return (
    <tr
      data-testid="unmapped-row"
      data-kind={item.kind}
      data-system={item.system}
      data-value={item.value}
      data-pending={pending !== undefined}
    >
      <td>{KIND_LABEL[item.kind]}</td>
      <td>{item.system || <span className="muted">—</span>}</td>
      <td>
        <code>{item.value}</code>
      </td>
      <td className="num">
        <strong data-testid="unmapped-monthly" data-value={item.monthly}>
          {formatMoney(item.monthly)}
        </strong>
      </td>
      <td>
        <Rows rows={item.rows} />
      </td>
      {edit && pending !== undefined && (
        <td>
          <span className="pending-note" data-testid="unmapped-pending">
            {pending}
          </span>{" "}
          <span className="hint">It leaves this queue on the next run.</span>
        </td>
      )}
      {edit && pending === undefined && (
        <td>
          <form className="map-form" onSubmit={map}>
            <label htmlFor={selectId} className="visually-hidden">
              Map {KIND_LABEL[item.kind]} {item.value} to a {TARGET_LABEL[item.kind]}
            </label>
            <select
              id={selectId}
              value={target}
              aria-invalid={missing}
              onChange={(e) => {
                setTarget(e.target.value);
                setMissing(false);
              }}
            >
              <option value="">Choose a {TARGET_LABEL[item.kind]}…</option>
              <Targets kind={item.kind} queue={queue} />
            </select>
            <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
              Map
            </button>
            {item.kind === "account" && (
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                aria-expanded={former}
                onClick={() => setFormer(!former)}
              >
                A former client…
              </button>
            )}
            <button type="button" className="btn btn-small" disabled={busy} onClick={ignore}>
              Ignore
            </button>
            {missing && (
              <p className="field-error" role="alert">
                Choose a {TARGET_LABEL[item.kind]} first.
              </p>
            )}
          </form>
          {former && (
            <FormerForm
              item={item}
              queue={queue}
              busy={busy}
              onSubmit={(m, message) => void send(m, message)}
            />
          )}
          <ActionError error={error} />
        </td>
      )}
    </tr>
  );
}

const ROWS_SHOWN = 4;

/** One row behind an unmapped item, as a billing manager checks it: what and how much, then where. */
function rowText(r: UnmappedRow): { what: string; where: string } {
  if (r.kind === "billing")
    return {
      what: `${r.product} · ${r.quantity} × ${formatMoney(r.unitPrice)} = ${formatMoney(r.monthly)}`,
      where: `agreement ${r.agreement || "none"} · ${r.ref}`,
    };
  if (r.kind === "licences") {
    const cost =
      r.unitCost === undefined
        ? "no cost in the row"
        : `× ${formatMoney(r.unitCost)} = ${formatMoney(r.monthly)}`;
    return { what: `${r.vendor ?? ""} ${r.sku} · ${r.quantity} licences ${cost}`, where: r.ref };
  }
  const kind = r.kind === "users" ? "user" : r.kind === "devices" ? "device" : "agent";
  return { what: `${kind} ${r.name ?? ""}`, where: r.ref };
}

function Rows({ rows }: { rows: UnmappedRow[] }) {
  if (rows.length === 0) return <span className="muted">—</span>;
  const item = (r: UnmappedRow) => (
    <li key={r.ref} data-testid="unmapped-source-row" data-ref={r.ref} data-monthly={r.monthly}>
      <span className="row-what">{rowText(r).what}</span>
      <span className="row-where muted">{rowText(r).where}</span>
    </li>
  );
  return (
    <div className="evidence unmapped-rows">
      <ul>{rows.slice(0, ROWS_SHOWN).map(item)}</ul>
      {rows.length > ROWS_SHOWN && (
        <details>
          <summary>{rows.length - ROWS_SHOWN} more rows</summary>
          <ul>{rows.slice(ROWS_SHOWN).map(item)}</ul>
        </details>
      )}
    </div>
  );
}

/** The first day of this month (UTC), YYYY-MM-DD: when a client that has left stopped being owed. */
function firstOfThisMonth(): string {
  return `${new Date().toISOString().slice(0, 7)}-01`;
}

/** A client id from a name: "Ivy Lane Florists" -> "ivy-lane-florists". */
function idFrom(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * An account of a client that has left: recorded on a new client (or one in the catalogue) with the
 * date it ended, so that the next run shows what still runs for it (to refund or cancel).
 */
function FormerForm({
  item,
  queue,
  busy,
  onSubmit,
}: {
  item: UnmappedItem;
  queue: MappingQueue;
  busy: boolean;
  onSubmit: (m: Mapping, message: string) => void;
}) {
  const [clientId, setClientId] = useState("");
  const [name, setName] = useState("");
  const [ended, setEnded] = useState(firstOfThisMonth());
  const ids = useId();
  const isNew = clientId === "";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = isNew ? idFrom(name) : clientId;
    const label = isNew ? name : nameOf(queue, "client", clientId);
    onSubmit(
      {
        kind: "former",
        system: item.system,
        value: item.value,
        clientId: id,
        ...(isNew ? { name: name.trim() } : {}),
        ended,
      },
      `Recorded ${KIND_LABEL[item.kind]} ${item.value} on former client ${label}, ended ${ended}.`,
    );
  };
  return (
    <form className="former-form" onSubmit={submit} data-testid="former-form">
      <label className="field-inline" htmlFor={`${ids}-client`}>
        <span>Former client</span>
        <select id={`${ids}-client`} value={clientId} onChange={(e) => setClientId(e.target.value)}>
          <option value="">A new client…</option>
          {queue.clients.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name === c.id ? c.id : `${c.name} (${c.id})`}
            </option>
          ))}
        </select>
      </label>
      {isNew && (
        <label className="field-inline" htmlFor={`${ids}-name`}>
          <span>Name</span>
          <input
            id={`${ids}-name`}
            value={name}
            required
            data-testid="former-name"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
      )}
      <label className="field-inline" htmlFor={`${ids}-ended`}>
        <span>Ended on</span>
        <input
          id={`${ids}-ended`}
          type="date"
          value={ended}
          required
          data-testid="former-ended"
          onChange={(e) => setEnded(e.target.value)}
        />
      </label>
      <button type="submit" className="btn btn-primary btn-small" disabled={busy || (isNew && !idFrom(name))}>
        Record as former client
      </button>
      <p className="hint">
        From that date on the client is owed nothing: the next run shows what is still billed (to refund) and
        bought or deployed for it (to cancel).
      </p>
    </form>
  );
}

function Targets({ kind, queue }: { kind: UnmappedItem["kind"]; queue: MappingQueue }) {
  const options = (prefix: string, list: { id: string; name: string }[]) =>
    list.map((x) => (
      <option key={x.id} value={`${prefix}:${x.id}`}>
        {x.name === x.id ? x.id : `${x.name} (${x.id})`}
      </option>
    ));
  if (kind === "account") return <>{options("client", queue.clients)}</>;
  if (kind === "sku") return <>{options("service", queue.services)}</>;
  return (
    <>
      <optgroup label="Bundles">{options("bundle", queue.bundles)}</optgroup>
      <optgroup label="Services">{options("service", queue.services)}</optgroup>
    </>
  );
}

function nameOf(queue: MappingQueue, kind: string, id: string): string {
  const list = kind === "client" ? queue.clients : kind === "bundle" ? queue.bundles : queue.services;
  return list.find((x) => x.id === id)?.name ?? id;
}
