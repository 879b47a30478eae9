import type { Command } from "commander";
import { reconcile } from "../core/reconcile.ts";
import { buildReport, reportToJsonPieces } from "../core/report.ts";
import { formatIssue, WorkspaceError } from "../workspace/issues.ts";
import { loadOrThrow } from "../workspace/load.ts";
import { reportToCsv } from "./csv-report.ts";
import { type Io, outPieces } from "./io.ts";
import type { Runner } from "./main.ts";
import { formatAndDate, usage } from "./options.ts";
import { reportToTable } from "./table.ts";

interface Options {
  workspace: string;
  asOf?: string;
  client?: string;
  format?: string;
}

export function reconcileCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("reconcile")
    .description("Compare what should be billed, licensed and deployed with what is, client by client.")
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .option(
      "--as-of <date>",
      "reconcile as of this date, YYYY-MM-DD (default: the workspace's asOf, else today UTC)",
    )
    .option("--client <id>", "only this client")
    .option("--format <format>", "table (default on a terminal), json (default otherwise) or csv")
    .addHelpText(
      "after",
      "\nExample:\n  trueup reconcile --workspace examples/demo --as-of 2026-11-01 --format table\n",
    )
    .action(run((...args) => runReconcile(io, args[0] as Options)));
}

export async function runReconcile(io: Io, opts: Options): Promise<number> {
  const format = formatAndDate(io, opts, ["table", "json", "csv"]);
  if (typeof format === "number") return format;
  try {
    const { input, warnings } = await loadOrThrow(opts.workspace, { asOf: opts.asOf, today: io.today() });
    if (opts.client !== undefined && !input.clients.some((c) => c.id === opts.client)) {
      return usage(io, `no client "${opts.client}" in the workspace`);
    }
    for (const w of warnings) io.err(`${formatIssue(w)}\n`);
    let report = reconcile(input);
    if (opts.client !== undefined) {
      // Totals are recomputed over the one client.
      report = buildReport(
        report.asOf,
        report.currency,
        report.clients.filter((c) => c.id === opts.client),
      );
    }
    // A client at a time: the report of thousands of clients is never one string.
    if (format === "json") outPieces(io, reportToJsonPieces(report));
    else if (format === "csv") io.out(reportToCsv(report));
    else io.out(reportToTable(report));
    return 0;
  } catch (e) {
    if (!(e instanceof WorkspaceError)) throw e;
    io.err(
      `trueup: the workspace has ${e.issues.length} error${e.issues.length === 1 ? "" : "s"}; nothing was reconciled\n`,
    );
    for (const i of e.issues) io.err(`${formatIssue(i)}\n`);
    return 2;
  }
}
