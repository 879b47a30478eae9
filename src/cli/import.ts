import type { Command } from "commander";
import { readWorkspaceFolder } from "../store/imports.ts";
import type { ReadWorkspace } from "../store/read-workspace.ts";
import type { Store } from "../store/store.ts";
import { formatIssue } from "../workspace/issues.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { CLI, DATABASE_HELP, withStore } from "./store.ts";

export function importCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("import")
    .description(
      "Load a workspace into the database: trueup.yaml and a new snapshot of every source, in one " +
        "transaction (nothing is written when anything is wrong).",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .addHelpText("after", `${DATABASE_HELP}\nExample:\n  trueup import --workspace examples/demo\n`)
    .action(run((...args) => runImport(io, (args[0] as { workspace: string }).workspace)));
}

export async function runImport(io: Io, dir: string): Promise<number> {
  // The folder is read while the database opens.
  const reading = readWorkspaceFolder(dir);
  try {
    return await withStore(io, (store, where) => importRead(io, dir, where, store, reading.read));
  } finally {
    await reading.close();
  }
}

/** Imports the folder being read, and says what was imported or what is wrong. */
async function importRead(
  io: Io,
  dir: string,
  where: string,
  store: Store,
  read: Promise<ReadWorkspace>,
): Promise<number> {
  const { issues, imports, rows } = await store.importWorkspace(dir, CLI, read);
  for (const i of issues) io.err(`${formatIssue(i)}\n`);
  const errors = issues.filter((i) => i.severity === "error").length;
  if (errors > 0) {
    io.err(`trueup: the workspace has ${errors} error${errors === 1 ? "" : "s"}; nothing was imported\n`);
    return 2;
  }
  io.out(
    `Imported ${dir}: trueup.yaml and ${imports} source${imports === 1 ? "" : "s"} (${rows} rows) into ${where}\n`,
  );
  return 0;
}
