import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { isFormer } from "../core/former.ts";
import {
  parseStatement,
  previousMonth,
  renderStatement,
  STATEMENT_FORMATS,
  type StatementFormat,
} from "../statements/render.ts";
import { buildStatement, type Statement } from "../statements/statement.ts";
import { type Documents, loadDocuments, usage, writeOut } from "./documents.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

// `trueup statement` (one client) and `trueup statements` (every client, into a statements folder
// by month, comparing each with the folder's previous month).

interface StatementOptions {
  workspace: string;
  client: string;
  month?: string;
  asOf?: string;
  format?: string;
  out?: string;
  previous?: string;
}

interface StatementsOptions {
  workspace: string;
  out: string;
  month?: string;
  asOf?: string;
  formats?: string;
}

export function statementCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("statement")
    .description("Write one client's statement for a month: each line with the users and devices behind it.")
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .requiredOption("--client <id>", "the client")
    .option("--month <YYYY-MM>", "the statement's month (default: the month of the workspace's asOf)")
    .option("--as-of <date>", "reconcile as of this date, YYYY-MM-DD")
    .option("--format <format>", "html, pdf, csv or json (the form --previous reads)", "html")
    .option("--out <file>", "file to write (default: stdout, not for pdf)")
    .option("--previous <file>", "the previous month's statement as JSON, for what changed")
    .addHelpText(
      "after",
      "\nExample:\n  trueup statement --workspace examples/demo --client harbor --format pdf --out harbor.pdf\n",
    )
    .action(run((...args) => runStatement(io, args[0] as StatementOptions)));
  program
    .command("statements")
    .description(
      "Write every client's statement into OUT/YYYY-MM/CLIENT.{html,pdf,csv,json}; each is compared with " +
        "OUT/<previous month>/CLIENT.json when it exists.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .requiredOption("--out <dir>", "the statements folder")
    .option("--month <YYYY-MM>", "the statements' month (default: the month of the workspace's asOf)")
    .option("--as-of <date>", "reconcile as of this date, YYYY-MM-DD")
    .option("--formats <list>", "comma-separated formats", "html,pdf,csv,json")
    .addHelpText(
      "after",
      "\nExample:\n  trueup statements --workspace examples/demo --out examples/demo/statements\n",
    )
    .action(run((...args) => runStatements(io, args[0] as StatementsOptions)));
}

function isFormat(f: string): f is StatementFormat {
  return (STATEMENT_FORMATS as readonly string[]).includes(f);
}

async function readPrevious(io: Io, file: string): Promise<Statement | number | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  return (
    parseStatement(text) ?? usage(io, `${file} is not a statement in JSON (write one with --format json)`)
  );
}

export async function runStatement(io: Io, opts: StatementOptions): Promise<number> {
  const format = opts.format ?? "html";
  if (!isFormat(format)) return usage(io, `--format must be html, pdf, csv or json, not "${format}"`);
  const docs = await loadDocuments(io, opts);
  if (typeof docs === "number") return docs;
  if (!docs.input.clients.some((c) => c.id === opts.client))
    return usage(io, `no client "${opts.client}" in the workspace`);
  const ended = formerClient(docs, opts.client);
  if (ended !== undefined)
    return usage(
      io,
      `${opts.client} is a former client (ended ${ended}): it gets no statement; its refunds and licences to cancel are in trueup reconcile`,
    );
  let previous: Statement | undefined;
  if (opts.previous !== undefined) {
    const read = await readPrevious(io, opts.previous);
    if (read === undefined) return usage(io, `cannot read --previous ${opts.previous}`);
    if (typeof read === "number") return read;
    previous = read;
  }
  const s = statementOf(docs, opts.client, previous);
  return writeOut(io, opts.out, await renderStatement(s, format, docs.logo), format === "pdf");
}

/** The date a former client ended (spec 4.6), or undefined for a current client. */
function formerClient(docs: Documents, id: string): string | undefined {
  const client = docs.input.clients.find((c) => c.id === id);
  return client && isFormer(client, docs.input.asOf) ? client.ended : undefined;
}

function statementOf(docs: Documents, client: string, previous: Statement | undefined): Statement {
  const s = buildStatement(docs.input, client, {
    msp: docs.msp,
    month: docs.month,
    ...(previous ? { previous } : {}),
  });
  if (!s) throw new Error(`client ${client} vanished`);
  return s;
}

export async function runStatements(io: Io, opts: StatementsOptions): Promise<number> {
  const formats = (opts.formats ?? "html,pdf,csv,json").split(",").map((f) => f.trim());
  const bad = formats.find((f) => !isFormat(f));
  if (bad !== undefined) return usage(io, `--formats takes html, pdf, csv and json, not "${bad}"`);
  const docs = await loadDocuments(io, opts);
  if (typeof docs === "number") return docs;
  const folder = join(opts.out, docs.month);
  let written = 0;
  for (const client of docs.input.clients) {
    const ended = formerClient(docs, client.id);
    if (ended !== undefined) {
      io.out(`${client.id}: no statement, a former client (ended ${ended})\n`);
      continue;
    }
    written++;
    const prevFile = join(opts.out, previousMonth(docs.month), `${client.id}.json`);
    const previous = await readPrevious(io, prevFile);
    if (typeof previous === "number") return previous;
    const s = statementOf(docs, client.id, previous);
    for (const f of formats as StatementFormat[])
      await writeOut(io, join(folder, `${client.id}.${f}`), await renderStatement(s, f, docs.logo), true);
    io.out(`${client.id}: ${s.total} ${s.currency}${previous ? ` (compared with ${previous.month})` : ""}\n`);
  }
  io.out(`Wrote ${written} statement${written === 1 ? "" : "s"} to ${folder}\n`);
  return 0;
}
