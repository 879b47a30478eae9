import { Worker } from "node:worker_threads";
import type { Config } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import { type Issue, WorkspaceError } from "../workspace/issues.ts";
import { pack } from "./clone.ts";
import { type CheckedUpload, checkUpload, type UploadRequest } from "./read-upload.ts";
import { type ReadWorkspace, readWorkspace } from "./read-workspace.ts";
import { type ReportPart, RunEngine, type RunResult } from "./run-engine.ts";

// The store's reconciliations, run in a worker thread (worker.ts): the core, its report as JSON and
// the report indexed for the API take seconds on thousands of clients, during which the thread that
// answers requests would answer none. The worker keeps the input of the latest data, so that runs
// after the first send nothing but the date. TRUEUP_WORKER=0 runs the same code in this thread.

export type WorkerRequest =
  | { op: "has"; key: string }
  | { op: "begin"; key: string }
  /** Records, or a stored chunk of them as its JSON text. */
  | { op: "add"; key: string; sourceIndex: number; records: CsvRecord[] | string }
  /** The configuration packed (clone.ts). */
  | { op: "run"; key: string; config: unknown; asOf: string }
  | { op: "reportPart"; ticket: number; start: number; count: number }
  | { op: "readWorkspace"; dir: string }
  /** The configuration packed (clone.ts). */
  | ({ op: "checkUpload" } & UploadRequest);

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; issues: Issue[] }
  | { id: number; ok: false; message: string };

/** An uploaded file to check, with the configuration as it is (packed on its way to the worker). */
export type Upload = Omit<UploadRequest, "config"> & { config: Config };

/** What the store asks of its engine, in a worker or in this thread. */
export interface RunTasks {
  has(key: string): Promise<boolean>;
  begin(key: string): Promise<void>;
  /** Records, or a stored chunk of them as its JSON text (import-rows.ts storedChunks). */
  add(key: string, sourceIndex: number, records: CsvRecord[] | string): Promise<void>;
  run(key: string, config: Config, asOf: string): Promise<RunResult | undefined>;
  reportPart(ticket: number, start: number, count: number): Promise<ReportPart | undefined>;
  /** A workspace folder read and checked for an import (imports.ts readWorkspace). */
  readWorkspace(dir: string): Promise<ReadWorkspace>;
  /** An uploaded file read and checked for a preview or an import (read-upload.ts checkUpload). */
  checkUpload(request: Upload): Promise<CheckedUpload>;
  close(): Promise<void>;
}

function inline(): RunTasks {
  const engine = new RunEngine();
  return {
    has: async (key) => engine.has(key),
    begin: async (key) => engine.begin(key),
    add: async (key, i, records) => engine.add(key, i, records),
    run: (key, config, asOf) => engine.run(key, config, asOf),
    reportPart: async (ticket, start, count) => engine.reportPart(ticket, start, count),
    readWorkspace: (dir) => readWorkspace(dir),
    checkUpload: (request) => checkUpload({ ...request, config: pack(request.config) }),
    close: async () => {},
  };
}

/** The worker's script: from the sources (tsx, tests), one that registers tsx first (worker-tsx.js). */
function startWorker(): Worker {
  const here = import.meta.url;
  return new Worker(new URL(here.endsWith(".ts") ? "./worker-tsx.js" : "../store/worker.js", here));
}

function threaded(): RunTasks {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    worker = undefined;
  };
  const ask = <T>(request: WorkerRequest): Promise<T> => {
    if (!worker) {
      const w = startWorker();
      // Idle, the worker does not keep the process alive; while it works for someone, it does.
      w.unref();
      w.on("message", (reply: WorkerReply) => {
        const asked = waiting.get(reply.id);
        if (!asked) return;
        waiting.delete(reply.id);
        if (waiting.size === 0) w.unref();
        const w2 = asked;
        if (reply.ok) w2.resolve(reply.value);
        else if ("issues" in reply) w2.reject(new WorkspaceError(reply.issues));
        else w2.reject(new Error(`in the store's worker thread: ${reply.message}`));
      });
      w.on("error", (e) => failAll(e));
      w.on("exit", (code) => failAll(new Error(`the store's worker thread stopped (exit code ${code})`)));
      worker = w;
    }
    const id = next++;
    if (waiting.size === 0) worker.ref();
    const promise = new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    worker.postMessage({ id, request });
    return promise;
  };
  return {
    has: (key) => ask({ op: "has", key }),
    begin: (key) => ask({ op: "begin", key }),
    add: (key, sourceIndex, records) => ask({ op: "add", key, sourceIndex, records }),
    run: (key, config, asOf) => ask({ op: "run", key, config: pack(config), asOf }),
    reportPart: (ticket, start, count) => ask({ op: "reportPart", ticket, start, count }),
    readWorkspace: (dir) => ask({ op: "readWorkspace", dir }),
    checkUpload: (request) => ask({ op: "checkUpload", ...request, config: pack(request.config) }),
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}

const TASKS = new WeakMap<object, RunTasks>();

/** The engine of a store (its context): a worker thread, unless TRUEUP_WORKER=0; started when first used. */
export function runTasks(owner: object, env: NodeJS.ProcessEnv = process.env): RunTasks {
  let tasks = TASKS.get(owner);
  if (!tasks) {
    tasks = env.TRUEUP_WORKER === "0" ? inline() : threaded();
    TASKS.set(owner, tasks);
  }
  return tasks;
}

/** Stops the store's worker thread, if it started one. */
export async function closeRunTasks(owner: object): Promise<void> {
  await TASKS.get(owner)?.close();
  TASKS.delete(owner);
}
