// `npm run bench`: times `trueup reconcile` on synthetic workspaces of 200, 800, 2,000 and 10,000
// clients, each beside DuckDB computing the core counts from the same CSV files (bench/duckdb.ts) in
// the same run, runs paired (Trueup, DuckDB, Trueup, ...), and checks DuckDB's counts equal Trueup's.
// Both run as a user runs them: `node bin/trueup.js reconcile` on the compiled CLI (built first), and
// DuckDB's script compiled to JavaScript; neither goes through tsx. bench/peak.mjs, preloaded, reports
// each process's peak RSS. Options: --scales 1,4,10,50 (x200 clients), --runs 3 (runs per scale),
// --cli FILE (the script run as `trueup`, default bin/trueup.js: another build, to compare).

import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { type Counts, compareCounts, trueupCounts, writeKeys } from "./duckdb.ts";
import { generateWorkspace } from "./generate.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const CLIENTS_PER_SCALE = 200;

interface Run {
  wallMs: number;
  engineMs: number;
  /** CPU time of the process (user and system). */
  cpuMs: number;
  rssKb: number;
}

interface Result {
  scale: number;
  clients: number;
  rows: number;
  bytes: number;
  wallMs: number;
  engineMs: number;
  cpuMs: number;
  rssKb: number;
  duck: Run;
  /** Trueup's wall time over DuckDB's, the median of the pairs' ratios. */
  ratio: number;
  /** The same of their CPU times. */
  cpuRatio: number;
  /** Figures compared, and clients whose EDR gap is compared. */
  figures: number;
  edrClients: number;
  /** "" when DuckDB's counts equal Trueup's, else what differs. */
  check: string;
}

/** A failure to report as a plain message: a bad option or a failed `trueup reconcile`. */
class BenchError extends Error {}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

function parseReport(text: string): { ms: number; cpuMs: number; maxRssKb: number } {
  const report = JSON.parse(text) as { ms?: unknown; cpuMs?: unknown; maxRssKb?: unknown };
  const { ms, cpuMs, maxRssKb } = report;
  if (typeof ms !== "number" || typeof cpuMs !== "number" || typeof maxRssKb !== "number")
    throw new Error("bad report");
  return { ms, cpuMs, maxRssKb };
}

const DUCKDB_CHILD = join(HERE, "out", "duckdb-child.mjs");

/** The CLI as `npm ci` builds it (dist/), and DuckDB's script as JavaScript: what the runs time. */
async function compile(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build.js"), "--quiet"], { stdio: "inherit" });
  await build({
    entryPoints: [join(HERE, "duckdb-child.ts")],
    outfile: DUCKDB_CHILD,
    bundle: true,
    packages: "external",
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
}

/**
 * One child process, its peak RSS and time reported by bench/peak.mjs on fd 3; the wall time includes
 * Node's start-up. stdout goes to the file `out`, or is kept and given to `stdout`.
 */
function runOnce(args: string[], out?: string, stdout?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let wallMs = 0;
    let stderr = "";
    let report = "";
    let text = "";
    const fd = out ? openSync(out, "w") : "pipe";
    const child = spawn(process.execPath, ["--import", "./bench/peak.mjs", ...args], {
      cwd: ROOT,
      env: { ...process.env, TRUEUP_TSX: "" },
      stdio: ["ignore", fd, "pipe", "pipe"],
    });
    if (typeof fd === "number") closeSync(fd);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      text += d;
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
        reject(new BenchError(`node ${args.join(" ")} failed (${how}):\n${stderr}`));
        return;
      }
      const { ms, cpuMs, maxRssKb } = parseReport(report);
      stdout?.(text);
      resolve({ wallMs, engineMs: ms, cpuMs, rssKb: maxRssKb });
    });
  });
}

