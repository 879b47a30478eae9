import type { Command } from "commander";
import { ConnectionError } from "../connectors/errors.ts";
import { connectorOf } from "../connectors/index.ts";
import { writeSnapshot } from "../connectors/snapshot.ts";
import type { Connection } from "../connectors/types.ts";
import { pullIntoStore } from "../sync/pulls.ts";
import { pullConnection, SyncError, workspaceConfig } from "../sync/service.ts";
import { formatIssue, WorkspaceError } from "../workspace/issues.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { CLI, DATABASE_HELP, withStore } from "./store.ts";

interface Options {
  workspace?: string;
  connection?: string;
}

export function pullCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("pull")
    .description(
      "Read users, devices, agents, licences or billing from the connections' APIs. With --workspace the " +
        "rows go to DIR/pulls/<connection>/ (read by the sources with connection:); without it, into " +
        "the app's database, followed by a reconciliation. A pull that fails keeps the previous one whole.",
    )
    .option("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .option("-c, --connection <name>", "only this connection (default: every connection a source reads)")
    .addHelpText(
      "after",
      `${DATABASE_HELP}\nExit status 3 when a connection failed (the others are still pulled).\n\nExamples:\n` +
        "  trueup pull --workspace my-msp --connection ninja\n  trueup pull --connection ninja\n",
    )
    .action(run((opts) => runPull(io, opts as Options)));
}

export async function runPull(io: Io, opts: Options): Promise<number> {
  try {
    if (opts.workspace === undefined) {
      if (opts.connection === undefined) return usage(io, "give --connection NAME (or --workspace DIR)");
      const name = opts.connection;
      return await withStore(io, (store) => pullIntoStore(store, name, CLI, { today: io.today(), io }));
    }
    const config = await workspaceConfig(opts.workspace);
    const chosen = pick(
      config.connections,
      config.sources.map((s) => s.connection),
      opts.connection,
    );
    if (chosen.length === 0) {
      io.err("trueup: no source reads a connection, so there is nothing to pull (docs/connectors.md)\n");
      return 0;
    }
    let failed = 0;
    for (const conn of chosen) failed += (await pullOne(io, opts.workspace, conn)) ? 0 : 1;
    return failed > 0 ? 3 : 0;
  } catch (e) {
    if (e instanceof WorkspaceError) {
      for (const i of e.issues) io.err(`${formatIssue(i)}\n`);
      return 2;
    }
    if (e instanceof SyncError) return usage(io, e.message);
    throw e;
  }
}

function pick(all: Connection[], used: (string | undefined)[], name: string | undefined): Connection[] {
  if (name === undefined) return all.filter((c) => used.includes(c.name));
  const conn = all.find((c) => c.name === name);
  if (!conn)
    throw new SyncError(
      `no connection "${name}" in trueup.yaml (connections: ${all.map((c) => c.name).join(", ") || "none"})`,
    );
  return [conn];
}

async function pullOne(io: Io, dir: string, conn: Connection): Promise<boolean> {
  const started = Date.now();
  const title = connectorOf(conn.kind).title;
  try {
    const result = await pullConnection(conn, { onProgress: (m) => io.err(`${conn.name}: ${m}\n`) });
    const meta = await writeSnapshot(dir, conn, result, new Date());
    const rows = Object.entries(result.rows).map(([k, v]) => `${k} ${v?.length ?? 0}`);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    io.out(
      `${conn.name} (${title}): ${rows.join(", ")} rows in ${secs} s -> pulls/${conn.name}/ (${meta.files.join(", ")})\n`,
    );
    return true;
  } catch (e) {
    if (!(e instanceof ConnectionError)) throw e;
    io.err(`trueup: ${conn.name} (${title}) failed, its previous pull is kept: ${e.message}\n`);
    return false;
  }
}

function usage(io: Io, message: string): number {
  io.err(`trueup: ${message}\n`);
  return 2;
}
