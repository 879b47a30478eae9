import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { applyInApp, planInApp } from "../../sync/app.ts";
import { nextMonth } from "../../sync/plan.ts";
import { resetSandboxInApp } from "../../sync/sandbox.ts";
import { actorOf } from "../auth.ts";
import { notFound } from "../errors.ts";
import { IdParam, NoContent, PageQuery, paged, Refused, text } from "../schemas.ts";
import {
  ApplyResultSchema,
  SyncEventViewSchema,
  SyncPlanSummarySchema,
  SyncPlanViewSchema,
} from "../sync-schemas.ts";
import type { RouteDeps } from "./deps.ts";

// PSA sync: plan from the PSA's lines as they stand, approve or reject each change, apply the
// approved ones (exactly once), and the history of it all.

const IsoDate = z.iso.date().describe("YYYY-MM-DD");

export const syncRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, today }) => {
  app.post(
    "/api/sync/plans",
    {
      config: { access: "billing" },
      schema: {
        tags: ["sync"],
        summary: "Read the PSA now, reconcile, and save the changes that would make it match",
        body: z.object({
          connection: text().min(1),
          effective: IsoDate.optional().describe("default: the first day of next month"),
          includePrices: z.boolean().default(false),
        }),
        response: { 200: SyncPlanViewSchema, 400: Refused },
      },
    },
    async (request) => {
      const { connection, effective, includePrices } = request.body;
      const opts = { effective: effective ?? nextMonth(today()), includePrices, today: today() };
      return planInApp(store, connection, opts, actorOf(request));
    },
  );

  app.get(
    "/api/sync/plans",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["sync"],
        summary: "Plans, newest first",
        querystring: PageQuery,
        response: { 200: paged(SyncPlanSummarySchema) },
      },
    },
    async (request) => store.listSyncPlans(request.query),
  );

  app.get(
    "/api/sync/plans/:id",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["sync"],
        summary: "A plan and its changes",
        params: IdParam,
        response: { 200: SyncPlanViewSchema },
      },
    },
    async (request) => {
      const plan = await store.syncPlan(request.params.id);
      if (!plan) throw notFound(`plan ${request.params.id}`);
      return plan;
    },
  );

  app.post(
    "/api/sync/plans/:id/decisions",
    {
      config: { access: "billing" },
      schema: {
        tags: ["sync"],
        summary: "Approve or reject changes (pending puts them back); only approved changes are applied",
        params: IdParam,
        body: z.object({
          seqs: z.union([z.array(z.number().int().min(1)).min(1), z.literal("all")]),
          decision: z.enum(["approved", "rejected", "pending"]),
        }),
        response: { 204: NoContent, 400: Refused },
      },
    },
    async (request, reply) => {
      await store.decideChanges(
        request.params.id,
        request.body.seqs,
        request.body.decision,
        actorOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/sync/plans/:id/apply",
    {
      config: { access: "billing" },
      schema: {
        tags: ["sync"],
        summary: "Apply the approved changes; safe to repeat after any failure",
        params: IdParam,
        response: { 200: ApplyResultSchema, 400: Refused },
      },
    },
    async (request) => applyInApp(store, request.params.id, actorOf(request)),
  );

  app.post(
    "/api/sync/sandbox/:name/reset",
    {
      config: { access: "billing" },
      schema: {
        tags: ["sync"],
        summary: "Put the sandbox PSA's lines back as they were set up (the demo's), then pull and reconcile",
        params: z.object({ name: text().min(1) }),
        response: {
          200: z.object({
            connection: z.string(),
            reset: z.number().int(),
            removed: z.number().int(),
            runId: z.number().int().optional(),
          }),
          400: Refused,
        },
      },
    },
    async (request) => {
      const r = await resetSandboxInApp(store, request.params.name, actorOf(request), today());
      return { connection: r.connection, reset: r.reset, removed: r.removed, runId: r.runId };
    },
  );

  app.get(
    "/api/sync/history",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["sync"],
        summary: "Every plan, approval, request sent, PSA answer and outcome, oldest first",
        querystring: PageQuery.extend({
          connection: text().optional(),
          planId: z.coerce.number().int().min(1).optional(),
        }),
        response: { 200: paged(SyncEventViewSchema) },
      },
    },
    async (request) => store.syncHistory(request.query),
  );
};
