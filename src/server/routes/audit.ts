import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { auditNames, auditSentence } from "../audit-text.ts";
import { AuditEntrySchema, PageQuery, paged } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Every change, who made it and when (admin only).

export const auditRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/audit",
    {
      config: { access: "admin" },
      schema: {
        tags: ["audit"],
        summary: "The audit log, newest first",
        querystring: PageQuery,
        response: { 200: paged(AuditEntrySchema) },
      },
    },
    async (request) => {
      const [page, config] = await Promise.all([store.audit(request.query), store.loadConfig()]);
      const names = auditNames(config);
      return { ...page, items: page.items.map((e) => ({ ...e, sentence: auditSentence(e, names) })) };
    },
  );
};
