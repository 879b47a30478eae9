// `npm run bench:api`: the API under load on the 2,000-client bench workspace (about 409,000 rows).
// Loads the workspace into a fresh embedded database through the store, starts `trueup serve` on it in
// a child process (so that autocannon does not share the server's event loop), signs in, and measures
// with autocannon the dashboard, the client list, client pages and the findings list: first idle,
// then while a billing account starts reconciliations back to back (POST /api/runs, one after the
// other, as long as the measurement lasts), then while it uploads a 50 MB devices file for preview
// back to back (POST /api/imports/file/preview, the file's bytes as the import page sends them: read
// and checked whole, as an import is, nothing stored).
// Targets: p95 under 100 ms for each at 50 concurrent connections idle, under 150 ms during reconciles
// and uploads; the server's RSS under 500 MB with the data loaded.
// The server's RSS is read after each mode, again once it has been idle long enough to collect
// (IDLE_COLLECT_MS and 2 s), and again once it has let go of what it keeps only while used (SETTLED_MS):
// the last is the one held to the RSS target.
// Requests carry Accept-Encoding as browsers send it (the dashboard's answer is kept gzipped).
// Options: --duration 10 (seconds measured per route), --warmup 2, --connections 50, --clients 2000,
// --mode all|idle|reconciles|uploads (several: comma-separated; default all). BENCH_SERVE_NODE_ARGS
// gives the server's process Node options (a CPU profile: "--cpu-prof --cpu-prof-dir=/tmp/prof").

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { IDLE_COLLECT_MS, IDLE_RELEASE_MS } from "../src/server/idle-collect.ts";
import { createStore, openDb } from "../src/store/index.ts";
import { ENGINE_KEEP_S } from "../src/store/run-worker.ts";
import { generateWorkspace } from "./generate.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const TARGET_P95_MS = { idle: 100, reconciles: 150, uploads: 150 } as const;
const TARGET_RSS_MB = 500;
/**
 * How long after a mode the server's RSS is read for the RSS target: once it has let go of what it
 * keeps only while used (the runs kept but the newest, the engine's input, the reader thread).
 */
const SETTLED_MS = Math.max(IDLE_RELEASE_MS, ENGINE_KEEP_S * 1000) + 5000;
const BENCH_USER = "bench@trueup.local";
const BILLING_USER = "bench-billing@trueup.local";
/** The size of the uploads mode's file. */
const UPLOAD_BYTES = 50_000_000;
const ACTOR = { name: "bench" };

class BenchError extends Error {}

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  clients: number;
  modes: Mode[];
}

type Mode = keyof typeof TARGET_P95_MS;

function options(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "50" },
      clients: { type: "string", default: "2000" },
      mode: { type: "string", default: "all" },
    },
  });
  const all = Object.keys(TARGET_P95_MS) as Mode[];
  const asked = values.mode === "all" ? all : (values.mode ?? "").split(",");
  const modes = asked.filter((m): m is Mode => (all as string[]).includes(m));
  if (modes.length === 0 || modes.length < asked.length)
    throw new BenchError(`bad --mode: ${values.mode} (all, or some of ${all.join(", ")})`);
  const n = (name: keyof typeof values, min: number) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) throw new BenchError(`bad --${name}: ${values[name]}`);
    return v;
  };
  return {
    duration: n("duration", 1),
    warmup: n("warmup", 0),
    connections: n("connections", 1),
    clients: n("clients", 1),
    modes: [...modes],
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await f();
  const ms = performance.now() - started;
  console.log(`${label}: ${seconds(ms)}`);
  return { value, ms };
}

/** The generated workspace, reused when a complete one is there already. */
async function workspace(clients: number): Promise<{ dir: string; rows: number }> {
  const dir = join(HERE, "out", clients === 2000 ? "api" : `api-${clients}`);
  const marker = join(dir, ".complete");
  const done = await readFile(marker, "utf8").catch(() => undefined);
  if (done !== undefined) return { dir, rows: Number(done) };
  await rm(dir, { recursive: true, force: true });
  const { rows } = await generateWorkspace(dir, { clients, seed: 1 });
  await writeFile(marker, String(rows));
  return { dir, rows };
}

