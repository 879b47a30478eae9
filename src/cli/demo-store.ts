import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Actor, Store } from "../store/store.ts";
import { formatIssue } from "../workspace/issues.ts";
import type { Io } from "./io.ts";

// The demo in the app's database: each month kept under history/YYYY-MM/ imported and reconciled
// first, oldest first (so that the dashboard has a previous month to compare with), then the demo
// itself (unless `reconcileLast` is false). Returns the rows of the last import.

const MONTH_DIR = /^\d{4}-(0[1-9]|1[0-2])$/;

export async function loadDemoMonths(
  io: Io,
  store: Store,
  dir: string,
  actor: Actor,
  opts: { reconcileLast?: boolean } = {},
): Promise<number> {
  const months = (await readdir(join(dir, "history")).catch(() => [] as string[]))
    .filter((m) => MONTH_DIR.test(m))
    .sort();
  let rows = 0;
  const folders = [...months.map((m) => join(dir, "history", m)), dir];
  for (const folder of folders) {
    const loaded = await store.importWorkspace(folder, actor);
    for (const i of loaded.issues) io.err(`${formatIssue(i)}\n`);
    if (loaded.issues.some((i) => i.severity === "error"))
      throw new Error(`the demo workspace ${folder} did not load`);
    if (folder !== dir || opts.reconcileLast !== false) await store.reconcile({ today: io.today() }, actor);
    rows = loaded.rows;
  }
  return rows;
}
