// `node bin/run-ts.js bench/ops.ts`: what docs/operations.md quotes about resources, measured on the
// 2,000-client bench workspace (about 409,000 rows).
//
//   --database embedded       load it into a fresh embedded database, start one `trueup serve`, and give
//                             import and reconcile times, the data folder's size, the server's memory
//                             idle, under load and at its peak, and a run started through the API
//   --database postgres       (with DATABASE_URL of a server where the role may CREATE DATABASE) the same
//                             on a new PostgreSQL database with --processes servers (default 2), loaded
//                             at once with --connections each (default 25) on a mix of routes
// Options: --duration 20 (seconds under load), --clients 2000.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { createStore, openDb } from "../src/store/index.ts";
import { generateWorkspace } from "./generate.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const USER = "bench@trueup.local";
const ACTOR = { name: "bench" };

const { values } = parseArgs({
  options: {
    database: { type: "string", default: "embedded" },
    processes: { type: "string", default: "2" },
    connections: { type: "string", default: "25" },
    duration: { type: "string", default: "20" },
    clients: { type: "string", default: "2000" },
  },
});
const clients = Number(values.clients);
const processes = values.database === "postgres" ? Number(values.processes) : 1;

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await f();
  const ms = performance.now() - started;
  console.log(`${label}: ${s(ms)}`);
  return { value, ms };
}

async function workspace(): Promise<string> {
  const dir = join(HERE, "out", clients === 2000 ? "api" : `api-${clients}`);
  if ((await readFile(join(dir, ".complete"), "utf8").catch(() => undefined)) !== undefined) return dir;
  await rm(dir, { recursive: true, force: true });
  const { rows } = await generateWorkspace(dir, { clients, seed: 1 });
  await writeFile(join(dir, ".complete"), String(rows));
  return dir;
}

async function memory(pid: number | undefined): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const mb = (k: string) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  return { rss: mb("VmRSS"), peak: mb("VmHWM") };
}

function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, "bin", "trueup.js"), "serve", "--port", "0"], {
    env: { ...process.env, TRUEUP_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const found = /running at (http:\/\/\S+)\//.exec(out);
      if (found?.[1]) resolve({ child, url: found[1] });
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}`)));
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

function load(url: string, cookie: string, paths: string[], connections: number, duration: number) {
  let next = 0;
  const latencies: number[] = [];
  return new Promise<{ latencies: number[]; errors: number; non2xx: number; seconds: number }>(
    (resolve, reject) => {
      const instance = autocannon(
        {
          url,
          connections,
          duration,
          timeout: 30,
          headers: { cookie },
          requests: [
            { method: "GET", setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) },
          ],
        },
        (err, r) =>
          err
            ? reject(err)
            : resolve({
                latencies: latencies.sort((a, b) => a - b),
                errors: r.errors + r.timeouts,
                non2xx: r.non2xx,
                seconds: r.duration,
              }),
      );
      instance.on("response", (_c, _s, _b, ms) => latencies.push(ms));
    },
  );
}

async function main(): Promise<void> {
  const dir = (await timed(`workspace (${clients} clients)`, workspace)).value;
  const password = randomBytes(12).toString("hex");
  const temp = await mkdtemp(join(tmpdir(), "trueup-bench-ops-"));
  const name = `trueup_bench_${randomBytes(3).toString("hex")}`;
  let env: NodeJS.ProcessEnv;
  let admin: pg.Client | undefined;
  if (values.database === "postgres") {
    const server = process.env.DATABASE_URL;
    if (!server) throw new Error("--database postgres needs DATABASE_URL");
    admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString(), TRUEUP_DATA: "" };
  } else env = { DATABASE_URL: "", TRUEUP_DATA: join(temp, "data") };
  const children: ChildProcess[] = [];
  try {
    const store = createStore(await openDb({ url: env.DATABASE_URL || undefined, dataDir: env.TRUEUP_DATA }));
    const imported = await timed("import (store.importWorkspace)", () => store.importWorkspace(dir, ACTOR));
    console.log(`  ${imported.value.rows.toLocaleString("en-US")} rows`);
    await timed("reconcile (store.reconcile)", () =>
      store.reconcile({ today: new Date().toISOString().slice(0, 10) }, ACTOR),
    );
    await store.addUser(USER, "admin", ACTOR, password);
    await store.close();
    if (env.TRUEUP_DATA)
      console.log(`data folder: ${execFileSync("du", ["-sh", env.TRUEUP_DATA]).toString().split("\t")[0]}`);
    else {
      const size = await admin?.query("select pg_size_pretty(pg_database_size($1)) as size", [name]);
      console.log(`database size: ${size?.rows[0].size}`);
    }
    const servers = [];
    for (let i = 0; i < processes; i++) servers.push(await timed(`server ${i + 1} start`, () => serve(env)));
    children.push(...servers.map((x) => x.value.child));
    const login = await fetch(`${servers[0]?.value.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: USER, password }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const { csrf } = (await login.json()) as { csrf: string };
    const base = servers[0]?.value.url as string;
    const page = (await (await fetch(`${base}/api/clients?limit=200`, { headers: { cookie } })).json()) as {
      items: { id: string }[];
    };
    const paths = [
      "/api/dashboard",
      "/api/clients?limit=50",
      "/api/findings?limit=50",
      "/api/auth/me",
      ...page.items.map((c) => `/api/clients/${encodeURIComponent(c.id)}`),
    ];
    for (const [i, x] of servers.entries())
      console.log(`server ${i + 1} idle: RSS ${(await memory(x.value.child.pid)).rss} MB`);
    const connections = Number(values.connections);
    const duration = Number(values.duration);
    console.log(
      `\nload: ${connections} connections on each of ${processes} process(es), ${duration} s after a 5 s warm-up, ${paths.length} paths in turn`,
    );
    // Cold: each process builds its caches of the run at its first requests; then a warm-up under load.
    for (const [i, x] of servers.entries())
      await timed(`server ${i + 1}: every path once (cold)`, async () => {
        for (const p of paths)
          await (await fetch(`${x.value.url}${p}`, { headers: { cookie } })).arrayBuffer();
      });
    await Promise.all(servers.map((x) => load(x.value.url, cookie, paths, connections, 5)));
    await new Promise((r) => setTimeout(r, 3000));
    const results = await Promise.all(
      servers.map((x) => load(x.value.url, cookie, paths, connections, duration)),
    );
    const rows = [
      ["process", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "non-2xx", "RSS MB", "peak MB"],
    ];
    for (const [i, r] of results.entries()) {
      const m = await memory(servers[i]?.value.child.pid);
      const l = r.latencies;
      rows.push([
        String(i + 1),
        (l.length / r.seconds).toFixed(0),
        ...[50, 95, 99].map((p) => percentile(l, p).toFixed(1)),
        (l.at(-1) ?? 0).toFixed(1),
        String(r.errors),
        String(r.non2xx),
        String(m.rss),
        String(m.peak),
      ]);
    }
    const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i] ?? 0)).join("  "));
    const run = await timed("\nrun through the API (POST /api/runs)", () =>
      fetch(`${base}/api/runs`, {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
        body: "{}",
      }),
    );
    console.log(
      `  status ${run.value.status}; server 1 after it: peak RSS ${(await memory(children[0]?.pid)).peak} MB`,
    );
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.on("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
    await rm(temp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
