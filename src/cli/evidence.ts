import type { Command } from "commander";
import { buildEvidence } from "../statements/evidence.ts";
import { evidenceCsv, evidencePdf } from "../statements/evidence-render.ts";
import { loadDocuments, usage, writeOut } from "./documents.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

interface Options {
  workspace: string;
  client: string;
  asOf?: string;
  format?: string;
  out?: string;
}

export function evidenceCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("evidence")
    .description(
      "Write a client's protection evidence: every device, each protective service's status, gaps and stale devices.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .requiredOption("--client <id>", "the client")
    .option("--as-of <date>", "as of this date, YYYY-MM-DD (default: the workspace's asOf)")
    .option("--format <format>", "pdf or csv", "pdf")
    .option("--out <file>", "file to write (default: stdout, csv only)")
    .addHelpText(
      "after",
      "\nExample:\n  trueup evidence --workspace examples/demo --client evergreen --out evergreen-evidence.pdf\n",
    )
    .action(run((...args) => runEvidence(io, args[0] as Options)));
}

export async function runEvidence(io: Io, opts: Options): Promise<number> {
  const format = opts.format ?? "pdf";
  if (format !== "pdf" && format !== "csv") return usage(io, `--format must be pdf or csv, not "${format}"`);
  const docs = await loadDocuments(io, opts);
  if (typeof docs === "number") return docs;
  const evidence = buildEvidence(docs.input, opts.client, docs.msp);
  if (!evidence) return usage(io, `no client "${opts.client}" in the workspace`);
  const bytes =
    format === "pdf" ? await evidencePdf(evidence, docs.logo?.bytes) : Buffer.from(evidenceCsv(evidence));
  return writeOut(io, opts.out, bytes, format === "pdf");
}
