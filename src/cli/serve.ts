import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import type { HealthOptions } from "../server/health.ts";
import { IDLE_COLLECT_MS, IDLE_RELEASE_MS } from "../server/idle-collect.ts";
import type { Db } from "../store/db.ts";
import type { Actor, Store } from "../store/store.ts";
import { wholeNumberUpTo } from "../store/whole-number.ts";
import type { Scheduler } from "../sync/schedule.ts";
import { packagePath } from "./files.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

interface Options {
  port: string;
  host: string;
  trustProxy?: boolean;
  /** commander's --no-schedule */
  schedule?: boolean;
  metricsPort?: string;
  metricsHost: string;
}

export const FIRST_ADMIN = "admin@trueup.local";
const SYSTEM: Actor = { name: "system" };

export function serveCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("serve")
    .description(
      "Serve the web UI and the API. The data lives in TRUEUP_DATA (default ./.trueup) or DATABASE_URL; " +
        "the first start loads the demo workspace and creates an admin account.",
    )
    .option("--port <port>", "port to listen on (0: any free port)", "3000")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--trust-proxy",
      "behind a reverse proxy: trust its X-Forwarded-For and X-Forwarded-Proto headers",
    )
    .option("--no-schedule", "do not pull connections on their schedules (pulls by hand still work)")
    .option("--metrics-port <port>", "serve GET /metrics (Prometheus) on this port, without a token")
    .option("--metrics-host <host>", "address of --metrics-port", "127.0.0.1")
    .addHelpText(
      "after",
      "\nConnections pull on their schedule (cron, UTC; default nightly at 02:00): in this process on the\n" +
        "embedded database, through pg-boss jobs shared by every app process on PostgreSQL.\n" +
        "\nGET /healthz and GET /readyz answer without sign-in. GET /metrics answers on this port to\n" +
        "`Authorization: Bearer $TRUEUP_METRICS_TOKEN` when that variable is set, or on --metrics-port.\n" +
        "\nExample:\n  trueup serve --port 8080\n",
    )
    .action(run((opts) => runServe(io, opts as Options)));
}

/**
 * How far V8 lets each thread's heap grow past what a full collection left, in percent. V8's own
 * factor goes up to 4x when collecting is cheap: the server, on the bench's 2,000 clients, kept
 * 205-282 MB of heap pages for some 100 MB of live objects. At 50 % it kept 146-170 MB: server RSS
 * after autocannon's idle routes 455-480 MB in six runs, against 523-563 MB (bench:api after idle:
 * 484-521 MB, against 557-677 MB), with runs through the API as fast within their spread.
 * TRUEUP_HEAP_GROWING_PERCENT=0 leaves V8's factor.
 */
const HEAP_GROWING_PERCENT = 50;

function heapGrowingPercent(value: string | undefined, io: Io): number | false {
  if (value === undefined || value === "") return HEAP_GROWING_PERCENT;
  const percent = wholeNumberUpTo(value, 300);
  if (percent !== undefined) return percent;
  io.err(`trueup: TRUEUP_HEAP_GROWING_PERCENT must be a whole number from 0 to 300, not "${value}"\n`);
  return false;
}

/**
 * The first start of an empty database: the demo, its reconciliation, and an admin account. Processes
 * starting together on one PostgreSQL database take turns (an advisory lock): the first does it, the
 * others find the admin there. Each step checks what is done, so a start that died half-way is
 * finished by the next.
 */
async function firstStart(io: Io, store: Store, db: Db): Promise<string | undefined> {
  const { withStartLock } = await import("../store/db.ts");
  return withStartLock(db, async () => {
    if ((await store.countUsers()) > 0) return undefined;
    await loadDemo(io, store);
    const { password } = await store.addUser(FIRST_ADMIN, "admin", SYSTEM);
    return password;
  });
}

async function loadDemo(io: Io, store: Store): Promise<void> {
  if (!(await store.latestRun()) && (await store.listSources()).length === 0) {
    const { loadDemoMonths } = await import("./demo-store.ts");
    // Earlier months under history/ are imported and reconciled first; the demo's own month is
    // reconciled by the sandbox's pull below.
    const rows = await loadDemoMonths(io, store, packagePath("examples", "demo"), SYSTEM, {
      reconcileLast: false,
    });
    // The demo's PSA lines become a sandbox PSA kept by the app, so PSA sync can be tried end to end;
    // its pull reconciles.
    const { DEMO_SANDBOX, setUpSandbox } = await import("../sync/sandbox.ts");
    await setUpSandbox(store, DEMO_SANDBOX, SYSTEM, io.today());
    io.err(
      `Loaded the demo workspace (${rows} rows) and reconciled it (its earlier months under history/ ` +
        `first); its PSA lines are in the sandbox PSA "${DEMO_SANDBOX}" (PSA sync page; not a real PSA).\n`,
    );
  }
}

function urlOf(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

/** Resolves once a signal has closed the server and the store. */
function untilStopped(
  io: Io,
  app: FastifyInstance,
  store: Store,
  scheduler?: Scheduler,
  metricsApp?: FastifyInstance,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop).off("SIGTERM", stop);
      io.err(`\n${signal}: stopping\n`);
      app
        .close()
        .then(() => metricsApp?.close())
        .then(() => scheduler?.stop())
        .then(() => store.close())
        .then(resolve, reject);
    };
    process.once("SIGINT", stop).once("SIGTERM", stop);
  });
}

