import { Worker } from "node:worker_threads";
import type { Config } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import { type Issue, WorkspaceError } from "../workspace/issues.ts";
import type { PackedClientRows } from "./client-rows.ts";
import { pack } from "./clone.ts";
import { type CheckedUpload, checkUpload, type UploadRequest } from "./read-upload.ts";
import { type ReadWorkspace, readWorkspace } from "./read-workspace.ts";
import {
  type Catalogue,
  type MarginJson,
  type ReportPart,
  RunEngine,
  type RunResult,
  type WhatIfJson,
} from "./run-engine.ts";
import type { UnmappedRow } from "./store.ts";
import { wholeNumberUpTo } from "./whole-number.ts";

// The store's work that takes seconds on thousands of clients, in worker threads (worker.ts), during
// which the thread that answers requests would answer none:
// - the engine reconciles: the core, its report as JSON and the report handed over for the API. It
//   keeps the input of the latest data, so that runs after the first send nothing but the date, and
//   stops once idle for a minute (ENGINE_KEEP_S), the input's memory with it;
// - a reader, started for a file and stopped once idle for 30 s (its memory with it), reads and
//   checks an uploaded file or a workspace folder, so that a 50 MB file holds up neither requests nor
//   runs.
// TRUEUP_WORKER=0 runs the same code in this thread.

export type WorkerRequest =
  | { op: "has"; key: string }
  /** The configuration packed (clone.ts). */
  | { op: "begin"; key: string; config: unknown }
  /** Records, or a stored chunk of them as its JSON text. */
  | { op: "add"; key: string; sourceIndex: number; records: CsvRecord[] | string }
  | { op: "run"; key: string; asOf: string }
  | { op: "reportPart"; ticket: number; start: number; count: number }
  | { op: "margin"; key: string; asOf: string }
  | { op: "clientRows"; key: string }
  | { op: "rowsAt"; key: string; refs: string[] }
  /** The catalogues packed (clone.ts). */
  | { op: "whatIf"; key: string; asOf: string; before: unknown; after: unknown }
  | { op: "readWorkspace"; dir: string }
  /** The configuration packed (clone.ts). */
  | ({ op: "checkUpload" } & UploadRequest);

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; issues: Issue[] }
  | { id: number; ok: false; message: string };

/** An uploaded file to check, with the configuration as it is (packed on its way to the worker). */
export type Upload = Omit<UploadRequest, "config"> & { config: Config };

/** An engine (run-engine.ts), in a worker or in this thread: answers undefined for an input it no longer has. */
export interface EngineTasks {
  has(key: string): Promise<boolean>;
  /** Starts gathering the input `key` made with `config` (the previous one is dropped). */
  begin(key: string, config: Config): Promise<void>;
  /** Records, or a stored chunk of them as its JSON text (import-rows.ts storedChunks). */
  add(key: string, sourceIndex: number, records: CsvRecord[] | string): Promise<void>;
  run(key: string, asOf: string): Promise<RunResult | undefined>;
  reportPart(ticket: number, start: number, count: number): Promise<ReportPart | undefined>;
  margin(key: string, asOf: string): Promise<MarginJson | undefined>;
  whatIf(key: string, asOf: string, before: Catalogue, after: Catalogue): Promise<WhatIfJson | undefined>;
  clientRows(key: string): Promise<PackedClientRows | undefined>;
  rowsAt(key: string, refs: string[]): Promise<[string, UnmappedRow][] | undefined>;
}

/** What the store asks of its threads. */
export interface RunTasks {
  /** Reconciles. */
  engine: EngineTasks;
  /** A workspace folder read and checked for an import (imports.ts importWorkspace). */
  readWorkspace(dir: string): Promise<ReadWorkspace>;
  /** An uploaded file read and checked for a preview or an import (read-upload.ts checkUpload). */
  checkUpload(request: Upload): Promise<CheckedUpload>;
  /**
   * An engine for one piece of work, in a thread of its own that `close` stops, its memory with it
   * (in this thread where no worker is wanted): the persistent engine keeps the input it builds.
   */
  oneOff(): { engine: EngineTasks; close(): Promise<void> };
  close(): Promise<void>;
}

