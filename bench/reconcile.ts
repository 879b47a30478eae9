// `npm run bench`: times `trueup reconcile` on synthetic workspaces of 200, 800 and 2,000 clients.
// Options: --scales 1,4,10 (which scales to run), --runs 3 (runs per scale, the median is reported).

import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateWorkspace } from "./generate.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const CLIENTS_PER_SCALE = 200;
const TARGET_SECONDS = 5;
const TARGET_RSS_MB = 1024;

interface Run {
  wallMs: number;
  engineMs: number;
  rssKb: number;
}

interface Result {
  scale: number;
  clients: number;
  rows: number;
  bytes: number;
  wallMs: number;
  engineMs: number;
  rssKb: number;
}

/** A failure to report as a plain message: a bad option or a failed `trueup reconcile`. */
class BenchError extends Error {}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

function parseReport(text: string): { ms: number; maxRssKb: number } {
  const report = JSON.parse(text) as { ms?: unknown; maxRssKb?: unknown };
  if (typeof report.ms !== "number" || typeof report.maxRssKb !== "number") throw new Error("bad report");
  return { ms: report.ms, maxRssKb: report.maxRssKb };
}

/** One `trueup reconcile` in a fresh process; the wall time includes Node and tsx start-up. */
function runOnce(workspace: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let wallMs = 0;
    let stderr = "";
    let report = "";
    const child = spawn(process.execPath, ["--import", "tsx", join(HERE, "child.ts"), workspace], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    (child.stdio[3] as Readable).setEncoding("utf8").on("data", (d: string) => {
      report += d;
    });
    child.on("error", reject);
    child.on("exit", () => {
      wallMs = performance.now() - started;
    });
    child.on("close", (code, signal) => {
      if (code !== 0 || !report) {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new BenchError(`trueup reconcile on ${workspace} failed (${how}):\n${stderr}`));
        return;
      }
      const { ms, maxRssKb } = parseReport(report);
      resolve({ wallMs, engineMs: ms, rssKb: maxRssKb });
    });
  });
}

async function benchScale(scale: number, runs: number): Promise<Result> {
  const clients = scale * CLIENTS_PER_SCALE;
  const dir = join(HERE, "out", `x${scale}`);
  await rm(dir, { recursive: true, force: true });
  const genStart = performance.now();
  const { rows, bytes } = await generateWorkspace(dir, { clients, seed: 1 });
  const genSeconds = (performance.now() - genStart) / 1000;
  console.log(
    `${scale}x: generated ${clients} clients, ${rows} rows in ${genSeconds.toFixed(2)} s; running...`,
  );
  const done: Run[] = [];
  for (let i = 0; i < runs; i++) done.push(await runOnce(dir));
  return {
    scale,
    clients,
    rows,
    bytes,
    wallMs: median(done.map((r) => r.wallMs)),
    engineMs: median(done.map((r) => r.engineMs)),
    rssKb: Math.max(...done.map((r) => r.rssKb)),
  };
}

const HEADINGS = ["scale", "clients", "rows", "MB", "wall s", "engine s", "rows/s", "peak RSS MB"];

function tableRow(r: Result): string[] {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  return [
    `${r.scale}x`,
    n(r.clients),
    n(r.rows),
    (r.bytes / 1e6).toFixed(1),
    (r.wallMs / 1000).toFixed(2),
    (r.engineMs / 1000).toFixed(2),
    n(r.rows / (r.wallMs / 1000)),
    n(r.rssKb / 1024),
  ];
}

function printTable(results: Result[]): void {
  const rows = [HEADINGS, ...results.map(tableRow)];
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  "));
  console.log("wall s: median wall time of the whole command (start-up included); engine s: main() alone");
}

function printVerdict(results: Result[]): void {
  const one = results.find((r) => r.scale === 1);
  const ten = results.find((r) => r.scale === 10);
  if (ten) {
    const seconds = ten.wallMs / 1000;
    const mb = ten.rssKb / 1024;
    const ok = seconds < TARGET_SECONDS && mb < TARGET_RSS_MB;
    const detail = `${seconds.toFixed(2)} s, ${Math.round(mb)} MB peak RSS`;
    console.log(`10x target (< ${TARGET_SECONDS} s, < 1 GB): ${ok ? "MET" : "MISSED"} (${detail})`);
  }
  if (one && ten) {
    const perRow = (r: Result, ms: number) => ms / r.rows;
    const wall = perRow(ten, ten.wallMs) / perRow(one, one.wallMs);
    const engine = perRow(ten, ten.engineMs) / perRow(one, one.engineMs);
    console.log(
      `linearity (time per row 10x / 1x, 1.00 = linear): ${wall.toFixed(2)} (engine only: ${engine.toFixed(2)})`,
    );
  }
}

function options(): { scales: number[]; runs: number } {
  const spec = {
    scales: { type: "string", default: "1,4,10" },
    runs: { type: "string", default: "3" },
  } as const;
  let values: { scales: string; runs: string };
  try {
    values = parseArgs({ options: spec }).values;
  } catch (err) {
    throw new BenchError(
      `${err instanceof Error ? err.message : err}\nusage: reconcile.ts [--scales 1,4,10] [--runs 3]`,
    );
  }
  const scales = values.scales.split(",").map((s) => Number(s.trim()));
  const runs = Number(values.runs);
  if (scales.some((s) => !Number.isInteger(s) || s < 1))
    throw new BenchError(`bad --scales: ${values.scales}`);
  if (!Number.isInteger(runs) || runs < 1) throw new BenchError(`bad --runs: ${values.runs}`);
  return { scales, runs };
}

async function main(): Promise<void> {
  const { scales, runs } = options();
  const results: Result[] = [];
  for (const scale of scales) results.push(await benchScale(scale, runs));
  console.log("");
  printTable(results);
  printVerdict(results);
}

main().catch((err: unknown) => {
  if (err instanceof BenchError) console.error(err.message);
  else console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
