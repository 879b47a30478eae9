import type { Command } from "commander";
import { formatIssue } from "../workspace/issues.ts";
import { loadWorkspace } from "../workspace/load.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

export function validateCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("validate")
    .description(
      "Check a workspace and list every error at once, each with file, line and column or YAML path.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .addHelpText("after", "\nExample:\n  trueup validate --workspace examples/demo\n")
    .action(run((...args) => runValidate(io, (args[0] as { workspace: string }).workspace)));
}

export async function runValidate(io: Io, dir: string): Promise<number> {
  const { issues, input } = await loadWorkspace(dir, { today: io.today() });
  const errors = issues.filter((i) => i.severity === "error");
  for (const i of issues) io.err(`${formatIssue(i)}\n`);
  if (errors.length > 0) {
    io.err(`${errors.length} error${errors.length === 1 ? "" : "s"}: the workspace cannot be reconciled\n`);
    return 2;
  }
  const rows = input
    ? input.users.length +
      input.devices.length +
      input.deploymentRows.length +
      input.licences.length +
      input.billing.length
    : 0;
  io.out(
    `ok: ${input?.clients.length ?? 0} clients, ${rows} rows, no errors${issues.length ? ` (${issues.length} warnings)` : ""}\n`,
  );
  return 0;
}