function startApp(
  store: Store,
  today: () => string,
  opts: Options,
  scheduler: Scheduler | undefined,
  health: HealthOptions,
): Promise<FastifyInstance> {
  return import("../server/app.ts").then(({ buildApp }) =>
    buildApp({
      health,
      store,
      logger: { level: process.env.TRUEUP_LOG_LEVEL || "info", stream: process.stderr },
      webRoot: packagePath("web", "dist"),
      today,
      trustProxy: opts.trustProxy === true,
      scheduler,
      prepareClientPages: true,
      collectWhenIdleMs: IDLE_COLLECT_MS,
      releaseWhenIdleMs: IDLE_RELEASE_MS,
    }),
  );
}

function portOf(text: string | undefined, flag: string, io: Io): number | undefined | false {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  io.err(`trueup: ${flag} must be a number from 0 to 65535, not "${text}"\n`);
  return false;
}

/** Says at start which stored secrets this process's TRUEUP_SECRET_KEY cannot open. */
async function checkSecretKey(io: Io, db: Db): Promise<void> {
  const { describeSecrets, undecryptableSecrets } = await import("../store/secret-keys.ts");
  const refs = await undecryptableSecrets(db, process.env.TRUEUP_SECRET_KEY);
  if (refs.length === 0) return;
  const why = process.env.TRUEUP_SECRET_KEY
    ? "TRUEUP_SECRET_KEY is not the key"
    : "TRUEUP_SECRET_KEY is not set, and";
  io.err(
    `trueup: warning: ${why} they were stored with: the stored secrets of ${describeSecrets(refs)} cannot be ` +
      "decrypted, and pulls of those connections will fail until this process starts with the right key " +
      "or an admin enters those secrets again.\n",
  );
}

export async function runServe(io: Io, opts: Options): Promise<number> {
  const port = portOf(opts.port, "--port", io);
  const metricsPort = portOf(opts.metricsPort, "--metrics-port", io);
  if (port === false || port === undefined || metricsPort === false) return 2;
  const growth = heapGrowingPercent(process.env.TRUEUP_HEAP_GROWING_PERCENT, io);
  if (growth === false) return 2;
  // The store's worker threads give way to the requests (store/priority.ts); they read it when they start.
  const { SERVER_WORKER_NICE, WORKER_NICE_ENV, workerNice } = await import("../store/priority.ts");
  const nice = process.env[WORKER_NICE_ENV];
  if (nice === undefined || nice === "") process.env[WORKER_NICE_ENV] = String(SERVER_WORKER_NICE);
  else if (workerNice(nice) === undefined) {
    io.err(`trueup: ${WORKER_NICE_ENV} must be a whole number from 0 to 19, not "${nice}"\n`);
    return 2;
  }
  const { ENGINE_KEEP_ENV, engineKeepSeconds } = await import("../store/run-worker.ts");
  const keep = process.env[ENGINE_KEEP_ENV];
  if (keep !== undefined && keep !== "" && engineKeepSeconds(keep) === undefined) {
    io.err(`trueup: ${ENGINE_KEEP_ENV} must be a whole number of seconds from 0 to 86400, not "${keep}"\n`);
    return 2;
  }
  // V8 reads its heap growing factor at each collection, so that it can be set here.
  if (growth > 0) (await import("node:v8")).setFlagsFromString(`--heap-growing-percent=${growth}`);
  // The server and the database load only for this command, keeping the others quick to start.
  const { dbOptionsFromEnv, describeDb, openDb } = await import("../store/db.ts");
  const { createStore, StoreError } = await import("../store/index.ts");
  const health = await import("../server/health.ts");
  const dbOptions = dbOptionsFromEnv();
  let db: Db;
  try {
    // A new embedded database is made by a child process: the server keeps none of that memory.
    db = await openDb({ ...dbOptions, initialiseApart: true });
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    io.err(`trueup: ${e.message}\n`);
    return 2;
  }
  const plain = createStore(db);
  const token = process.env.TRUEUP_METRICS_TOKEN || undefined;
  const metrics =
    token !== undefined || metricsPort !== undefined ? health.createMetrics(db, plain) : undefined;
  const store = metrics ? health.instrumentStore(plain, metrics) : plain;
  let app: FastifyInstance | undefined;
  let metricsApp: FastifyInstance | undefined;
  let password: string | undefined;
  let scheduler: Scheduler | undefined;
  let listening = `${opts.host}:${port}`;
  try {
    password = await firstStart(io, store, db);
    await checkSecretKey(io, db);
    if (opts.schedule !== false) {
      const { startScheduler } = await import("../sync/schedule.ts");
      scheduler = await startScheduler(store, {
        databaseUrl: dbOptions.url,
        today: io.today,
        log: (m) => io.err(`${new Date().toISOString()} ${m}\n`),
      });
    }
    app = await startApp(store, io.today, opts, scheduler, { db, scheduler, metrics, metricsToken: token });
    await app.listen({ port, host: opts.host });
    if (metrics && metricsPort !== undefined) {
      listening = `${opts.metricsHost}:${metricsPort}`;
      metricsApp = await health.startMetricsServer(metrics, metricsPort, opts.metricsHost);
    }
  } catch (e) {
    await app?.close();
    await scheduler?.stop();
    await store.close();
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    io.err(`trueup: ${listening} is in use; choose another port with --port or --metrics-port\n`);
    return 2;
  }
  io.out(`Trueup is running at ${urlOf(app, opts.host)} (${describeDb(dbOptions)})\n`);
  if (metricsApp) io.out(`Metrics are at ${urlOf(metricsApp, opts.metricsHost)}metrics\n`);
  if (password !== undefined)
    io.out(
      `Sign in as ${FIRST_ADMIN} with the one-time password ${password} (it is not shown again, ` +
        "and must be changed at first sign-in).\n",
    );
  await untilStopped(io, app, store, scheduler, metricsApp);
  return 0;
}
