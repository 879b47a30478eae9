import type { Command } from "commander";
import { margin } from "../margin/margin.ts";
import { marginToCsv, marginToJson, marginToTable } from "../margin/render.ts";
import { formatIssue, WorkspaceError } from "../workspace/issues.ts";
import { loadOrThrow } from "../workspace/load.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { formatAndDate } from "./options.ts";

interface Options {
  workspace: string;
  asOf?: string;
  format?: string;
}

export function marginCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("margin")
    .description(
      "Margin per client, bundle and service: what the PSA bills against what the distributors charge.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .option("--as-of <date>", "as of this date, YYYY-MM-DD (default: the workspace's asOf, else today UTC)")
    .option("--format <format>", "table (default on a terminal), json (default otherwise) or csv")
    .addHelpText("after", "\nExample:\n  trueup margin --workspace examples/demo --format table\n")
    .action(run((...args) => runMargin(io, args[0] as Options)));
}

export async function runMargin(io: Io, opts: Options): Promise<number> {
  const format = formatAndDate(io, opts, ["table", "json", "csv"]);
  if (typeof format === "number") return format;
  try {
    const { input } = await loadOrThrow(opts.workspace, { asOf: opts.asOf, today: io.today() });
    const m = margin(input);
    if (format === "json") io.out(`${JSON.stringify(marginToJson(m), null, 2)}\n`);
    else if (format === "csv") io.out(marginToCsv(m));
    else io.out(marginToTable(m));
    return 0;
  } catch (e) {
    return workspaceFailed(io, e);
  }
}

/** A workspace or change with errors: every one listed, exit 2. */
export function workspaceFailed(io: Io, e: unknown): number {
  if (!(e instanceof WorkspaceError)) throw e;
  const n = e.issues.length;
  io.err(`trueup: ${n} error${n === 1 ? "" : "s"}; nothing was computed\n`);
  for (const i of e.issues) io.err(`${formatIssue(i)}\n`);
  return 2;
}
