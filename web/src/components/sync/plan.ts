import type { SyncChangeView } from "../../types.ts";

// What the sync components share about a plan's changes and its dates.

/** YYYY-MM-01 of the month after `now`, in the reader's calendar: the server's default too. */
export function firstOfNextMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-01`;
}

/** A change the PSA may still receive: not finished, and not one a person must place by hand. */
export function isOpen(c: SyncChangeView): boolean {
  return c.change.action !== "choose" && (c.state === "planned" || c.state === "failed");
}
