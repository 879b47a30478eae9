import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../auth.ts";
import { hasErrors, invalid } from "../errors.ts";
import { IssuesAnswer, MappingSchema, Refused, UnmappedItemSchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// The queue of unmapped accounts, SKUs and products, and mapping one (effective on the next run).

const Named = z.array(z.object({ id: z.string(), name: z.string() }));
const named = (items: { id: string; name: string }[]) => items.map(({ id, name }) => ({ id, name }));

export const mappingRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/mappings",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["mappings"],
        summary: "Unmapped items of the latest run, and the clients, services and bundles to map them to",
        response: {
          200: z.object({
            items: z.array(UnmappedItemSchema),
            clients: Named,
            services: Named,
            bundles: Named,
          }),
        },
      },
    },
    async () => {
      const [items, config] = await Promise.all([store.unmapped(), store.loadConfig()]);
      return {
        items,
        clients: named(config.clients),
        services: named(config.services),
        bundles: named(config.bundles),
      };
    },
  );

  app.post(
    "/api/mappings",
    {
      config: { access: "billing" },
      schema: {
        tags: ["mappings"],
        summary:
          "Map an account to a client, a SKU to a service, a product to a bundle or service, or ignore one",
        body: MappingSchema,
        response: { 200: IssuesAnswer, 400: Refused },
      },
    },
    async (request, reply) => {
      const { issues } = await store.applyMapping(request.body, actorOf(request));
      if (hasErrors(issues)) return invalid(reply, issues);
      return { issues };
    },
  );
};
