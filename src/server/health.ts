import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { type Db, poolUse } from "../store/db.ts";
import { migrationState } from "../store/migrations.ts";
import type { Store } from "../store/store.ts";
import type { Scheduler } from "../sync/schedule.ts";
import { sameSecret } from "./auth.ts";

// What an operator's load balancer and monitoring ask, without a session and without any data:
// /healthz (the process answers), /readyz (the database answers, its schema is this version's, the
// scheduler's state) and /metrics (Prometheus text: requests by route, runs, pulls and syncs by
// connection, the database pool), guarded by a bearer token or served on a port of its own.

export interface HealthOptions {
  db: Db;
  scheduler?: Scheduler;
  metrics?: Metrics;
  /** /metrics on this app answers only `Authorization: Bearer <token>`; absent: not on this app. */
  metricsToken?: string;
  /** How long /readyz waits for the database (default 3 s). */
  readyTimeoutMs?: number;
}

export interface Metrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  latency: Histogram<"method" | "route">;
  runs: Histogram<"outcome">;
  pulls: Counter<"connection" | "outcome">;
  syncChanges: Counter<"connection" | "state">;
  syncApplies: Counter<"connection" | "outcome">;
}

/** The metrics of one process, over its database and store (collected when scraped). */
export function createMetrics(db: Db, store: Pick<Store, "connectionStatus">): Metrics {
  const registry = new Registry();
  const pool = (name: string, help: string, pick: (u: NonNullable<ReturnType<typeof poolUse>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const use = poolUse(db);
        if (use) this.set(pick(use));
      },
    });
  pool("trueup_db_pool_max", "Connections the database pool may open", (u) => u.max);
  pool("trueup_db_pool_connections", "Connections the database pool has open", (u) => u.total);
  pool("trueup_db_pool_idle", "Open connections not in use", (u) => u.idle);
  pool("trueup_db_pool_waiting", "Queries waiting for a connection", (u) => u.waiting);
  new Gauge({
    name: "trueup_pull_last_success_timestamp_seconds",
    help: "When each connection last pulled successfully (Unix time; from the database, any process)",
    labelNames: ["connection"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await store.connectionStatus())
        if (s.lastSuccessAt) this.set({ connection: s.connection }, Date.parse(s.lastSuccessAt) / 1000);
    },
  });
  return {
    registry,
    requests: new Counter({
      name: "trueup_http_requests_total",
      help: "HTTP requests answered, by route (the route's pattern, not the URL) and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "trueup_http_request_duration_seconds",
      help: "Time to answer HTTP requests, by route",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    runs: new Histogram({
      name: "trueup_run_duration_seconds",
      help: "Time to reconcile and store a run, by outcome (ok, failed)",
      labelNames: ["outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    pulls: new Counter({
      name: "trueup_pulls_total",
      help: "Pulls by connection and outcome (ok; rejected: rows did not read; failed: the system failed)",
      labelNames: ["connection", "outcome"],
      registers: [registry],
    }),
    syncChanges: new Counter({
      name: "trueup_sync_changes_total",
      help: "Sync changes moved to a state by this process, by connection and state",
      labelNames: ["connection", "state"],
      registers: [registry],
    }),
    syncApplies: new Counter({
      name: "trueup_sync_applies_total",
      help: "Sync applies by connection and outcome (done, refused: another apply held the lock, failed)",
      labelNames: ["connection", "outcome"],
      registers: [registry],
    }),
  };
}

async function timed<T>(f: () => Promise<T>, done: (seconds: number, ok: boolean) => void): Promise<T> {
  const started = performance.now();
  try {
    const value = await f();
    done((performance.now() - started) / 1000, true);
    return value;
  } catch (e) {
    done((performance.now() - started) / 1000, false);
    throw e;
  }
}

/** The store, counting what /metrics reports as it happens (runs, pulls, sync changes and applies). */
export function instrumentStore(store: Store, m: Metrics): Store {
  const planConnection = new Map<number, string>();
  const connectionOfPlan = async (planId: number) => {
    let name = planConnection.get(planId);
    if (name === undefined) {
      name = (await store.syncPlan(planId))?.connection ?? "unknown";
      planConnection.set(planId, name);
    }
    return name;
  };
  return {
    ...store,
    reconcile: (opts, actor) =>
      timed(
        () => store.reconcile(opts, actor),
        (s, ok) => m.runs.observe({ outcome: ok ? "ok" : "failed" }, s),
      ),
    async storePull(connection, pulled, counts, actor) {
      const result = await store.storePull(connection, pulled, counts, actor);
      const rejected = result.issues.some((i) => i.severity === "error");
      m.pulls.inc({ connection, outcome: rejected ? "rejected" : "ok" });
      return result;
    },
    async recordPullError(connection, error) {
      await store.recordPullError(connection, error);
      m.pulls.inc({ connection, outcome: "failed" });
    },
    async updateChange(planId, seq, patch, event) {
      await store.updateChange(planId, seq, patch, event);
      m.syncChanges.inc({ connection: await connectionOfPlan(planId), state: patch.state });
    },
    async withApplyLock(connection, f) {
      try {
        const value = await store.withApplyLock(connection, f);
        m.syncApplies.inc({ connection, outcome: "done" });
        return value;
      } catch (e) {
        const refused = e instanceof Error && (e as { code?: string }).code === "conflict";
        m.syncApplies.inc({ connection, outcome: refused ? "refused" : "failed" });
        throw e;
      }
    },
  };
}

/** Counts every answer by its route's pattern (bounded labels: never the raw URL). */
export function observeRequests(app: FastifyInstance, m: Metrics): void {
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const method = request.method;
    m.requests.inc({ method, route, status: String(reply.statusCode) });
    m.latency.observe({ method, route }, reply.elapsedTime / 1000);
  });
}

