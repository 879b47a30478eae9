import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, signedIn } from "../auth.ts";
import { catalogueJson } from "../catalogue-view.ts";
import { hasErrors, invalid } from "../errors.ts";
import { ImportViewSchema, IssueSchema, IssuesAnswer, Refused, text } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// The catalogue and clients (trueup.yaml): read as text and as items, replaced from edited text.

const Item = z.record(z.string(), z.unknown());
const MAX_YAML = 20 * 1024 * 1024;
const YamlBody = z.object({ yaml: text().max(MAX_YAML) });

const DetachedSourceSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    format: z.string(),
    file: z.string(),
    connection: z.string().optional(),
    lastImport: ImportViewSchema.optional(),
  })
  .meta({ id: "DetachedSource" });

export const catalogueRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/catalogue",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["catalogue"],
        summary: "trueup.yaml, and its services, bundles and clients",
        response: {
          200: z.object({
            yaml: z.string(),
            services: z.array(Item),
            bundles: z.array(Item),
            clients: z.array(Item),
          }),
        },
      },
    },
    async () => {
      const [yaml, config] = await Promise.all([store.configYaml(), store.loadConfig()]);
      return { yaml, ...catalogueJson(config) };
    },
  );

  app.put(
    "/api/catalogue",
    {
      config: { access: "billing" },
      bodyLimit: MAX_YAML,
      schema: {
        tags: ["catalogue"],
        summary: "Replace trueup.yaml; every error comes back with its YAML line, and nothing is saved",
        body: YamlBody,
        response: { 200: IssuesAnswer, 400: Refused, 403: Refused },
      },
    },
    async (request, reply) => {
      // Connections say where secrets go: only an admin changes them (docs/security.md).
      const keepConnections = signedIn(request).session.user.role !== "admin";
      const { issues } = await store.saveConfigYaml(request.body.yaml, actorOf(request), { keepConnections });
      if (hasErrors(issues)) return invalid(reply, issues);
      return { issues };
    },
  );

  app.post(
    "/api/catalogue/check",
    {
      config: { access: "billing" },
      bodyLimit: MAX_YAML,
      schema: {
        tags: ["catalogue"],
        summary:
          "Check trueup.yaml without saving: its issues, and the sources with imported data a save would detach",
        body: YamlBody,
        response: {
          200: z.object({ issues: z.array(IssueSchema), detached: z.array(DetachedSourceSchema) }),
        },
      },
    },
    async (request) => store.checkConfigYaml(request.body.yaml),
  );
};
