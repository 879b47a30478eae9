import { Command, CommanderError } from "commander";
import { breakdownCommand } from "./breakdown.ts";
import { demoCommand } from "./demo.ts";
import { evidenceCommand } from "./evidence.ts";
import { exportCommand } from "./export.ts";
import { importCommand } from "./import.ts";
import { initCommand } from "./init.ts";
import { type Io, nodeIo } from "./io.ts";
import { opsCommands } from "./ops.ts";
import { pullCommand } from "./pull.ts";
import { reconcileCommand } from "./reconcile.ts";
import { serveCommand } from "./serve.ts";
import { statementCommand } from "./statement.ts";
import { syncCommand } from "./sync.ts";
import { userCommand } from "./user.ts";
import { validateCommand } from "./validate.ts";

/**
 * Exit codes: 0 done (whatever the findings), 1 internal error, 2 bad input or bad workspace, 3 an
 * outside system failed or a sync change was left unapplied.
 */
export async function main(argv: string[], io: Io = nodeIo()): Promise<number> {
  const program = new Command("trueup")
    .description("Reconcile what an MSP bills, buys and deploys against what each client really has.")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nExamples:\n  trueup demo\n  trueup init my-msp && trueup validate --workspace my-msp\n" +
        "  trueup reconcile --workspace my-msp --format table\n  trueup serve --port 3000\n" +
        "  trueup pull --workspace my-msp\n  trueup sync plan --workspace my-msp --connection cw\n",
    );
  let code = 0;
  const run: Runner =
    (f) =>
    async (...args) => {
      code = await f(...args);
    };
  reconcileCommand(program, io, run);
  validateCommand(program, io, run);
  initCommand(program, io, run);
  demoCommand(program, io, run);
  importCommand(program, io, run);
  exportCommand(program, io, run);
  userCommand(program, io, run);
  serveCommand(program, io, run);
  pullCommand(program, io, run);
  syncCommand(program, io, run);
  opsCommands(program, io, run);
  statementCommand(program, io, run);
  evidenceCommand(program, io, run);
  breakdownCommand(program, io, run);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.err(`trueup: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

export type Runner = (f: (...args: unknown[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;
