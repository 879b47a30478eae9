import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RunView, Store } from "../../store/store.ts";
import { type EncodedJson, encodeJson, jsonBytes, sendEncodedJson } from "../answer-cache.ts";
import type { LatestRun } from "../latest-run.ts";
import { MoneySchema, RunViewSchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// The month at a glance: the latest run's totals, impact by client and by type, and the trend.

/** Months on the trend; runs read to find them (several runs a month are usual while fixing). */
const TREND_MONTHS = 24;
const TREND_RUNS = 500;

const MoneyTotals = {
  underBilled: MoneySchema,
  overBilled: MoneySchema,
  licenceWaste: MoneySchema,
  licenceShortfall: MoneySchema,
};

const SplitSchema = z
  .object({ quantity: MoneySchema, price: MoneySchema })
  .describe("of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH)");

/** The split of the billing totals and the net a month and a year (summary.ts Figures). */
export const FiguresSchema = {
  split: z.object({ underBilled: SplitSchema, overBilled: SplitSchema }),
  net: MoneySchema.describe(
    "under-billed + licence waste − over-billed − licence shortfall: what fixing every finding gains a month",
  ),
  annual: MoneySchema.describe("the net times 12"),
};

export const DismissedSchema = z
  .object({ impact: MoneySchema, findings: z.number().int() })
  .describe("findings people dismissed: out of the totals beside it, their monthly impact and number");

export const DashboardSchema = z.object({
  run: RunViewSchema.nullable(),
  totals: z
    .object({
      ...MoneyTotals,
      ...FiguresSchema,
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
      ...FiguresSchema,
      impact: MoneySchema,
      dismissed: DismissedSchema,
    }),
  ),
  byType: z.array(z.object({ type: z.string(), count: z.number().int(), impact: MoneySchema })),
  trend: z
    .array(
      z.object({
        month: z.string().describe("YYYY-MM of the run's as-of date"),
        runId: z.number().int(),
        asOf: z.string(),
        createdAt: z.string(),
        ...MoneyTotals,
        coverageGaps: z.number().int(),
      }),
    )
    .describe("by month, oldest first: the latest run of each month (by as-of date)"),
});
type Dashboard = z.infer<typeof DashboardSchema>;

const money = (v: string | number | undefined) => (v === undefined ? "0.00" : String(v));

function trendPoint(r: RunView): Dashboard["trend"][number] {
  const t = r.totals;
  return {
    month: r.asOf.slice(0, 7),
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

/** The latest run of each month (runs come newest first), oldest month first. */
export function byMonth<P extends { month: string }>(newestFirst: readonly P[]): P[] {
  const months = new Map<string, P>();
  for (const p of newestFirst) if (!months.has(p.month)) months.set(p.month, p);
  return [...months.values()]
    .sort((a, b) => (a.month < b.month ? 1 : a.month > b.month ? -1 : 0))
    .slice(0, TREND_MONTHS)
    .reverse();
}

async function dashboard(store: Store, latest: LatestRun | undefined): Promise<Dashboard> {
  const recent = await store.listRuns({ limit: TREND_RUNS, offset: 0 });
  const trend = byMonth(recent.items.map(trendPoint));
  if (!latest) {
    const zero = {
      underBilled: "0.00",
      overBilled: "0.00",
      licenceWaste: "0.00",
      licenceShortfall: "0.00",
      unmapped: "0.00",
    };
    const none = { quantity: "0.00", price: "0.00" };
    const figures = { split: { underBilled: none, overBilled: none }, net: "0.00", annual: "0.00" };
    const dismissed = { impact: "0.00", findings: 0 };
    const totals = { ...zero, ...figures, coverageGaps: 0, findings: 0, dismissed };
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
    split: c.split,
    net: c.net,
    annual: c.annual,
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
