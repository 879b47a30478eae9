import { reconcile } from "../core/reconcile.ts";
import { reportToJson } from "../core/report.ts";
import type { JsonReport } from "../core/report-json.ts";
import type { ReconcileInput } from "../core/types.ts";
import { formatIssue, WorkspaceError } from "../workspace/issues.ts";
import { loadOrThrow } from "../workspace/load.ts";
import { isIsoDate } from "../workspace/reader.ts";
import type { Io } from "./io.ts";

// What the commands built on a finished report (renewals, changes) share: the workspace reconciled
// as of a date, its report as the spec's JSON, or an exit code after the errors are printed.

export interface Reconciled {
  input: ReconcileInput;
  report: JsonReport;
}

export async function reconcileWorkspace(
  io: Io,
  dir: string,
  asOf: string | undefined,
): Promise<Reconciled | number> {
  if (asOf !== undefined && !isIsoDate(asOf))
    return usage(io, `--as-of must be a date as YYYY-MM-DD, not "${asOf}"`);
  try {
    const { input, warnings } = await loadOrThrow(dir, { asOf, today: io.today() });
    for (const w of warnings) io.err(`${formatIssue(w)}\n`);
    return { input, report: reportToJson(reconcile(input)) as JsonReport };
  } catch (e) {
    if (!(e instanceof WorkspaceError)) throw e;
    io.err(`trueup: ${dir} has ${e.issues.length} error${e.issues.length === 1 ? "" : "s"}\n`);
    for (const i of e.issues) io.err(`${formatIssue(i)}\n`);
    return 2;
  }
}

export function usage(io: Io, message: string): number {
  io.err(`trueup: ${message}\n`);
  return 2;
}

export const FORMATS = ["table", "json", "csv"] as const;

/** The --format asked, else table on a terminal and json otherwise; undefined when unknown. */
export function formatOf(io: Io, format: string | undefined): (typeof FORMATS)[number] | undefined {
  const f = format ?? (io.isTty ? "table" : "json");
  return (FORMATS as readonly string[]).includes(f) ? (f as (typeof FORMATS)[number]) : undefined;
}
