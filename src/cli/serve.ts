import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import type { Actor, Store } from "../store/store.ts";
import type { Scheduler } from "../sync/schedule.ts";
import { formatIssue } from "../workspace/issues.ts";
import { packagePath } from "./files.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

interface Options {
  port: string;
  host: string;
  trustProxy?: boolean;
  /** commander's --no-schedule */
  schedule?: boolean;
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
    .addHelpText(
      "after",
      "\nConnections pull on their schedule (cron, UTC; default nightly at 02:00): in this process on the\n" +
        "embedded database, through pg-boss jobs shared by every app process on PostgreSQL.\n" +
        "\nExample:\n  trueup serve --port 8080\n",
    )
    .action(run((opts) => runServe(io, opts as Options)));
}

/** The first start of an empty database: the demo, its reconciliation, and an admin account. */
async function firstStart(io: Io, store: Store): Promise<string | undefined> {
  if (!(await store.latestRun()) && (await store.listSources()).length === 0) {
    const loaded = await store.importWorkspace(packagePath("examples", "demo"), SYSTEM);
    for (const i of loaded.issues) io.err(`${formatIssue(i)}\n`);
    if (loaded.issues.some((i) => i.severity === "error")) throw new Error("the demo workspace did not load");
    await store.reconcile({ today: io.today() }, SYSTEM);
    io.err(`Loaded the demo workspace (${loaded.rows} rows) and reconciled it.\n`);
  }
  const { password } = await store.addUser(FIRST_ADMIN, "admin", SYSTEM);
  return password;
}

function urlOf(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

/** Resolves once a signal has closed the server and the store. */
function untilStopped(io: Io, app: FastifyInstance, store: Store, scheduler?: Scheduler): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop).off("SIGTERM", stop);
      io.err(`\n${signal}: stopping\n`);
      app
        .close()
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
): Promise<FastifyInstance> {
  return import("../server/app.ts").then(({ buildApp }) =>
    buildApp({
      store,
      logger: { level: process.env.TRUEUP_LOG_LEVEL || "info", stream: process.stderr },
      webRoot: packagePath("web", "dist"),
      today,
      trustProxy: opts.trustProxy === true,
      scheduler,
    }),
  );
}

export async function runServe(io: Io, opts: Options): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`trueup: --port must be a number from 0 to 65535, not "${opts.port}"\n`);
    return 2;
  }
  // The server and the database load only for this command, keeping the others quick to start.
  const { dbOptionsFromEnv, describeDb, openDb } = await import("../store/db.ts");
  const { createStore } = await import("../store/index.ts");
  const dbOptions = dbOptionsFromEnv();
  const store = createStore(await openDb(dbOptions));
  let app: FastifyInstance | undefined;
  let password: string | undefined;
  let scheduler: Scheduler | undefined;
  try {
    if ((await store.countUsers()) === 0) password = await firstStart(io, store);
    if (opts.schedule !== false) {
      const { startScheduler } = await import("../sync/schedule.ts");
      scheduler = await startScheduler(store, {
        databaseUrl: dbOptions.url,
        today: io.today,
        log: (m) => io.err(`${new Date().toISOString()} ${m}\n`),
      });
    }
    app = await startApp(store, io.today, opts, scheduler);
    await app.listen({ port, host: opts.host });
  } catch (e) {
    await app?.close();
    await scheduler?.stop();
    await store.close();
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    io.err(`trueup: ${opts.host}:${port} is in use; choose another port with --port\n`);
    return 2;
  }
  io.out(`Trueup is running at ${urlOf(app, opts.host)} (${describeDb(dbOptions)})\n`);
  if (password !== undefined)
    io.out(
      `Sign in as ${FIRST_ADMIN} with the one-time password ${password} (it is not shown again, ` +
        "and must be changed at first sign-in).\n",
    );
  await untilStopped(io, app, store, scheduler);
  return 0;
}