async function benchScale(scale: number, runs: number, cli: string): Promise<Result> {
  const clients = scale * CLIENTS_PER_SCALE;
  const dir = join(HERE, "out", `x${scale}`);
  await rm(dir, { recursive: true, force: true });
  const genStart = performance.now();
  const { rows, bytes } = await generateWorkspace(dir, { clients, seed: 1 });
  const genSeconds = (performance.now() - genStart) / 1000;
  console.log(
    `${scale}x: generated ${clients} clients, ${rows} rows in ${genSeconds.toFixed(2)} s; running...`,
  );
  const yaml = await readFile(join(dir, "trueup.yaml"), "utf8");
  writeKeys(dir, yaml);
  const done: Run[] = [];
  const ducks: Run[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let duckCounts: Counts = {};
  const reportFile = join(dir, "report.json");
  for (let i = 0; i < runs; i++) {
    const trueup = [cli, "reconcile", "--workspace", dir, "--format", "json"];
    const run = await runOnce(trueup, i === 0 ? reportFile : "/dev/null");
    const duck = await runOnce([DUCKDB_CHILD, dir], undefined, (text) => {
      duckCounts = JSON.parse(text) as Counts;
    });
    done.push(run);
    ducks.push(duck);
    ratios.push(run.wallMs / duck.wallMs);
    cpuRatios.push(run.cpuMs / duck.cpuMs);
  }
  const { counts, skip } = trueupCounts(JSON.parse(await readFile(reportFile, "utf8")));
  const differ = compareCounts(counts, duckCounts, skip);
  return {
    scale,
    clients,
    rows,
    bytes,
    wallMs: median(done.map((r) => r.wallMs)),
    engineMs: median(done.map((r) => r.engineMs)),
    cpuMs: median(done.map((r) => r.cpuMs)),
    rssKb: Math.max(...done.map((r) => r.rssKb)),
    duck: {
      wallMs: median(ducks.map((r) => r.wallMs)),
      engineMs: median(ducks.map((r) => r.engineMs)),
      cpuMs: median(ducks.map((r) => r.cpuMs)),
      rssKb: Math.max(...ducks.map((r) => r.rssKb)),
    },
    ratio: median(ratios),
    cpuRatio: median(cpuRatios),
    figures: Object.keys(counts).length,
    edrClients: clients - skip.size,
    check: differ,
  };
}

const HEADINGS = [
  "scale",
  "clients",
  "rows",
  "MB",
  "time s",
  "cpu s",
  "rows/s",
  "peak RSS MB",
  "DuckDB s",
  "DuckDB cpu s",
  "DuckDB MB",
  "x DuckDB",
  "x cpu",
  "counts",
];

function tableRow(r: Result): string[] {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  return [
    `${r.scale}x`,
    n(r.clients),
    n(r.rows),
    (r.bytes / 1e6).toFixed(1),
    (r.wallMs / 1000).toFixed(2),
    (r.cpuMs / 1000).toFixed(2),
    n(r.rows / (r.wallMs / 1000)),
    n(r.rssKb / 1024),
    (r.duck.wallMs / 1000).toFixed(2),
    (r.duck.cpuMs / 1000).toFixed(2),
    n(r.duck.rssKb / 1024),
    r.ratio.toFixed(1),
    r.cpuRatio.toFixed(1),
    r.check ? "DIFFER" : `equal (${n(r.figures)})`,
  ];
}

/** The table, as text (also the README's Performance section). */
export function tableText(results: Result[]): string {
  const rows = [HEADINGS, ...results.map(tableRow)];
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows.map((row) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  ")).join("\n");
}

function printTable(results: Result[]): void {
  console.log(tableText(results));
  console.log(
    "time s: median wall time of `node bin/trueup.js reconcile --format json` (start-up included);\n" +
      "cpu s: its CPU time (user + system, all threads), which a busy machine inflates less;\n" +
      "x DuckDB, x cpu: Trueup's wall (CPU) time over DuckDB's (same files, runs paired), median of the pairs;\n" +
      "counts: DuckDB's billable users, current devices, EDR gaps, licence and billing sums per client\n" +
      "equal to Trueup's report (figures compared; EDR gaps where Trueup counts EDR on every device)",
  );
  for (const r of results) if (r.check) console.log(`${r.scale}x counts, Trueup vs DuckDB: ${r.check}`);
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, Node ${process.version}, load average ${load.join(" ")}`,
  );
}

/** Issue #12's targets: 2,000 clients (10x) and 10,000 (50x), time per row no worse at 50x. */
const TARGETS = [
  { scale: 10, seconds: 2, mb: 500, duck: 5 },
  { scale: 50, seconds: 10, mb: 1536, duck: Number.POSITIVE_INFINITY },
];

function printVerdict(results: Result[]): void {
  for (const t of TARGETS) {
    const r = results.find((x) => x.scale === t.scale);
    if (!r) continue;
    const seconds = r.wallMs / 1000;
    const mb = r.rssKb / 1024;
    const ok = seconds < t.seconds && mb < t.mb && r.ratio <= t.duck;
    const duck = Number.isFinite(t.duck) ? `, <= ${t.duck}x DuckDB` : "";
    console.log(
      `${t.scale}x target (< ${t.seconds} s, < ${t.mb} MB${duck}): ${ok ? "MET" : "MISSED"} ` +
        `(${seconds.toFixed(2)} s, ${Math.round(mb)} MB, ${r.ratio.toFixed(1)}x DuckDB)`,
    );
  }
  const base = results.find((r) => r.scale === 10);
  const big = results.find((r) => r.scale === 50);
  if (base && big) {
    const perRow = (r: Result, v: number) => v / r.rows;
    console.log(
      `linearity, 50x / 10x per row (1.00 = linear): time ${(perRow(big, big.wallMs) / perRow(base, base.wallMs)).toFixed(2)}, ` +
        `memory ${(perRow(big, big.rssKb) / perRow(base, base.rssKb)).toFixed(2)}`,
    );
  }
}

function options(): { scales: number[]; runs: number; cli: string } {
  const spec = {
    scales: { type: "string", default: "1,4,10,50" },
    runs: { type: "string", default: "3" },
    cli: { type: "string", default: "bin/trueup.js" },
  } as const;
  let values: { scales: string; runs: string; cli: string };
  try {
    values = parseArgs({ options: spec }).values;
  } catch (err) {
    throw new BenchError(
      `${err instanceof Error ? err.message : err}\nusage: reconcile.ts [--scales 1,4,10,50] [--runs 3] [--cli bin/trueup.js]`,
    );
  }
  const scales = values.scales.split(",").map((s) => Number(s.trim()));
  const runs = Number(values.runs);
  if (scales.some((s) => !Number.isInteger(s) || s < 1))
    throw new BenchError(`bad --scales: ${values.scales}`);
  if (!Number.isInteger(runs) || runs < 1) throw new BenchError(`bad --runs: ${values.runs}`);
  return { scales, runs, cli: values.cli };
}

/** Time to the first byte on stdout and to the exit of `node args...`, in ms (stdout discarded). */
function firstLine(args: string[]): Promise<{ firstMs: number; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstMs: number | undefined;
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, TRUEUP_TSX: "" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    child.stdout?.on("data", () => {
      firstMs ??= performance.now() - started;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0 || firstMs === undefined)
        reject(new BenchError(`node ${args.join(" ")} failed (exit code ${code})`));
      else resolve({ firstMs, exitMs: performance.now() - started });
    });
  });
}

/** Issue #12's start-up target: the first line of `trueup --help` and of `trueup validate` in < 300 ms. */
async function printStartup(cli: string, runs: number): Promise<void> {
  const commands = [["--help"], ["validate", "--workspace", "examples/demo"]];
  const nodeAlone = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    execFileSync(process.execPath, ["-e", "0"]);
    if (i > 0) nodeAlone.push(performance.now() - started);
  }
  console.log(
    `\nstart-up, median of ${runs} runs after one not counted (node -e 0: ${Math.round(median(nodeAlone))} ms):`,
  );
  for (const args of commands) {
    const times = [];
    for (let i = 0; i <= runs; i++) {
      const t = await firstLine([cli, ...args]);
      if (i > 0) times.push(t);
    }
    const first = median(times.map((t) => t.firstMs));
    const exit = median(times.map((t) => t.exitMs));
    console.log(
      `  trueup ${args.join(" ")}: first line ${Math.round(first)} ms, exit ${Math.round(exit)} ms; ` +
        `target < 300 ms to the first line: ${first < 300 ? "MET" : "MISSED"}`,
    );
  }
}

async function main(): Promise<void> {
  const { scales, runs, cli } = options();
  await compile();
  const results: Result[] = [];
  for (const scale of scales) results.push(await benchScale(scale, runs, cli));
  console.log("");
  printTable(results);
  printVerdict(results);
  await printStartup(cli, 10);
}

main().catch((err: unknown) => {
  if (err instanceof BenchError) console.error(err.message);
  else console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