/** Answers /metrics: the registry's text, to the token's bearer when a token is set. */
export function metricsHandler(m: Metrics, token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (token !== undefined) {
      const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? "";
      if (!sameSecret(given, token))
        return reply
          .code(401)
          .header("www-authenticate", 'Bearer realm="trueup metrics"')
          .send({ error: "unauthenticated", message: "GET /metrics needs Authorization: Bearer <token>" });
    }
    return reply.type(m.registry.contentType).send(await m.registry.metrics());
  };
}

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export interface Readiness {
  ready: boolean;
  database: "ok" | "unreachable";
  migrations: "current" | "pending" | "newer" | "unknown";
  scheduler: "running" | "stopped" | "off";
}

export async function readiness(opts: HealthOptions): Promise<Readiness> {
  const scheduler = opts.scheduler ? (opts.scheduler.stopped() ? "stopped" : "running") : "off";
  try {
    await within(opts.readyTimeoutMs ?? 3000, sql`select 1`.execute(opts.db));
  } catch {
    return { ready: false, database: "unreachable", migrations: "unknown", scheduler };
  }
  const state = await within(opts.readyTimeoutMs ?? 3000, migrationState(opts.db as never)).catch(
    () => undefined,
  );
  const migrations = !state
    ? "unknown"
    : state.unknown.length > 0
      ? "newer"
      : state.pending.length > 0
        ? "pending"
        : "current";
  return { ready: migrations === "current", database: "ok", migrations, scheduler };
}

export function registerHealth(app: FastifyInstance, opts: HealthOptions): void {
  const hide = { schema: { hide: true } };
  app.get("/healthz", hide, async () => ({ status: "ok" }));
  app.get("/readyz", hide, async (request, reply) => {
    const r = await readiness(opts);
    if (!r.ready) request.log.warn({ readiness: r }, "not ready");
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? "ready" : "unready", ...r });
  });
  if (opts.metrics) observeRequests(app, opts.metrics);
  app.get(
    "/metrics",
    hide,
    opts.metrics && opts.metricsToken !== undefined
      ? metricsHandler(opts.metrics, opts.metricsToken)
      : async (_request, reply) =>
          reply.code(404).send({
            error: "not_found",
            message: "metrics are off here: set TRUEUP_METRICS_TOKEN, or serve them with --metrics-port",
          }),
  );
}

/** /metrics alone on a port of its own (no token: the operator keeps that port private). */
export async function startMetricsServer(m: Metrics, port: number, host: string): Promise<FastifyInstance> {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: false });
  app.get("/metrics", metricsHandler(m, undefined));
  await app.listen({ port, host });
  return app;
}
