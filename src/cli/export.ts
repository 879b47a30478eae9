import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { CONFIG_FILE } from "../workspace/load.ts";
import { exists } from "./files.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { DATABASE_HELP, withStore } from "./store.ts";

export function exportCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("export")
    .description(
      "Write the database back as a workspace: trueup.yaml and the latest snapshot of every source, " +
        "each at its file. Reconciling the folder gives the report the database gives.",
    )
    .requiredOption("-w, --workspace <dir>", "folder to write (new, empty, or a workspace to overwrite)")
    .addHelpText(
      "after",
      `${DATABASE_HELP}\nExample:\n  trueup export --workspace backup && trueup reconcile --workspace backup\n`,
    )
    .action(run((...args) => runExport(io, (args[0] as { workspace: string }).workspace)));
}

export async function runExport(io: Io, dir: string): Promise<number> {
  // Overwrite a workspace, never a folder of something else.
  if ((await exists(dir)) && !(await exists(join(dir, CONFIG_FILE))) && (await readdir(dir)).length > 0) {
    io.err(`trueup: ${dir} is not empty and holds no ${CONFIG_FILE}; export to a new or empty folder\n`);
    return 2;
  }
  return withStore(io, async (store, where) => {
    const sources = await store.listSources();
    await store.exportWorkspace(dir);
    const missing = sources.filter((s) => !s.lastImport);
    for (const s of missing)
      io.err(`trueup: warning: source ${s.id} (${s.kind}, ${s.file}) has no import yet: no file written\n`);
    const written = sources.length - missing.length;
    io.out(
      `Exported ${where} to ${dir}: ${CONFIG_FILE} and ${written} source file${written === 1 ? "" : "s"}\n`,
    );
    return 0;
  });
}
