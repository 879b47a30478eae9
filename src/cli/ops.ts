import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { CLI, withDb } from "./store.ts";

// The operator's commands: backup and restore of the embedded database, and rotation of the key
// that seals connection secrets. docs/operations.md says when to use them.

const ON_POSTGRES =
  "DATABASE_URL names a PostgreSQL server: back it up and restore it with pg_dump and pg_restore " +
  "(docs/operations.md)";

export function opsCommands(program: Command, io: Io, run: Runner): void {
  program
    .command("backup")
    .description(
      "Write the embedded database (TRUEUP_DATA) to a file, consistent: refused while a server holds the " +
        "folder (stop it first).",
    )
    .requiredOption("--out <file>", "the backup file to write (.tar.gz; must not exist)")
    .addHelpText(
      "after",
      "\nExample:\n  TRUEUP_DATA=/var/lib/trueup trueup backup --out trueup-2026-12-01.tar.gz\n",
    )
    .action(run((opts) => runBackup(io, (opts as { out: string }).out)));
  program
    .command("restore")
    .description(
      "Replace the embedded database (TRUEUP_DATA) by a backup, upgrading it to this version; the folder " +
        "replaced is kept beside it.",
    )
    .argument("<file>", "a file written by trueup backup")
    .option("--force", "replace a folder that holds a database")
    .addHelpText(
      "after",
      "\nExample:\n  TRUEUP_DATA=/var/lib/trueup trueup restore trueup-2026-12-01.tar.gz --force\n",
    )
    .action(
      run((file, opts) => runRestore(io, file as string, (opts as { force?: boolean }).force === true)),
    );
  program
    .command("secrets")
    .description("Manage the key that encrypts the connection secrets stored in the app.")
    .command("rotate")
    .description(
      "Re-encrypt every stored secret from TRUEUP_SECRET_KEY (the old key) to TRUEUP_NEW_SECRET_KEY, in one " +
        "transaction: all or nothing. Then start every process with the new key.",
    )
    .addHelpText(
      "after",
      "\nExample:\n  TRUEUP_SECRET_KEY=$OLD TRUEUP_NEW_SECRET_KEY=$(openssl rand -base64 32) trueup secrets rotate\n",
    )
    .action(run(() => runRotate(io)));
}

export async function runBackup(io: Io, out: string): Promise<number> {
  if (process.env.DATABASE_URL) {
    io.err(`trueup: ${ON_POSTGRES}\n`);
    return 2;
  }
  if (existsSync(out)) {
    io.err(`trueup: ${out} exists; choose a new file name\n`);
    return 2;
  }
  const { dumpEmbedded, writeWhole } = await import("../store/backup.ts");
  return withDb(io, async (db, where) => {
    const dump = await dumpEmbedded(db);
    await writeWhole(out, dump);
    io.out(`Backed up the ${where} to ${out} (${(dump.length / 1e6).toFixed(1)} MB)\n`);
    return 0;
  });
}

export async function runRestore(io: Io, file: string, force: boolean): Promise<number> {
  if (process.env.DATABASE_URL) {
    io.err(`trueup: ${ON_POSTGRES}\n`);
    return 2;
  }
  const { restoreEmbedded } = await import("../store/backup.ts");
  const { dbOptionsFromEnv, describeDb } = await import("../store/db.ts");
  const { StoreError } = await import("../store/errors.ts");
  const opts = dbOptionsFromEnv();
  try {
    const { keptAs } = await restoreEmbedded(file, opts.dataDir ?? ".trueup", force);
    io.out(`Restored ${file} into the ${describeDb(opts)}\n`);
    if (keptAs) io.err(`The database it replaced is kept in ${keptAs}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    io.err(`trueup: ${e.message}\n`);
    return 2;
  }
}

export async function runRotate(io: Io): Promise<number> {
  const { rotateSecrets } = await import("../store/secret-keys.ts");
  return withDb(io, async (db, where) => {
    const r = await rotateSecrets(db, process.env.TRUEUP_SECRET_KEY, process.env.TRUEUP_NEW_SECRET_KEY, CLI);
    io.out(
      `Re-encrypted ${r.secrets} secret${r.secrets === 1 ? "" : "s"} of ${r.connections.length} connection` +
        `${r.connections.length === 1 ? "" : "s"}${r.connections.length ? ` (${r.connections.join(", ")})` : ""} in ` +
        `the ${where}.\nStart every Trueup process with the new key as TRUEUP_SECRET_KEY now: the old one no ` +
        "longer opens them.\n",
    );
    return 0;
  });
}
