import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { applyOverlay } from "../../workspace/overlay.ts";
import { YamlFile } from "../../workspace/yaml.ts";
import { hasErrors, invalid, notFound } from "../errors.ts";
import { MoneySchema, Refused, text } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Margin of the latest run's rows (docs/margin.md), and what-if: a change to the catalogue laid over
// the saved trueup.yaml, answered before and after without saving anything.

const Pct = z
  .string()
  .nullable()
  .describe("margin as a percentage of revenue, one decimal (75.9); null without revenue");
const Figures = { revenue: MoneySchema, cost: MoneySchema, margin: MoneySchema, marginPct: Pct };
const FiguresSchema = z.object(Figures);
const Unmapped = z.object({
  kind: z.enum(["billing", "licence"]),
  subject: z.string(),
  ref: z.string(),
  money: MoneySchema,
});

const SubjectSchema = z.object({
  subject: z.string(),
  name: z.string(),
  billed: z.number(),
  units: z.number(),
  ...Figures,
  perUnit: z.object({ revenue: MoneySchema, cost: MoneySchema, margin: MoneySchema }).nullable(),
  components: z.array(z.object({ service: z.string(), quantity: z.number(), cost: MoneySchema })),
  belowTarget: z.boolean(),
});

export const MarginSchema = z
  .object({
    asOf: z.string(),
    currency: z.string(),
    targetMargin: Pct,
    totals: FiguresSchema,
    belowTarget: z.array(
      z.object({
        kind: z.enum(["client", "bundle", "client-bundle"]),
        client: z.string().optional(),
        bundle: z.string().optional(),
        name: z.string(),
        marginPct: Pct,
        shortfall: MoneySchema,
      }),
    ),
    bundles: z.array(
      z.object({
        bundle: z.string(),
        name: z.string(),
        units: z.number(),
        clients: z.number(),
        ...Figures,
        belowTarget: z.boolean(),
      }),
    ),
    clients: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        former: z.boolean(),
        ...Figures,
        belowTarget: z.boolean(),
        subjects: z.array(SubjectSchema),
        services: z.array(
          z.object({
            service: z.string(),
            name: z.string(),
            required: z.number(),
            purchased: z.number().nullable(),
            basis: z.enum(["distributor", "catalogue", "client-paid"]),
            cost: MoneySchema,
            unallocated: MoneySchema,
          }),
        ),
        unmapped: z.array(Unmapped),
      }),
    ),
    unmapped: z.object({ revenue: MoneySchema, cost: MoneySchema, rows: z.array(Unmapped) }),
  })
  .meta({ id: "Margin" });

const BeforeAfter = { before: FiguresSchema, after: FiguresSchema };
const LineFigures = z.object({ quantity: z.number(), unitPrice: z.string() });

export const WhatIfSchema = z
  .object({
    currency: z.string(),
    total: z.object(BeforeAfter),
    clients: z.array(z.object({ id: z.string(), name: z.string(), ...BeforeAfter })),
    lines: z.array(
      z.object({
        client: z.string(),
        clientName: z.string(),
        subject: z.string(),
        product: z.string(),
        line: z.string().nullable().describe("the PSA line's source row; null for a line the change creates"),
        from: LineFigures,
        to: LineFigures,
        monthly: MoneySchema,
      }),
    ),
  })
  .meta({ id: "WhatIf" });

const MAX_CHANGE = 1024 * 1024;

export const marginRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/margin",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["margin"],
        summary:
          "Margin per client, bundle and service of the latest run: PSA revenue against distributor cost",
        response: { 200: MarginSchema },
      },
    },
    async () => {
      const answer = await store.latestRunMargin();
      if (!answer) throw notFound("run: no reconciliation has run yet");
      return answer;
    },
  );

  app.post(
    "/api/margin/whatif",
    {
      config: { access: "billing" },
      bodyLimit: MAX_CHANGE,
      schema: {
        tags: ["margin"],
        summary:
          "What a catalogue change (a YAML overlay of trueup.yaml) would do: revenue, cost and margin before and after, and the PSA lines that would change; nothing is saved",
        body: z.object({ yaml: text().max(MAX_CHANGE) }),
        response: { 200: WhatIfSchema, 400: Refused },
      },
    },
    async (request, reply) => {
      if (!(await store.latestRun())) throw notFound("run: no reconciliation has run yet");
      // Before is the saved catalogue (which may be newer than the run) over the run's rows.
      const saved = new YamlFile("trueup.yaml", await store.configYaml());
      const { config, issues } = applyOverlay(saved.value, "change", request.body.yaml);
      if (!config || hasErrors(issues)) return invalid(reply, issues);
      const answer = await store.latestRunWhatIf(await store.loadConfig(), config);
      if (!answer) throw notFound("run: no reconciliation has run yet");
      return answer;
    },
  );
};