/** A fresh embedded database holding the workspace, one run of it, and a viewer account. */
async function load(dir: string, dataDir: string, password: string) {
  const store = createStore(await openDb({ dataDir }));
  try {
    const imported = await timed("  import (store.importWorkspace)", () => store.importWorkspace(dir, ACTOR));
    const errors = imported.value.issues.filter((i) => i.severity === "error");
    if (errors.length > 0) throw new BenchError(`the bench workspace did not load: ${errors[0]?.message}`);
    const run = await timed("  reconcile (store.reconcile)", () =>
      store.reconcile({ today: new Date().toISOString().slice(0, 10) }, ACTOR),
    );
    await store.addUser(BENCH_USER, "viewer", ACTOR, password);
    await store.addUser(BILLING_USER, "billing", ACTOR, password);
    return { rows: imported.value.rows, importMs: imported.ms, reconcileMs: run.ms };
  } finally {
    await store.close();
  }
}

/** Node's options for the server, from BENCH_SERVE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"). */
function serveNodeArgs(): string[] {
  return (process.env.BENCH_SERVE_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
}

/** `trueup serve` on the database, as `npm start` runs it (info logs, written to a file). */
async function serve(dataDir: string, logFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...serveNodeArgs(), join(ROOT, "bin", "trueup.js"), "serve", "--port", "0", "--host", "127.0.0.1"],
    {
      cwd: ROOT,
      env: { ...process.env, TRUEUP_DATA: dataDir, DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  let stdout = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const found = /running at (http:\/\/\S+)\//.exec(stdout);
      if (found?.[1]) resolve(found[1]);
    });
    child.on("exit", (code) => reject(new BenchError(`trueup serve exited ${code}; see ${logFile}`)));
  });
  return { child, url };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function signIn(
  url: string,
  password: string,
  email = BENCH_USER,
): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  if (response.status !== 200 || !cookie) throw new BenchError(`login failed: ${response.status}`);
  const { csrf } = (await response.json()) as { csrf: string };
  return { cookie, csrf };
}

