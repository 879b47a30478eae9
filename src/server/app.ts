import fastifyCookie from "@fastify/cookie";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Store } from "../store/store.ts";
import type { Scheduler } from "../sync/schedule.ts";
import { registerAuth } from "./auth.ts";
import { registerErrorHandling } from "./errors.ts";
import { registerSecurityHeaders } from "./headers.ts";
import { type HealthOptions, registerHealth } from "./health.ts";
import { registerIdleCollection } from "./idle-collect.ts";
import { RunReports } from "./latest-run.ts";
import { type LogOptions, loggerOptions } from "./logging.ts";
import { registerOpenApi } from "./openapi.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { catalogueRoutes } from "./routes/catalogue.ts";
import { clientRoutes } from "./routes/clients.ts";
import { connectionRoutes } from "./routes/connections.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import type { RouteDeps } from "./routes/deps.ts";
import { findingRoutes } from "./routes/findings.ts";
import { importRoutes } from "./routes/imports.ts";
import { mappingRoutes } from "./routes/mappings.ts";
import { marginRoutes } from "./routes/margin.ts";
import { pricingRoutes } from "./routes/pricing.ts";
import { renewalRoutes } from "./routes/renewals.ts";
import { runRoutes } from "./routes/runs.ts";
import { sharedRoutes } from "./routes/shared.ts";
import { sourceRoutes } from "./routes/sources.ts";
import { statementRoutes } from "./routes/statements.ts";
import { syncRoutes } from "./routes/sync.ts";
import { userRoutes } from "./routes/users.ts";
import { registerWebUi } from "./static.ts";

// The Trueup server: the JSON API of docs/api.md under /api, its OpenAPI document, and the web UI.

export interface AppOptions {
  store: Store;
  /** Structured logs; none when omitted. */
  logger?: LogOptions | false;
  /** The built web UI (default web/dist). */
  webRoot?: string;
  /** Mark the session cookie Secure even over plain HTTP (behind a TLS proxy). */
  secureCookies?: boolean;
  /**
   * Behind a reverse proxy: take the client's address (login rate limiting) and protocol (Secure
   * cookies) from X-Forwarded-For and X-Forwarded-Proto. Off by default, since anyone can send them.
   */
  trustProxy?: boolean;
  /** Today's date, YYYY-MM-DD (tests fix it). */
  today?: () => string;
  scheduler?: Scheduler;
  /** /healthz, /readyz and /metrics (health.ts); `trueup serve` sets them. */
  health?: HealthOptions;
  /**
   * Make the client pages' rows ready in the background once the server listens and after each run
   * through the API (store.prepareClientPages), so that no one waits seconds for the first client
   * page. `trueup serve` sets it.
   */
  prepareClientPages?: boolean;
  /**
   * One full garbage collection once no request has come for this many ms (idle-collect.ts), so
   * that an idle server gives back what its busiest moment took. `trueup serve` sets it.
   */
  collectWhenIdleMs?: number;
  /** Forget the runs kept but the newest once no request has come for this many ms, and collect again. */
  releaseWhenIdleMs?: number;
}

const RESOURCES = [
  authRoutes,
  dashboardRoutes,
  renewalRoutes,
  clientRoutes,
  findingRoutes,
  catalogueRoutes,
  mappingRoutes,
  sourceRoutes,
  importRoutes,
  runRoutes,
  userRoutes,
  auditRoutes,
  connectionRoutes,
  syncRoutes,
  pricingRoutes,
  statementRoutes,
  marginRoutes,
  sharedRoutes,
];

export const API_VERSION = "1.0.0";

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ ...loggerOptions(options.logger), trustProxy: options.trustProxy ?? false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerSecurityHeaders(app);
  await app.register(fastifyCookie);
  await registerOpenApi(app, API_VERSION);
  registerAuth(app, options.store);
  if (options.health) registerHealth(app, options.health);
  const store = options.store;
  if (options.collectWhenIdleMs !== undefined) {
    const release = options.releaseWhenIdleMs;
    registerIdleCollection(
      app,
      options.collectWhenIdleMs,
      undefined,
      release === undefined ? undefined : { afterMs: release, release: () => store.forgetOlderRuns() },
    );
  }

  const prepare = options.prepareClientPages
    ? () => {
        // A failure (the server stopping meanwhile) only leaves the first client page to do it.
        store.prepareClientPages().catch((e) => app.log.debug({ err: e }, "client pages not prepared"));
      }
    : undefined;
  if (prepare) app.addHook("onListen", async () => prepare());
  const deps: RouteDeps = {
    store,
    runs: new RunReports(store),
    secureCookies: options.secureCookies ?? false,
    today: options.today ?? (() => new Date().toISOString().slice(0, 10)),
    scheduler: options.scheduler,
    afterRun: prepare,
  };
  for (const routes of RESOURCES) await app.register(routes, deps);
  await registerWebUi(app, options.webRoot ?? "web/dist");
  await app.ready();
  return app;
}
