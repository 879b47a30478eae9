import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SourceViewSchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// The sources trueup.yaml names, each with its latest import.

export const sourceRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/sources",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["imports"],
        summary: "The sources, each with its latest import",
        response: { 200: z.array(SourceViewSchema) },
      },
    },
    async () => store.listSources(),
  );
};
