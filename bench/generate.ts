// Writes a synthetic, deterministic Trueup workspace (trueup.yaml + canonical CSVs) of any size.
// Script use: node bin/run-ts.js bench/generate.ts --clients 2000 [--seed 1] --out DIR

import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { CATALOGUE_YAML, planYaml } from "./catalogue.ts";
import { type Client, makeClient } from "./client.ts";
import { deriveSeed, mulberry32 } from "./rng.ts";
import { openOutputs, writeClientRows } from "./rows.ts";
import { TextWriter } from "./writer.ts";

export interface GenerateOptions {
  clients: number;
  seed?: number;
}

export interface GenerateResult {
  /** Data rows over all CSV files (headers not counted). */
  rows: number;
  /** Bytes of all files, trueup.yaml included. */
  bytes: number;
}

const SYSTEMS = ["psa", "microsoft", "rmm", "pax8", "edr", "backup", "backupco"] as const;

function clientYaml(c: Client): string {
  const q = JSON.stringify;
  const ids = SYSTEMS.map((system) => `${system}: ${q(c.ids[system])}`).join(", ");
  const plans = c.plans.map(planYaml).join("");
  return `- id: ${q(c.ids.id)}\n  name: ${q(c.ids.name)}\n  ids: {${ids}}\n  plans:\n${plans}`;
}

export async function generateWorkspace(dir: string, opts: GenerateOptions): Promise<GenerateResult> {
  if (!Number.isInteger(opts.clients) || opts.clients < 1)
    throw new Error("clients must be a positive integer");
  const seed = opts.seed ?? 1;
  const width = Math.max(4, String(opts.clients - 1).length);
  await mkdir(join(dir, "data"), { recursive: true });
  const yaml = new TextWriter(join(dir, "trueup.yaml"));
  const csv = openOutputs(join(dir, "data"));
  const files = Object.values(csv);
  yaml.write(CATALOGUE_YAML);
  for (let i = 0; i < opts.clients; i++) {
    const r = mulberry32(deriveSeed(seed, i));
    const client = makeClient(r, i, width);
    yaml.write(clientYaml(client));
    writeClientRows(r, client, csv);
    await Promise.all([yaml, ...files].map((w) => w.drain()));
  }
  await Promise.all([yaml, ...files].map((w) => w.close()));
  const rows = files.reduce((sum, f) => sum + f.rows, 0);
  const bytes = files.reduce((sum, f) => sum + f.bytes, yaml.bytes);
  return { rows, bytes };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "200" },
      seed: { type: "string" },
      out: { type: "string" },
    },
  });
  if (!values.out) throw new Error("usage: generate.ts --clients N [--seed S] --out DIR");
  const clients = Number(values.clients);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const started = performance.now();
  const result = await generateWorkspace(values.out, seed === undefined ? { clients } : { clients, seed });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const mb = (result.bytes / 1e6).toFixed(1);
  console.log(`${values.out}: ${clients} clients, ${result.rows} rows, ${mb} MB in ${seconds} s`);
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
