import type { Command } from "commander";
import { formatIssue } from "../workspace/issues.ts";
import { loadWorkspace, type SourceSummary } from "../workspace/load.ts";
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

/** "1 client", "2 clients": every count validate prints agrees with its number. */
export function counted(n: number, word: string): string {
  return `${n} ${n === 1 ? word : `${word}s`}`;
}

/**
 * A skip reason after its count: the formats name the rows in the singular ("soft-deleted user",
 * "seat change already in a later recurring line"); its noun takes the plural for more than one.
 */
export function reasonCounted(n: number, reason: string): string {
  return `${n} ${n === 1 ? reason : reason.replace(/\b(user|line|change)\b/, "$1s")}`;
}

/** One source as validate prints it: rows read, rows left out by reason, the date order used. */
export function sourceLine(s: SourceSummary): string {
  const reasons = Object.entries(s.skipped);
  const skipped = reasons.reduce((n, [, c]) => n + c, 0);
  const why = reasons.map(([reason, c]) => reasonCounted(c, reason)).join(", ");
  const left = skipped === 0 ? "0 skipped" : `${skipped} skipped (${why})`;
  const read = `${counted(s.read, "row")} read`;
  return `  sources[${s.index}] ${s.file} (${s.format}): ${read}, ${left}; dates: ${s.dates}\n`;
}

export async function runValidate(io: Io, dir: string): Promise<number> {
  const { issues, input, summaries = [] } = await loadWorkspace(dir, { today: io.today() });
  const errors = issues.filter((i) => i.severity === "error");
  for (const i of issues) io.err(`${formatIssue(i)}\n`);
  if (errors.length > 0) {
    io.err(`${counted(errors.length, "error")}: the workspace cannot be reconciled\n`);
    return 2;
  }
  const rows = input
    ? input.users.length +
      input.devices.length +
      input.deploymentRows.length +
      input.licences.length +
      input.billing.length
    : 0;
  const warnings = issues.length ? ` (${counted(issues.length, "warning")})` : "";
  io.out(
    `ok: ${counted(input?.clients.length ?? 0, "client")}, ${counted(rows, "row")}, no errors${warnings}\n`,
  );
  for (const s of summaries) io.out(sourceLine(s));
  return 0;
}
