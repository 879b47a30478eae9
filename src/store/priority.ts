import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { wholeNumberUpTo } from "./whole-number.ts";

/**
 * How much nicer than the process the store's worker threads make themselves (worker.ts), from
 * TRUEUP_WORKER_NICE: `trueup serve` sets it to SERVER_WORKER_NICE unless the environment gives it,
 * so that reconciles, uploads read and the client pages' cuts give way to the thread that answers
 * requests when both want a processor (issue 12: the dashboard's p95 while runs follow each other).
 * The other commands leave it unset: their workers have no one to give way to. On Linux a thread has
 * a nice value of its own, set by its id (/proc/thread-self); elsewhere nothing changes.
 */
export const WORKER_NICE_ENV = "TRUEUP_WORKER_NICE";
export const SERVER_WORKER_NICE = 10;

/** The highest nice value (the lowest priority) Linux has. */
const NICEST = 19;

/** A TRUEUP_WORKER_NICE value as a number from 0 to 19; undefined when it is none. */
export function workerNice(value: string | undefined): number | undefined {
  return wholeNumberUpTo(value, NICEST);
}

/** This thread's id on Linux (undefined elsewhere). */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * This thread's nice value: TRUEUP_WORKER_NICE above the process's (at most 19), when it is set.
 * Never the main thread (its id is the pid).
 */
export function lowerThreadPriority(): void {
  const by = workerNice(process.env[WORKER_NICE_ENV]);
  const tid = threadId();
  if (!by || tid === undefined || tid === process.pid) return;
  try {
    setPriority(tid, Math.min(NICEST, getPriority(process.pid) + by));
  } catch {
    // Not allowed or not supported: as the process.
  }
}
