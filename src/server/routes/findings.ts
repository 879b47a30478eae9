import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { FINDING_SORTS } from "../../store/store.ts";
import { actorOf } from "../auth.ts";
import { subjectNames } from "../catalogue-view.ts";
import { notFound } from "../errors.ts";
import { allFindings, evidencePage, findingsCsv, findingsPage } from "../findings-query.ts";
import {
  FindingStatusSchema,
  FindingViewSchema,
  MoneySchema,
  NoContent,
  PageQuery,
  paged,
  text,
} from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// The findings of a run, filtered, as pages or as CSV; and people's decisions on them.

const Filters = {
  runId: z.coerce.number().int().min(1).optional().describe("default: the latest run"),
  clientId: text().min(1).optional(),
  type: text().min(1).optional(),
  status: FindingStatusSchema.optional(),
  q: text()
    .max(200)
    .optional()
    .describe("words that must all appear in the client, the subject (id or name) or the evidence"),
  total: z
    .enum(["underBilled", "overBilled", "licenceWaste", "licenceShortfall", "unmapped"])
    .optional()
    .describe("only the findings that count towards this total of the dashboard"),
};
const Order = {
  sort: z.enum(FINDING_SORTS).optional().describe("default: the report's order"),
  order: z.enum(["asc", "desc"]).optional().describe("default: largest first for impact, else A to Z"),
};
const FindingsQuery = PageQuery.extend({ ...Filters, ...Order });
const EvidenceQuery = z.object({
  runId: Filters.runId,
  key: text().min(1),
  n: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("which finding of the key (PRICE_MISMATCH: one per PSA line)"),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});

const Decision = z
  .object({
    key: text().min(1),
    status: FindingStatusSchema,
    reason: text().trim().max(2000).optional(),
    until: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
      .optional()
      .describe("a dismissal only: it holds until this date, then the finding is open again"),
  })
  .refine((d) => d.status !== "dismissed" || (d.reason !== undefined && d.reason !== ""), {
    path: ["reason"],
    message: "a dismissal needs a reason",
  });

export const findingRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/findings",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["findings"],
        summary: "Findings of a run (the latest by default)",
        querystring: FindingsQuery,
        response: { 200: paged(FindingViewSchema) },
      },
    },
    async (request) => findingsPage(store, request.query),
  );

  const Sum = z.object({ impact: MoneySchema, findings: z.number().int() });
  app.get(
    "/api/findings/totals",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["findings"],
        summary: "How many findings are open, accepted and dismissed, and their monthly impact",
        querystring: z.object({
          runId: Filters.runId,
          clientId: Filters.clientId,
          type: Filters.type,
          q: Filters.q,
          total: Filters.total,
        }),
        response: { 200: z.object({ open: Sum, accepted: Sum, dismissed: Sum }) },
      },
    },
    async (request) => {
      const names = request.query.q ? subjectNames(await store.loadConfig()) : undefined;
      return store.findingTotals({ ...request.query, names });
    },
  );

  app.get(
    "/api/findings/evidence",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["findings"],
        summary: "A page of one finding's evidence (lists carry only its first items)",
        querystring: EvidenceQuery,
        response: { 200: paged(z.string()) },
      },
    },
    async (request) => {
      const page = await evidencePage(store, request.query);
      if (!page) throw notFound(`finding ${request.query.key}`);
      return page;
    },
  );

  app.get(
    "/api/findings.csv",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["findings"],
        summary: "The same findings as CSV, one row per finding",
        querystring: z.object({ ...Filters, ...Order }),
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const config = await store.loadConfig();
      const findings = await allFindings(store, { ...request.query, names: subjectNames(config) });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="findings.csv"')
        .send(findingsCsv(findings, config.currency));
    },
  );

  app.post(
    "/api/findings/decision",
    {
      config: { access: "billing" },
      schema: {
        tags: ["findings"],
        summary: "Accept a finding, dismiss it with a reason, or open it again",
        body: Decision,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { key, status, reason, until } = request.body;
      await store.decide(key, { status, reason: reason || undefined, until }, actorOf(request));
      return reply.code(204).send();
    },
  );
};
