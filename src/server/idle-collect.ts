import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { FastifyInstance } from "fastify";

// Memory given back once the server is idle. V8 keeps the young generation at the size the busiest
// moment grew it to (32 MB once the run's findings are read) and an old generation with the holes
// of every request, for as long as the process lives: a server left alone after a minute of load
// kept its 458 MB for minutes. One full collection, once the requests have stopped for a while, gives
// back 15-35 MB (2,000-client bench database: 461 -> 448, 464 -> 430, 458 -> 429 MB) in about 0.1 s.

/** How long the server waits after its last request before it collects (`trueup serve`). */
export const IDLE_COLLECT_MS = 10_000;

export type Collect = () => void;

let gc: Collect | undefined;

/**
 * V8's full collection. Node gives it only to a process started with --expose-gc; the flag set once
 * the process runs gives it to contexts made after it, such as this one.
 */
export function fullCollection(): Collect {
  if (gc) return gc;
  const given = (globalThis as { gc?: Collect }).gc;
  if (typeof given === "function") gc = () => given();
  else {
    setFlagsFromString("--expose-gc");
    const made = runInNewContext("gc") as unknown;
    if (typeof made !== "function") throw new Error("V8 gave no gc function");
    gc = () => (made as Collect)();
  }
  return gc;
}

/**
 * Collects once the server has had no request for `afterMs`: after each busy spell, not on a
 * timer of its own (an idle server is not woken). A request that starts or ends restarts the wait.
 */
export function registerIdleCollection(
  app: FastifyInstance,
  afterMs: number,
  collect: Collect = fullCollection(),
): void {
  let timer: NodeJS.Timeout | undefined;
  const wait = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const before = process.memoryUsage.rss();
      const started = performance.now();
      collect();
      const ms = Math.round(performance.now() - started);
      // V8 hands the pages back to the system in the background: the RSS is read a second later.
      setTimeout(() => {
        const mb = (bytes: number) => Math.round(bytes / 1048576);
        app.log.debug(
          `idle for ${afterMs / 1000} s: memory collected in ${ms} ms, RSS ${mb(before)} MB, a second later ${mb(process.memoryUsage.rss())} MB`,
        );
      }, 1000).unref();
    }, afterMs).unref();
  };
  app.addHook("onRequest", async () => wait());
  app.addHook("onResponse", async () => wait());
  app.addHook("onClose", async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  });
}
