import { Worker } from "node:worker_threads";

// The embedded database (PGlite) in a thread of its own (db-worker.ts), behind the few calls the
// store makes of it: a query, a dump of its folder, close. PGlite runs in the thread that calls it:
// in the thread that answers requests, writing a run's 9 MB report or 5,000 rows of an import held
// every other request up for up to a second. TRUEUP_WORKER=0 keeps it in this thread.

/**
 * PGlite's settings. PostgreSQL's default shared buffers (128 MB) live in the WebAssembly memory,
 * which never shrinks, and duplicate what the system's file cache holds of the data folder: 16 MB
 * keeps a server's resident memory lower at the cost of reads the file cache answers. 32 MB before:
 * with 2,000 clients the database's memory after ten runs was 92 MB, now 73 MB; runs through the API
 * took the same time (2.4-2.8 s against 2.5-2.7 s after the first, two server starts each).
 */
export const PGLITE_SETTINGS = { postgresqlconf: ["shared_buffers = 16MB"] };

export type DbRequest = { op: "query"; sql: string; params: unknown[] } | { op: "dump" } | { op: "close" };

export type DbReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: Record<string, unknown> };

/** What the store uses of a PGlite instance. */
export interface Embedded {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>;
  dumpDataDir(compression: "gzip"): Promise<Blob>;
  close(): Promise<void>;
}

/**
 * The database thread's young generation, in MB: its JavaScript only hands rows over, and V8's
 * default (up to 32 MB, kept once reached) was most of its heap.
 */
const DB_THREAD_YOUNG_MB = 4;

function startWorker(dataDir: string): Worker {
  const here = import.meta.url;
  const resourceLimits = { maxYoungGenerationSizeMb: DB_THREAD_YOUNG_MB };
  return here.endsWith(".ts")
    ? new Worker(new URL("./worker-tsx.js", here), {
        workerData: { entry: "db-worker", dataDir },
        resourceLimits,
      })
    : new Worker(new URL("../store/db-worker.js", here), { workerData: { dataDir }, resourceLimits });
}

/** PGlite on the data folder, in a worker thread; resolves once the database is open. */
export async function openEmbeddedWorker(dataDir: string): Promise<Embedded> {
  const worker = startWorker(dataDir);
  let next = 0;
  let closed = false;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const failAll = (error: Error) => {
    closed = true;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    waiting.set(-1, { resolve: () => resolve(), reject });
  });
  worker.on("message", (reply: DbReply) => {
    const asked = waiting.get(reply.id);
    if (!asked) return;
    waiting.delete(reply.id);
    // Idle, the thread does not keep the process alive (as PGlite in this thread would not).
    if (waiting.size === 0) worker.unref();
    if (reply.ok) asked.resolve(reply.value);
    else asked.reject(Object.assign(new Error(String(reply.error.message)), reply.error));
  });
  worker.on("error", (e) => failAll(e));
  worker.on("exit", (code) =>
    failAll(new Error(`the embedded database's thread stopped (exit code ${code})`)),
  );
  const ask = <T>(request: DbRequest): Promise<T> => {
    if (closed) return Promise.reject(new Error("the embedded database is closed"));
    const id = next++;
    if (waiting.size === 0) worker.ref();
    const promise = new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    worker.postMessage({ id, request });
    return promise;
  };
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  worker.unref();
  return {
    query: (sql, params = []) => ask({ op: "query", sql, params }),
    async dumpDataDir() {
      const bytes = await ask<Uint8Array<ArrayBuffer>>({ op: "dump" });
      return new Blob([bytes]);
    },
    async close() {
      if (closed) return;
      try {
        await ask({ op: "close" });
      } finally {
        closed = true;
        await worker.terminate();
      }
    },
  };
}
