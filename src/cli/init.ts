import { readdir } from "node:fs/promises";
import type { Command } from "commander";
import { copyTemplate, exists, packagePath } from "./files.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

export function initCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("init")
    .description("Create a new workspace: a commented trueup.yaml and one sample file per source kind.")
    .argument("<dir>", "folder to create (it must be new or empty)")
    .addHelpText(
      "after",
      "\nExample:\n  trueup init my-msp && trueup reconcile --workspace my-msp --format table\n",
    )
    .action(run((dir) => runInit(io, dir as string)));
}

export async function runInit(io: Io, dir: string): Promise<number> {
  if ((await exists(dir)) && (await readdir(dir)).length > 0) {
    io.err(`trueup: ${dir} is not empty; init writes only into a new or empty folder\n`);
    return 2;
  }
  const files = await copyTemplate(packagePath("templates", "init"), dir, { today: io.today() });
  io.out(`Created a workspace in ${dir}:\n${files.map((f) => `  ${f}`).join("\n")}\n`);
  io.out(
    `Next: edit ${dir}/trueup.yaml, then run\n  trueup validate --workspace ${dir}\n  trueup reconcile --workspace ${dir}\n`,
  );
  return 0;
}
