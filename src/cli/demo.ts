import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { copyTemplate, exists, packagePath } from "./files.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { runReconcile } from "./reconcile.ts";

const MARKER = ".trueup-demo";

export function demoCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("demo")
    .description(
      "Write the demo workspace (a fictional MSP with eight clients) to a folder and reconcile it.",
    )
    .option("--out <dir>", "folder for the demo workspace", "trueup-demo")
    .option("--format <format>", "table, json or csv", "table")
    .addHelpText(
      "after",
      "\nExample:\n  trueup demo --out /tmp/demo && trueup reconcile --workspace /tmp/demo --client harbor\n",
    )
    .action(run((opts) => runDemo(io, opts as { out: string; format: string })));
}

export async function runDemo(io: Io, opts: { out: string; format: string }): Promise<number> {
  const dir = opts.out;
  // Refresh a folder the demo made before, but never overwrite someone's own files.
  if ((await exists(dir)) && !(await exists(join(dir, MARKER))) && (await readdir(dir)).length > 0) {
    io.err(`trueup: ${dir} exists and was not made by trueup demo; choose another folder with --out\n`);
    return 2;
  }
  await copyTemplate(packagePath("examples", "demo"), dir);
  await writeFile(
    join(dir, MARKER),
    "Made by `trueup demo`; the next `trueup demo` may overwrite this folder.\n",
  );
  io.err(`Demo workspace written to ${dir}; reconciling it (trueup reconcile --workspace ${dir})\n\n`);
  return runReconcile(io, { workspace: dir, format: opts.format });
}