/** Reconciliations started one after the other (POST /api/runs) until `stop`; their durations. */
/** One request after another (a billing account's), as long as the measurement lasts. */
function backToBack(
  url: string,
  auth: { cookie: string; csrf: string },
  path: string,
  body: string | Buffer,
) {
  const durations: number[] = [];
  let stopping = false;
  const done = (async () => {
    while (!stopping) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: {
          cookie: auth.cookie,
          "x-csrf-token": auth.csrf,
          "content-type": typeof body === "string" ? "application/json" : "application/octet-stream",
        },
        body: typeof body === "string" ? body : new Uint8Array(body),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new BenchError(`POST ${path}: ${response.status}`);
      durations.push(performance.now() - started);
    }
  })();
  return {
    durations,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

/**
 * The upload of the uploads mode: the workspace's devices file, its rows repeated under other
 * host names and serials up to `bytes`, as the app's import page sends it (the file's bytes).
 */
async function uploadBody(
  url: string,
  cookie: string,
  dir: string,
  bytes: number,
): Promise<{ path: string; body: Buffer }> {
  const sources = await getJson<{ id: number; kind: string; file: string }[]>(`${url}/api/sources`, cookie);
  const devices = sources.find((s) => s.kind === "devices");
  if (!devices) throw new BenchError("the bench workspace has no devices source");
  const [header, ...rows] = (await readFile(join(dir, devices.file), "utf8")).trim().split("\n");
  const lines = [header];
  let size = 0;
  for (let k = 0; size < bytes; k++)
    for (const row of rows) {
      const line = row.replace(/^([^,]+),([^,]*),([^,]*)/, `$1-${k},$2,$3-${k}`);
      lines.push(line);
      size += line.length + 1;
    }
  return {
    path: `/api/imports/file/preview?sourceId=${devices.id}&fileName=devices-upload.csv`,
    body: Buffer.from(`${lines.join("\n")}\n`),
  };
}

async function getJson<T>(url: string, cookie: string): Promise<T> {
  const response = await fetch(url, { headers: { cookie } });
  if (response.status !== 200)
    throw new BenchError(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Route {
  label: string;
  /** One path, or several taken in turn (one per request). */
  paths: string[];
}

interface Measured {
  route: Route;
  coldMs: number;
  result: Result;
  /** Latency of every response, ms, sorted. */
  latencies: number[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

function cannon(url: string, cookie: string, route: Route, connections: number, duration: number) {
  let next = 0;
  const latencies: number[] = [];
  return new Promise<{ result: Result; latencies: number[] }>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        timeout: 30,
        // As a browser asks: answers kept gzipped (the dashboard) go gzipped.
        headers: { cookie, "accept-encoding": "gzip, deflate, br" },
        requests: [
          {
            method: "GET",
            setupRequest: (req) => ({ ...req, path: route.paths[next++ % route.paths.length] }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve({ result, latencies: latencies.sort((a, b) => a - b) })),
    );
    instance.on("response", (_client, _status, _bytes, ms) => {
      latencies.push(ms);
    });
  });
}

/**
 * Waits until the server answers a small request at once. Autocannon stops at the end of its time
 * without waiting for the requests still in flight, which the server goes on working through: left
 * alone, they would count against the next measurement.
 */
async function drain(url: string, cookie: string): Promise<void> {
  const until = performance.now() + 60_000;
  for (;;) {
    const started = performance.now();
    await (await fetch(`${url}/api/auth/me`, { headers: { cookie } })).arrayBuffer();
    if (performance.now() - started < 20 || performance.now() > until) return;
  }
}

async function measure(
  url: string,
  cookie: string,
  route: Route,
  opts: Options,
  busy: boolean,
): Promise<Measured> {
  // Under reconciles the server is never idle: waiting for it to be would wait forever.
  if (!busy) await drain(url, cookie);
  const started = performance.now();
  const first = await fetch(`${url}${route.paths[0]}`, { headers: { cookie } });
  await first.arrayBuffer();
  const coldMs = performance.now() - started;
  if (opts.warmup > 0) {
    await cannon(url, cookie, route, opts.connections, opts.warmup);
    if (!busy) await drain(url, cookie);
  }
  const { result, latencies } = await cannon(url, cookie, route, opts.connections, opts.duration);
  return { route, coldMs, result, latencies };
}

function table(rows: string[][]): void {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("  "),
    );
}

function report(measured: Measured[], target: number): boolean {
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "-");
  const rows = [
    [
      "route",
      "req/s",
      "p50 ms",
      "p95 ms",
      "p97.5 ms",
      "p99 ms",
      "max ms",
      "cold ms",
      "errors",
      "non-2xx",
      `p95 < ${target} ms`,
    ],
  ];
  let ok = true;
  for (const m of measured) {
    const l = m.latencies;
    const p95 = percentile(l, 95);
    const failed = m.result.errors + m.result.timeouts + m.result.non2xx;
    const met = p95 < target && failed === 0;
    ok &&= met;
    rows.push([
      m.route.label,
      (l.length / m.result.duration).toFixed(0),
      ms(percentile(l, 50)),
      ms(p95),
      ms(m.result.latency.p97_5),
      ms(percentile(l, 99)),
      ms(l.at(-1) ?? Number.NaN),
      ms(m.coldMs),
      String(m.result.errors + m.result.timeouts),
      String(m.result.non2xx),
      met ? "yes" : "NO",
    ]);
  }
  table(rows);
  console.log(
    "p50/p95/p99/max: exact, from the latency of every response (autocannon's 'response' event); p97.5: autocannon's own\n" +
      "histogram; cold: one request before the warm-up (caches empty for that route).",
  );
  return ok;
}

/** A process's RSS in MB (NaN when it cannot be read). */
async function rss(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : Number.NaN;
}

async function rssMb(pid: number | undefined): Promise<string> {
  const mb = await rss(pid);
  return Number.isNaN(mb) ? "unknown" : `${mb} MB`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const opts = options();
  const ws = await timed(`workspace (${opts.clients} clients)`, () => workspace(opts.clients));
  const temp = await mkdtemp(join(tmpdir(), "trueup-bench-api-"));
  const dataDir = join(temp, "data");
  const logFile = join(temp, "serve.log");
  const password = randomBytes(12).toString("hex");
  let child: ChildProcess | undefined;
  try {
    console.log(`loading ${ws.value.rows.toLocaleString("en-US")} rows into a fresh embedded database:`);
    const loaded = await load(ws.value.dir, dataDir, password);
    const server = await timed("server start (trueup serve)", () => serve(dataDir, logFile));
    child = server.value.child;
    const { url } = server.value;
    const rssAt: [string, string][] = [["started", await rssMb(child.pid)]];
    const settledMb: number[] = [];
    const { cookie } = await signIn(url, password);
    const billing = await signIn(url, password, BILLING_USER);

    const dashboard = await getJson<{ byType: { type: string; count: number }[] }>(
      `${url}/api/dashboard`,
      cookie,
    );
    const ids: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await getJson<{ items: { id: string }[]; total: number }>(
        `${url}/api/clients?limit=500&offset=${offset}`,
        cookie,
      );
      ids.push(...page.items.map((c) => c.id));
      if (ids.length >= page.total || page.items.length === 0) break;
    }
    const top = ids[0];
    const type = dashboard.byType[0]?.type;
    if (!top || !type) throw new BenchError("the run has no client or no finding");
    const routes: Route[] = [
      { label: "GET /api/auth/me", paths: ["/api/auth/me"] },
      { label: "GET /api/dashboard", paths: ["/api/dashboard"] },
      { label: "GET /api/clients?limit=50", paths: ["/api/clients?limit=50"] },
      { label: `GET /api/clients/${top} (top client)`, paths: [`/api/clients/${encodeURIComponent(top)}`] },
      {
        label: `GET /api/clients/:id (all ${ids.length} in turn)`,
        paths: ids.map((id) => `/api/clients/${encodeURIComponent(id)}`),
      },
      { label: "GET /api/findings?limit=50", paths: ["/api/findings?limit=50"] },
      {
        label: `GET /api/findings?type=${type}&status=open`,
        paths: [`/api/findings?type=${type}&status=open&limit=50&offset=50`],
      },
    ];

    let ok = true;
    for (const mode of opts.modes) {
      const busy = mode !== "idle";
      const upload =
        mode === "uploads" ? await uploadBody(url, cookie, ws.value.dir, UPLOAD_BYTES) : undefined;
      const what = {
        idle: "idle",
        reconciles: "during back-to-back reconciles",
        uploads: `during back-to-back previews of a ${Math.round((upload?.body.length ?? 0) / 1e6)} MB upload`,
      }[mode];
      console.log(
        `\nautocannon, ${what}: ${opts.connections} connections, ` +
          `${opts.warmup} s warm-up then ${opts.duration} s per route...`,
      );
      const load =
        mode === "reconciles"
          ? backToBack(url, billing, "/api/runs", "{}")
          : upload
            ? backToBack(url, billing, upload.path, upload.body)
            : undefined;
      const measured: Measured[] = [];
      try {
        for (const route of routes) measured.push(await measure(url, cookie, route, opts, busy));
      } finally {
        await load?.stop();
      }
      console.log("");
      rssAt.push([`after ${mode}`, await rssMb(child.pid)]);
      // And once the server has been idle long enough to give memory back (idle-collect.ts).
      await new Promise((r) => setTimeout(r, IDLE_COLLECT_MS + 2000));
      rssAt.push([`${(IDLE_COLLECT_MS + 2000) / 1000} s later`, await rssMb(child.pid)]);
      // And once it has let go of what it keeps only while used: the older runs, the engine's input.
      await new Promise((r) => setTimeout(r, SETTLED_MS - IDLE_COLLECT_MS - 2000));
      const settled = await rss(child.pid);
      rssAt.push([`${SETTLED_MS / 1000} s later`, `${settled} MB`]);
      settledMb.push(settled);
      ok = report(measured, TARGET_P95_MS[mode]) && ok;
      if (load) {
        const runs = [...load.durations].sort((a, b) => a - b);
        console.log(
          `${mode} during the measurement: ${runs.length}, each ${seconds(percentile(runs, 50))} ` +
            `(median; slowest ${seconds(runs.at(-1) ?? Number.NaN)})`,
        );
      }
    }
    const rssText = rssAt.map(([when, mb]) => `${when} ${mb}`).join(", ");
    console.log(
      `\nload: ${ws.value.rows.toLocaleString("en-US")} rows, import ${seconds(loaded.importMs)}, reconcile ` +
        `${seconds(loaded.reconcileMs)}; server RSS ${rssText}; whole bench ${seconds(performance.now() - started)}`,
    );
    console.log(
      `target (p95 < ${TARGET_P95_MS.idle} ms idle, < ${TARGET_P95_MS.reconciles} ms during reconciles and uploads, no errors, ` +
        `every route): ${ok ? "MET" : "MISSED"}`,
    );
    const most = Math.max(...settledMb);
    const rssOk = settledMb.length > 0 && most < TARGET_RSS_MB;
    console.log(
      `target (server RSS < ${TARGET_RSS_MB} MB with the data loaded, ${SETTLED_MS / 1000} s after each mode): ` +
        `${rssOk ? "MET" : "MISSED"} (at most ${most} MB)`,
    );
    if (!ok || !rssOk) process.exitCode = 1;
  } finally {
    if (child) await stop(child);
    await rm(temp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof BenchError) console.error(err.message);
  else console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