function inlineEngine(engine: RunEngine): EngineTasks {
  return {
    has: async (key) => engine.has(key),
    begin: async (key, config) => engine.begin(key, config),
    add: async (key, i, records) => engine.add(key, i, records),
    run: (key, asOf) => engine.run(key, asOf),
    reportPart: async (ticket, start, count) => engine.reportPart(ticket, start, count),
    margin: (key, asOf) => engine.margin(key, asOf),
    whatIf: (key, asOf, before, after) => engine.whatIf(key, asOf, before, after),
    clientRows: (key) => engine.clientRows(key),
    rowsAt: (key, refs) => engine.rowsAt(key, refs),
  };
}

function inline(): RunTasks {
  return {
    engine: inlineEngine(new RunEngine()),
    readWorkspace: (dir) => readWorkspace(dir),
    checkUpload: (request) => checkUpload({ ...request, config: pack(request.config) }),
    oneOff: () => ({ engine: inlineEngine(new RunEngine()), close: async () => {} }),
    close: async () => {},
  };
}

/** The worker's script: from the sources (tsx, tests), one that registers tsx first (worker-tsx.js). */
function startWorker(): Worker {
  const here = import.meta.url;
  return new Worker(new URL(here.endsWith(".ts") ? "./worker-tsx.js" : "../store/worker.js", here));
}

/**
 * One worker thread, started when first asked. Idle, it does not keep the process alive; while it
 * works for someone, it does. One with `idleMs` stops once it has been idle that long (its memory
 * with it), and starts again when next asked.
 */
class Thread {
  /** The running worker, and what it was asked and has not answered yet. */
  private current:
    | {
        worker: Worker;
        waiting: Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>;
        idle?: NodeJS.Timeout;
      }
    | undefined;
  private next = 0;

  constructor(
    private readonly name: string,
    private readonly idleMs?: number,
  ) {}

  get started(): boolean {
    return this.current !== undefined;
  }

  /** `transfer`: memory handed to the thread rather than copied (emptied here). */
  ask<T>(request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    const current = this.current ?? this.start();
    const { worker, waiting } = current;
    clearTimeout(current.idle);
    const id = this.next++;
    if (waiting.size === 0) worker.ref();
    const promise = new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    worker.postMessage({ id, request }, transfer);
    return promise;
  }

  private start() {
    const worker = startWorker();
    const current: NonNullable<Thread["current"]> = { worker, waiting: new Map() };
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
      const asked = current.waiting.get(reply.id);
      if (!asked) return;
      current.waiting.delete(reply.id);
      if (current.waiting.size === 0) {
        worker.unref();
        if (this.idleMs !== undefined)
          current.idle = setTimeout(() => {
            if (current.waiting.size > 0) return;
            if (this.current === current) this.current = undefined;
            void worker.terminate();
          }, this.idleMs).unref();
      }
      if (reply.ok) asked.resolve(reply.value);
      else if ("issues" in reply) asked.reject(new WorkspaceError(reply.issues));
      else asked.reject(new Error(`in the store's ${this.name} thread: ${reply.message}`));
    });
    const failAll = (error: Error) => {
      if (this.current === current) this.current = undefined;
      for (const waiting of current.waiting.values()) waiting.reject(error);
      current.waiting.clear();
    };
    worker.on("error", (e) => failAll(e));
    worker.on("exit", (code) =>
      failAll(new Error(`the store's ${this.name} thread stopped (exit code ${code})`)),
    );
    this.current = current;
    return current;
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) await current.worker.terminate();
  }
}

