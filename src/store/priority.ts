import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * How much nicer than the process the store's worker threads are (worker.ts): reconciles, imports
 * and the client pages' cuts give way to the thread that answers requests when both want a processor
 * (issue 12: the dashboard's p95 while runs follow each other). On Linux a thread has a nice value of
 * its own, set by its id (/proc/thread-self); elsewhere, or where it cannot be read, a thread keeps
 * the process's.
 */
export const ENGINE_NICE = 10;

/** The highest nice value (the lowest priority) Linux has. */
const NICEST = 19;

/** This thread's id on Linux (undefined elsewhere). */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** This thread's nice value: ENGINE_NICE above the process's. Never the main thread (its id is the pid). */
export function lowerThreadPriority(): void {
  const tid = threadId();
  if (tid === undefined || tid === process.pid) return;
  try {
    setPriority(tid, Math.min(NICEST, getPriority(process.pid) + ENGINE_NICE));
  } catch {
    // Not allowed or not supported: as the process.
  }
}
