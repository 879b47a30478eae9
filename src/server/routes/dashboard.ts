import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RunView, Store } from "../../store/store.ts";
import { type EncodedJson, encodeJson, jsonBytes, sendEncodedJson } from "../answer-cache.ts";
import type { LatestRun } from "../latest-run.ts";
import { MoneySchema, RunViewSchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// The month at a glance: the latest run's totals, impact by client and by type, and the trend.

const TREND_RUNS = 24;

const MoneyTotals = {
  underBilled: MoneySchema,
  overBilled: MoneySchema,
  licenceWaste: MoneySchema,
  licenceShortfall: MoneySchema,
};

export const DismissedSchema = z
  .object({ impact: MoneySchema, findings: z.number().int() })
  .describe("findings people dismissed: out of the totals beside it, their monthly impact and number");

export const DashboardSchema = z.object({
  run: RunViewSchema.nullable(),
  totals: z
    .object({
      ...MoneyTotals,
      unmapped: MoneySchema,
      coverageGaps: z.number().int(),
      findings: z.number().int(),
      dismissed: DismissedSchema,
    })
    .describe("open totals of the latest run: dismissed findings are left out, in `dismissed`"),
  byClient: z.array(
    z.object({
      clientId: z.string(),
      name: z.string(),
      ...MoneyTotals,
      impact: MoneySchema,
      dismissed: DismissedSchema,
    }),
  ),
  byType: z.array(z.object({ type: z.string(), count: z.number().int(), impact: MoneySchema })),
  trend: z.array(
    z.object({
      runId: z.number().int(),
      asOf: z.string(),
      createdAt: z.string(),
      ...MoneyTotals,
      coverageGaps: z.number().int(),
    }),
  ),
});
type Dashboard = z.infer<typeof DashboardSchema>;

const money = (v: string | number | undefined) => (v === undefined ? "0.00" : String(v));

function trendPoint(r: RunView): Dashboard["trend"][number] {
  const t = r.totals;
  return {
    runId: r.id,
    asOf: r.asOf,
    createdAt: r.createdAt,
    underBilled: money(t.underBilled),
    overBilled: money(t.overBilled),
    licenceWaste: money(t.licenceWaste),
    licenceShortfall: money(t.licenceShortfall),
    coverageGaps: Number(t.coverageGaps ?? 0),
  };
}

async function dashboard(store: Store, latest: LatestRun | undefined): Promise<Dashboard> {
  const recent = await store.listRuns({ limit: TREND_RUNS, offset: 0 });
  const trend = recent.items.map(trendPoint).reverse();
  if (!latest) {
    const zero = {
      underBilled: "0.00",
      overBilled: "0.00",
      licenceWaste: "0.00",
      licenceShortfall: "0.00",
      unmapped: "0.00",
    };
    const totals = { ...zero, coverageGaps: 0, findings: 0, dismissed: { impact: "0.00", findings: 0 } };
    return { run: null, totals, byClient: [], byType: [], trend };
  }
  const { summary } = latest;
  const byClient = summary.clients.map((c) => ({
    clientId: c.id,
    name: c.name,
    underBilled: c.underBilled,
    overBilled: c.overBilled,
    licenceWaste: c.licenceWaste,
    licenceShortfall: c.licenceShortfall,
    impact: c.impact,
    dismissed: c.dismissed,
  }));
  return { run: latest.run, totals: summary.totals, byClient, byType: summary.byType, trend };
}

export const dashboardRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, runs }) => {
  // Runs are only ever added, so the dashboard is a function of the latest run: it is checked and
  // written as JSON (and gzipped) once per run (with 2,000 clients that is most of a request's time).
  let cached: { runId: number | undefined; dismissed: string; answer: Promise<EncodedJson> } | undefined;

  app.get(
    "/api/dashboard",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["dashboard"],
        summary: "Totals of the latest run",
        response: { 200: DashboardSchema },
      },
    },
    async (request, reply) => {
      const latest = await runs.latest();
      const dismissed = latest?.dismissedKey ?? "";
      if (cached === undefined || cached.runId !== latest?.run.id || cached.dismissed !== dismissed) {
        const answer = dashboard(store, latest).then((d) =>
          encodeJson(jsonBytes(z.encode(DashboardSchema, d))),
        );
        // Requests that come meanwhile wait for the one answer; a failed one is made again.
        const made = { runId: latest?.run.id, dismissed, answer };
        cached = made;
        answer.catch(() => {
          if (cached === made) cached = undefined;
        });
      }
      // JSON bytes go out as they are; the schema checked them when they were cached.
      return sendEncodedJson(request, reply, await cached.answer);
    },
  );
};
