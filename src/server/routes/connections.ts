import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CONNECTORS } from "../../connectors/index.ts";
import { refusedVariable } from "../../connectors/policy.ts";
import { isPsa } from "../../connectors/types.ts";
import type { Store } from "../../store/store.ts";
import { pullAndReconcile } from "../../sync/pulls.ts";
import { DEFAULT_SCHEDULE } from "../../sync/schedule.ts";
import { actorOf } from "../auth.ts";
import { notFound } from "../errors.ts";
import { NoContent, Refused, text } from "../schemas.ts";
import { ConnectionViewSchema, PullOutcomeSchema } from "../sync-schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Connections: what each is, where its secrets come from (never their values), its last pull and
// its next; storing a secret (encrypted); a pull by hand.

const NameParam = z.object({ name: text().min(1) });

async function connectionViews(store: Store, env: NodeJS.ProcessEnv) {
  const [config, statuses] = await Promise.all([store.loadConfig(), store.connectionStatus()]);
  return Promise.all(
    config.connections.map(async (c) => {
      const connector = CONNECTORS[c.kind];
      const names = await store.secretNames(c.name);
      const stored = new Set(names.filter((n) => n.usable).map((n) => n.name));
      const stale = new Set(names.filter((n) => !n.usable).map((n) => n.name));
      const status = statuses.find((s) => s.connection === c.name);
      return {
        name: c.name,
        kind: c.kind,
        title: connector.title,
        url: c.url ?? connector.defaultUrl,
        schedule: c.schedule ?? DEFAULT_SCHEDULE,
        provides: [...connector.provides],
        sources: config.sources.filter((s) => s.connection === c.name).map((s) => s.kind),
        psa: isPsa(connector),
        secrets: connector.fields
          .filter((f) => f.secret)
          .map((f) => {
            const variable = c.secretEnv[f.name];
            const refused = variable ? refusedVariable(variable) : undefined;
            const source = stored.has(f.name)
              ? ("stored" as const)
              : refused
                ? ("refused" as const)
                : variable && env[variable]
                  ? ("environment" as const)
                  : stale.has(f.name)
                    ? ("unbound" as const)
                    : ("missing" as const);
            const note =
              source === "refused"
                ? `${variable} is refused: ${refused}`
                : source === "unbound" || (source === "environment" && stale.has(f.name))
                  ? "the value stored here was for another kind or address of this connection: an admin must enter it again"
                  : undefined;
            return { name: f.name, source, variable, ...(note ? { note } : {}) };
          }),
        counts: status?.counts ?? {},
        lastPullAt: status?.lastPullAt,
        lastSuccessAt: status?.lastSuccessAt,
        lastError: status?.lastError,
        nextPullAt: status?.nextPullAt,
      };
    }),
  );
}

export const connectionRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { store, today, scheduler },
) => {
  app.get(
    "/api/connections",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["connections"],
        summary: "Connections with their last pull, row counts, last error and next scheduled pull",
        response: { 200: z.array(ConnectionViewSchema) },
      },
    },
    async () => connectionViews(store, process.env),
  );

  app.put(
    "/api/connections/:name/secrets/:secret",
    {
      config: { access: "admin" },
      schema: {
        tags: ["connections"],
        summary: "Store a secret of a connection, encrypted with TRUEUP_SECRET_KEY (never shown again)",
        params: NameParam.extend({ secret: text().min(1) }),
        body: z.object({ value: text().min(1) }),
        response: { 204: NoContent, 400: Refused },
      },
    },
    async (request, reply) => {
      const { name, secret } = request.params;
      const conn = (await store.loadConfig()).connections.find((c) => c.name === name);
      if (!conn) throw notFound(`connection ${name}`);
      if (!CONNECTORS[conn.kind].fields.some((f) => f.secret && f.name === secret))
        throw notFound(`secret ${secret} of a ${conn.kind} connection`);
      await store.setSecret(name, secret, request.body.value, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/connections/:name/pull",
    {
      config: { access: "billing" },
      schema: {
        tags: ["connections"],
        summary: "Pull the connection now, store its rows and reconcile again",
        params: NameParam,
        response: { 200: PullOutcomeSchema, 400: Refused },
      },
    },
    async (request) => {
      const { name } = request.params;
      if (!(await store.loadConfig()).connections.some((c) => c.name === name))
        throw notFound(`connection ${name}`);
      return scheduler ? scheduler.runNow(name) : pullAndReconcile(store, name, actorOf(request), today());
    },
  );
};
