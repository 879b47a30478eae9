import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { inputWith, whatIf } from "../margin/whatif.ts";
import { whatIfToJson, whatIfToTable } from "../margin/whatif-render.ts";
import { WorkspaceError } from "../workspace/issues.ts";
import { CONFIG_FILE, loadOrThrow } from "../workspace/load.ts";
import { applyOverlay } from "../workspace/overlay.ts";
import { YamlFile } from "../workspace/yaml.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { workspaceFailed } from "./margin.ts";
import { formatAndDate, usage } from "./options.ts";

interface Options {
  workspace: string;
  change: string;
  asOf?: string;
  format?: string;
}

export function whatifCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("whatif")
    .description(
      "What a catalogue change would do, before anything is saved: revenue, cost and margin per client " +
        "before and after, and the PSA lines that would change.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .requiredOption("--change <file>", "the change: a YAML overlay of trueup.yaml (docs/margin.md)")
    .option("--as-of <date>", "as of this date, YYYY-MM-DD (default: the workspace's asOf, else today UTC)")
    .option("--format <format>", "table (default on a terminal) or json (default otherwise)")
    .addHelpText(
      "after",
      "\nExample:\n  trueup whatif --workspace examples/demo --change examples/demo/whatif-gold.yaml\n",
    )
    .action(run((...args) => runWhatif(io, args[0] as Options)));
}

export async function runWhatif(io: Io, opts: Options): Promise<number> {
  const format = formatAndDate(io, opts, ["table", "json"]);
  if (typeof format === "number") return format;
  let changeText: string;
  try {
    changeText = await readFile(opts.change, "utf8");
  } catch {
    return usage(io, `cannot read the change file ${opts.change}`);
  }
  try {
    const { input } = await loadOrThrow(opts.workspace, { asOf: opts.asOf, today: io.today() });
    const base = new YamlFile(CONFIG_FILE, await readFile(join(opts.workspace, CONFIG_FILE), "utf8")).value;
    const { config, issues } = applyOverlay(base, opts.change, changeText);
    const errors = issues.filter((i) => i.severity === "error");
    if (!config || errors.length > 0) throw new WorkspaceError(errors);
    const w = whatIf(input, inputWith(input, config));
    io.out(format === "json" ? `${JSON.stringify(whatIfToJson(w), null, 2)}\n` : whatIfToTable(w));
    return 0;
  } catch (e) {
    return workspaceFailed(io, e);
  }
}
