import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { applyPricingInApp, letterInApp, pricingInApp } from "../../pricing/app.ts";
import { actorOf } from "../auth.ts";
import { notFound } from "../errors.ts";
import { Refused, text } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Price rises at contract anniversaries (docs/pricing.md): the plan, a notice letter per client,
// and the approval that writes the new prices into the catalogue.

const PriceRiseSchema = z.object({
  plan: z.number().int(),
  subject: z.string(),
  name: z.string(),
  oldPrice: z.string(),
  newPrice: z.string(),
  increase: z.string(),
  quantity: z.number().int(),
  monthlyEffect: z.string(),
  from: z.string(),
});

const PricingPlanSchema = z.object({
  asOf: z.string(),
  windowDays: z.number().int(),
  currency: z.string(),
  due: z.array(
    z.object({
      client: z.string(),
      clientName: z.string(),
      contractStart: z.string(),
      anniversary: z.string(),
      percent: z.string(),
      cap: z.string().optional(),
      capAmount: z.string().optional(),
      appliedPercent: z.string(),
      rises: z.array(PriceRiseSchema),
      excluded: z.array(z.object({ subject: z.string(), name: z.string(), price: z.string() })),
      monthlyEffect: z.string(),
    }),
  ),
  later: z.array(
    z.object({ client: z.string(), clientName: z.string(), anniversary: z.string(), applied: z.boolean() }),
  ),
  monthlyEffect: z.string(),
});

const PricingQuery = z.object({
  asOf: z.iso.date().optional().describe("default: the workspace's asOf, else today"),
  window: z.coerce.number().int().min(0).max(366).optional().describe("days ahead; default 60"),
});

export const pricingRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, today }) => {
  const opts = (q: z.infer<typeof PricingQuery>) => ({ asOf: q.asOf, windowDays: q.window, today: today() });

  app.get(
    "/api/pricing/plan",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["pricing"],
        summary: "The price rises due by each client's next contract anniversary",
        querystring: PricingQuery,
        response: { 200: PricingPlanSchema },
      },
    },
    async (request) => pricingInApp(store, opts(request.query)),
  );

  app.get(
    "/api/pricing/letters/:clientId",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["pricing"],
        summary: "The notice letter of a client's due price rise (HTML, or PDF with format=pdf)",
        params: z.object({ clientId: text().min(1) }),
        querystring: PricingQuery.extend({
          format: z.enum(["html", "pdf"]).optional().describe("default html"),
        }),
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? "html";
      const letter = await letterInApp(store, request.params.clientId, { ...opts(request.query), format });
      if (letter === undefined) throw notFound(`a price rise due for ${request.params.clientId}`);
      if (format === "html") return reply.type("text/html; charset=utf-8").send(letter);
      const name = `price-notice-${request.params.clientId}.pdf`;
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="${name}"`)
        .send(letter);
    },
  );

  app.post(
    "/api/pricing/apply",
    {
      config: { access: "billing" },
      schema: {
        tags: ["pricing"],
        summary: "Approve the due rises: the new prices, with their date, become the contract",
        body: PricingQuery.optional(),
        response: {
          200: z.object({
            applied: z.array(z.string()),
            plan: PricingPlanSchema,
            runId: z.number().int().optional(),
          }),
          400: Refused,
        },
      },
    },
    async (request) => applyPricingInApp(store, opts(request.body ?? {}), actorOf(request)),
  );
};
