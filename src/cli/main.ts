import { Command, CommanderError, Help } from "commander";
import { COMMANDS, commandOf } from "./commands.ts";
import { type Io, nodeIo } from "./io.ts";

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
  const chosen = commandOf(argv);
  if (chosen) (await chosen.load())(program, io, run);
  // No command named (`trueup --help`, a typo): list every command without loading any.
  else {
    for (const c of COMMANDS) program.command(c.name).summary(c.summary);
    const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
    program.configureHelp({
      subcommandTerm: (cmd) => terms.get(cmd.name()) ?? new Help().subcommandTerm(cmd),
    });
  }
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
