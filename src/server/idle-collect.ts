import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { FastifyInstance } from "fastify";

// Memory given back once the server is idle. V8 keeps the young generation at the size the busiest
// moment grew it to (32 MB once the run's findings are read) and an old generation with the holes
// of every request, for as long as the process lives: a server left alone after a minute of load
// kept its 458 MB for minutes. One full collection, once the requests have stopped for a while, gives
// back 15-35 MB (2,000-client bench database: 461 -> 448, 464 -> 430, 458 -> 429 MB) in about 0.1 s.
// Left alone for a minute, it also forgets the runs it kept but the newest (40 MB each with 2,000
// clients: after three runs back to back, 505 MB against 430 for one).

/** How long the server waits after its last request before it collects (`trueup serve`). */
export const IDLE_COLLECT_MS = 10_000;

export type Collect = () => void;

let gc: Collect | undefined;

/**
 * V8's full collection, compacting the heap. Node gives it only to a process started with
 * --expose-gc; the flag set once the process runs gives it to contexts made after it, such as this
 * one. V8 reads --compact-on-every-full-gc at each collection, so it is set for this one alone.
 */
export function fullCollection(): Collect {
  if (gc) return gc;
  let collect = (globalThis as { gc?: unknown }).gc;
  if (typeof collect !== "function") {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as unknown;
    if (typeof collect !== "function") throw new Error("V8 gave no gc function");
  }
  const made = collect as Collect;
  gc = () => {
    // Compacted: V8 otherwise moves objects only off its emptiest pages, and after a minute of
    // runs and pages the heap kept 172 MB of pages for 117 MB of objects (121 MB once compacted).
    setFlagsFromString("--compact-on-every-full-gc");
    try {
      made();
    } finally {
      setFlagsFromString("--no-compact-on-every-full-gc");
    }
  };
  return gc;
}

/** How long the server waits after its last request before it forgets what it kept for speed (`trueup serve`). */
export const IDLE_RELEASE_MS = 60_000;

/** What a server left alone longer gives up: what it keeps only to answer faster. */
export interface Release {
  afterMs: number;
  /** Forgets it (the runs kept but the newest: store.forgetOlderRuns); a collection follows. */
  release: () => void;
}

/**
 * Collects once the server has had no request for `afterMs`: after each busy spell, not on a
 * timer of its own (an idle server is not woken). A request that starts or ends restarts the wait.
 * With `release`, once idle for its `afterMs` too, it releases and collects again.
 */
export function registerIdleCollection(
  app: FastifyInstance,
  afterMs: number,
  collect: Collect = fullCollection(),
  release?: Release,
): void {
  let timers: NodeJS.Timeout[] = [];
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  const collectAndLog = (what: string, idleMs: number) => {
    const before = process.memoryUsage.rss();
    const started = performance.now();
    collect();
    const ms = Math.round(performance.now() - started);
    // V8 hands the pages back to the system in the background: the RSS is read a second later.
    setTimeout(() => {
      app.log.debug(
        `idle for ${idleMs / 1000} s: ${what}memory collected in ${ms} ms, RSS ${mb(before)} MB, a second later ${mb(process.memoryUsage.rss())} MB`,
      );
    }, 1000).unref();
  };
  const stop = () => {
    for (const timer of timers) clearTimeout(timer);
    timers = [];
  };
  const wait = () => {
    stop();
    timers.push(setTimeout(() => collectAndLog("", afterMs), afterMs).unref());
    if (release)
      timers.push(
        setTimeout(() => {
          release.release();
          collectAndLog("older runs forgotten, ", release.afterMs);
        }, release.afterMs).unref(),
      );
  };
  app.addHook("onRequest", async () => wait());
  app.addHook("onResponse", async () => wait());
  app.addHook("onClose", async () => stop());
}