function engineIn(thread: Thread): EngineTasks {
  return {
    // A thread not started has no input (and is not started to be asked).
    has: (key) => (thread.started ? thread.ask({ op: "has", key }) : Promise.resolve(false)),
    begin: (key, config) => thread.ask({ op: "begin", key, config: pack(config) }),
    add: (key, sourceIndex, records) => thread.ask({ op: "add", key, sourceIndex, records }),
    run: (key, asOf) => thread.ask({ op: "run", key, asOf }),
    reportPart: (ticket, start, count) => thread.ask({ op: "reportPart", ticket, start, count }),
    margin: (key, asOf) => thread.ask({ op: "margin", key, asOf }),
    whatIf: (key, asOf, before, after) =>
      thread.ask({ op: "whatIf", key, asOf, before: pack(before), after: pack(after) }),
    clientRows: (key) => thread.ask({ op: "clientRows", key }),
    rowsAt: (key, refs) => thread.ask({ op: "rowsAt", key, refs }),
  };
}

/**
 * An upload's memory, when the buffer is its only view of it (an uploaded file's body is): handed to
 * the reader thread instead of copied. Copying a 57 MB upload held the request thread for 0.7 s, and
 * every request waited behind it. The caller's buffer is empty afterwards. A buffer that shares its
 * memory (a slice of Node's pool: small ones) is copied as before.
 */
function handOver(content: Uint8Array): ArrayBuffer[] {
  const memory = content.buffer;
  return memory instanceof ArrayBuffer && content.byteOffset === 0 && content.byteLength === memory.byteLength
    ? [memory]
    : [];
}

/**
 * How long the reader thread waits for another file before it stops: the files of one import page
 * (a preview, then the import) share one start; an idle server holds none of a file's memory.
 */
const READER_IDLE_MS = 30_000;

/**
 * How long the engine's thread keeps the input of the latest imports after its last task, unless
 * TRUEUP_ENGINE_KEEP_S says otherwise: a run within that time is sent nothing but its date (1.9 s
 * against 4.1 s with 2,000 clients), and a server left alone gives the input's memory back (its
 * RSS stayed at 850 MB after a run, for as long as it ran; 566 MB once the thread stopped).
 */
export const ENGINE_KEEP_ENV = "TRUEUP_ENGINE_KEEP_S";
export const ENGINE_KEEP_S = 60;

/** A TRUEUP_ENGINE_KEEP_S value as seconds (a whole number, at most a day); undefined when it is none. */
export function engineKeepSeconds(value: string | undefined): number | undefined {
  return wholeNumberUpTo(value, 86_400);
}

function threaded(env: NodeJS.ProcessEnv): RunTasks {
  const keepS = engineKeepSeconds(env[ENGINE_KEEP_ENV]) ?? ENGINE_KEEP_S;
  const threads = {
    engine: new Thread("engine", keepS * 1000),
    reader: new Thread("reader", READER_IDLE_MS),
  };
  const oneOffs = new Set<Thread>();
  return {
    engine: engineIn(threads.engine),
    readWorkspace: (dir) => threads.reader.ask({ op: "readWorkspace", dir }),
    checkUpload: (request) =>
      threads.reader.ask(
        { op: "checkUpload", ...request, config: pack(request.config) },
        handOver(request.content),
      ),
    oneOff() {
      const thread = new Thread("one-off engine");
      oneOffs.add(thread);
      return {
        engine: engineIn(thread),
        async close() {
          oneOffs.delete(thread);
          await thread.close();
        },
      };
    },
    async close() {
      await Promise.all([...Object.values(threads), ...oneOffs].map((t) => t.close()));
      oneOffs.clear();
    },
  };
}

const TASKS = new WeakMap<object, RunTasks>();

/** The threads of a store (its context), unless TRUEUP_WORKER=0; each started when first used. */
export function runTasks(owner: object, env: NodeJS.ProcessEnv = process.env): RunTasks {
  let tasks = TASKS.get(owner);
  if (!tasks) {
    tasks = env.TRUEUP_WORKER === "0" ? inline() : threaded(env);
    TASKS.set(owner, tasks);
  }
  return tasks;
}

/** Stops the store's worker threads, if it started any. */
export async function closeRunTasks(owner: object): Promise<void> {
  await TASKS.get(owner)?.close();
  TASKS.delete(owner);
}
