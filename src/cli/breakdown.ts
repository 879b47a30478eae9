import type { Command } from "commander";
import { reconcile } from "../core/reconcile.ts";
import { breakdown, GROUPINGS, type GroupBy } from "../reports/breakdown.ts";
import { breakdownCsv, breakdownXlsx } from "../reports/breakdown-files.ts";
import { loadDocuments, usage, writeOut } from "./documents.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

interface Options {
  workspace: string;
  asOf?: string;
  groupBy?: string;
  client?: string;
  subject?: string;
  format?: string;
  out?: string;
}

export function breakdownCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("breakdown")
    .description(
      "Bundle breakdown report: required, billed, purchased and deployed per service, bundle or client.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .option("--as-of <date>", "as of this date, YYYY-MM-DD")
    .option("--group-by <grouping>", "service, bundle or client", "service")
    .option("--client <ids>", "only these clients (comma-separated)")
    .option("--subject <ids>", "only these services or bundles (comma-separated ids)")
    .option("--format <format>", "csv or xlsx", "csv")
    .option("--out <file>", "file to write (default: stdout, csv only)")
    .addHelpText(
      "after",
      "\nExample:\n  trueup breakdown --workspace examples/demo --group-by bundle --format xlsx --out breakdown.xlsx\n",
    )
    .action(run((...args) => runBreakdown(io, args[0] as Options)));
}

const list = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);

export async function runBreakdown(io: Io, opts: Options): Promise<number> {
  const format = opts.format ?? "csv";
  if (format !== "csv" && format !== "xlsx")
    return usage(io, `--format must be csv or xlsx, not "${format}"`);
  const groupBy = opts.groupBy ?? "service";
  if (!(GROUPINGS as readonly string[]).includes(groupBy))
    return usage(io, `--group-by must be service, bundle or client, not "${groupBy}"`);
  const docs = await loadDocuments(io, opts);
  if (typeof docs === "number") return docs;
  const clients = list(opts.client);
  const unknown = clients?.find((c) => !docs.input.clients.some((k) => k.id === c));
  if (unknown !== undefined) return usage(io, `no client "${unknown}" in the workspace`);
  const b = breakdown(reconcile(docs.input), docs.config, groupBy as GroupBy, {
    clients,
    subjects: list(opts.subject),
  });
  const bytes = format === "xlsx" ? await breakdownXlsx(b) : Buffer.from(breakdownCsv(b));
  return writeOut(io, opts.out, bytes, format === "xlsx");
}
