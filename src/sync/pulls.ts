import { ConnectionError } from "../connectors/errors.ts";
import { connectorOf } from "../connectors/index.ts";
import { toRecords } from "../connectors/snapshot.ts";
import type { Connection } from "../connectors/types.ts";
import type { Actor, PulledRecords, Store } from "../store/store.ts";
import type { SourceKind } from "../workspace/config.ts";
import { formatIssue } from "../workspace/issues.ts";
import { pullConnection, SyncError } from "./service.ts";

// A pull in the app: the connection's rows become the new import of each source reading it (one
// transaction), its status is kept, and the reconciliation runs again. A failure stores no row.

export interface PullOutcome {
  connection: string;
  ok: boolean;
  counts: Record<string, number>;
  error?: string;
  runId?: number;
}

export async function pullIntoStore(
  store: Store,
  name: string,
  actor: Actor,
  opts: { today: string; io?: { out(t: string): void; err(t: string): void } },
): Promise<number> {
  const outcome = await pullAndReconcile(store, name, actor, opts.today, (m) =>
    opts.io?.err(`${name}: ${m}\n`),
  );
  if (!outcome.ok) {
    opts.io?.err(`trueup: ${name} failed, nothing of this pull was stored: ${outcome.error}\n`);
    return 3;
  }
  const counts = Object.entries(outcome.counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  opts.io?.out(`${name}: ${counts}; stored, and reconciled as run ${outcome.runId}\n`);
  return 0;
}

export async function pullAndReconcile(
  store: Store,
  name: string,
  actor: Actor,
  today: string,
  progress?: (m: string) => void,
): Promise<PullOutcome> {
  const config = await store.loadConfig();
  const conn = config.connections.find((c) => c.name === name);
  if (!conn)
    throw new SyncError(
      `no connection "${name}" (connections: ${config.connections.map((c) => c.name).join(", ") || "none"})`,
    );
  try {
    const stored = await store.storedSecrets(name);
    const result = await pullConnection(conn, { stored, onProgress: progress, sandbox: store.sandboxBook() });
    const pulled: PulledRecords = {};
    for (const [kind, rows] of Object.entries(result.rows))
      pulled[kind as SourceKind] = toRecords(kind as SourceKind, rows ?? []);
    const { issues } = await store.storePull(name, pulled, result.counts, actor);
    const first = issues.find((i) => i.severity === "error");
    if (first) return { connection: name, ok: false, counts: result.counts, error: formatIssue(first) };
    const run = await store.reconcile({ today }, actor);
    return { connection: name, ok: true, counts: result.counts, runId: run.id };
  } catch (e) {
    if (!(e instanceof ConnectionError) && !(e instanceof Error && e.name === "StoreError")) throw e;
    // Scrubbed already (pullConnection); short, as viewers read it on the Connections page.
    const error = shortError(e.message);
    await store.recordPullError(name, error);
    return { connection: name, ok: false, counts: {}, error };
  }
}

export const MAX_ERROR = 300;

/** At most MAX_ERROR characters of an error, on one line: what a status column can show. */
export function shortError(message: string): string {
  const line = message.replace(/\s+/g, " ").trim();
  return line.length <= MAX_ERROR ? line : `${line.slice(0, MAX_ERROR - 1)}…`;
}

/** Connections some source reads, each pulled on its own: one failing does not stop the others. */
export function pulledConnections(config: {
  connections: Connection[];
  sources: { connection?: string }[];
}): Connection[] {
  return config.connections.filter((c) => config.sources.some((s) => s.connection === c.name));
}

export function describeConnection(conn: Connection): string {
  return `${conn.name} (${connectorOf(conn.kind).title})`;
}
