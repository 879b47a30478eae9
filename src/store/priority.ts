import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * The nice value of the store's worker threads (worker.ts): reconciles, imports and the client pages'
 * cuts give way to the thread that answers requests when both want a processor (issue 12: the
 * dashboard's p95 while runs follow each other). On Linux a thread has a nice value of its own, set
 * by its id (/proc/thread-self); elsewhere, or where it cannot be read, a thread keeps the process's.
 */
export const ENGINE_NICE = 10;

/** This thread's id on Linux (undefined elsewhere). */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Lowers this thread's priority to ENGINE_NICE; never the process's main thread (its id is the pid). */
export function lowerThreadPriority(): void {
  const tid = threadId();
  if (tid === undefined || tid === process.pid) return;
  try {
    setPriority(tid, ENGINE_NICE);
  } catch {
    // Not allowed (a process already nicer than this): as it was.
  }
}
