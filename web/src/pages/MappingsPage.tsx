import { type FormEvent, useId, useState } from "react";
import { ApiError, api, queries } from "../api.ts";
import { Evidence } from "../components/FindingsTable.tsx";
import { PageHeader } from "../components/Page.tsx";
import { RunButton } from "../components/RunButton.tsx";
import { ActionError, Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import { formatCount } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";
import type { Mapping, MappingQueue, UnmappedItem } from "../types.ts";

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
                <th scope="col">Rows</th>
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
          <p className="hint">{formatCount(items.length)} to map.</p>
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
      <td>
        <Evidence items={item.evidence} />
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
            <button type="button" className="btn btn-small" disabled={busy} onClick={ignore}>
              Ignore
            </button>
            {missing && (
              <p className="field-error" role="alert">
                Choose a {TARGET_LABEL[item.kind]} first.
              </p>
            )}
          </form>
          <ActionError error={error} />
        </td>
      )}
    </tr>
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
