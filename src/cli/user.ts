import type { Command } from "commander";
import { ROLES } from "../store/accounts.ts";
import type { Role } from "../store/store.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { CLI, DATABASE_HELP, withStore } from "./store.ts";

export function userCommand(program: Command, io: Io, run: Runner): void {
  const user = program.command("user").description("Manage the app's accounts.");
  user
    .command("add")
    .description(
      "Create an account and print its one-time password (shown only this once; the account must " +
        "change it at first sign-in).",
    )
    .argument("<email>", "the account's email address")
    .requiredOption("--role <role>", `${ROLES.join(", ")}`)
    .addHelpText("after", `${DATABASE_HELP}\nExample:\n  trueup user add ann@example.com --role billing\n`)
    .action(run((email, opts) => runUserAdd(io, email as string, (opts as { role: string }).role)));
}

export async function runUserAdd(io: Io, email: string, role: string): Promise<number> {
  if (!(ROLES as readonly string[]).includes(role)) {
    io.err(`trueup: --role must be ${ROLES.join(", ")}, not "${role}"\n`);
    return 2;
  }
  return withStore(io, async (store, where) => {
    const { user, password } = await store.addUser(email, role as Role, CLI);
    io.err(
      `Created the ${user.role} account ${user.email} in ${where}. Its one-time password, shown only ` +
        "once (to be changed at first sign-in):\n",
    );
    io.out(`${password}\n`);
    return 0;
  });
}
