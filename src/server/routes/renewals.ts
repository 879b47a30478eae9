import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  catalogueValues,
  changesToJson,
  DEFAULT_THRESHOLDS,
  monthOverMonth,
  previousMonthRun,
} from "../../core/changes.ts";
import { formatMoney } from "../../core/money.ts";
import { type RenewalWindow, renewals } from "../../core/renewals.ts";
import type { JsonReport } from "../../core/report-json.ts";
import { MoneySchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Built on the latest run's report: when each licence surplus can be cut (renewal windows), and what
// moved since the last run of an earlier month (month-over-month changes).

const IsoDate = z.iso.date().describe("YYYY-MM-DD");

const WindowSchema = z.object({
  clientId: z.string(),
  clientName: z.string(),
  subject: z.string(),
  serviceName: z.string(),
  required: z.number().int(),
  purchased: z.number().int(),
  surplus: z.number().int(),
  savingPerMonth: MoneySchema,
  status: z.enum(["upcoming", "passed", "noTerm"]),
  opensOn: z.string().optional(),
  days: z.number().int().optional(),
  endedOn: z.string().optional(),
  termMonths: z.number().int().optional(),
});

export const RenewalsSchema = z.object({
  runId: z.number().int().nullable(),
  asOf: z.string().nullable(),
  currency: z.string(),
  horizons: z.array(
    z.object({ days: z.number().int(), count: z.number().int(), savingPerMonth: MoneySchema }),
  ),
  windows: z.array(WindowSchema).describe("every licence surplus, soonest window first; no date known last"),
});

const ChangeSchema = z.object({
  clientId: z.string(),
  clientName: z.string(),
  subject: z.string(),
  subjectName: z.string(),
  figure: z.enum(["required", "billed", "purchased", "deployed"]),
  before: z.number().int(),
  after: z.number().int(),
  delta: z.number().int(),
  percent: z.string().nullable().describe("delta / before x 100, one decimal; null when before is 0"),
  money: MoneySchema,
  alert: z.boolean(),
  client: z.enum(["both", "new", "gone"]),
  text: z.string(),
});

export const ChangesSchema = z.object({
  runId: z.number().int().nullable(),
  sinceRunId: z.number().int().nullable().describe("the last run of the latest earlier month; null: none"),
  since: z.string().nullable(),
  asOf: z.string().nullable(),
  currency: z.string(),
  thresholds: z.object({ amount: MoneySchema, percent: z.string() }),
  alerts: z.array(ChangeSchema),
  changes: z.array(ChangeSchema).describe("every figure that moved: alerts first, then by money"),
});

const RUNS_LOOKED_AT = 500;

export const renewalRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, runs }) => {
  app.get(
    "/api/renewals",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["dashboard"],
        summary: "Licence surpluses of the latest run by the date they can be cut",
        querystring: z.object({ asOf: IsoDate.optional().describe("default: the run's asOf") }),
        response: { 200: RenewalsSchema },
      },
    },
    async (request) => {
      const [latest, config] = await Promise.all([runs.latest(), store.loadConfig()]);
      if (!latest) return { runId: null, asOf: null, currency: config.currency, horizons: [], windows: [] };
      const asOf = request.query.asOf ?? latest.run.asOf;
      const r = renewals(latest.report as JsonReport, asOf);
      const names = catalogueValues(config.services, config.bundles);
      const view = (w: RenewalWindow) => ({
        ...w,
        serviceName: names(w.clientId, w.subject).name ?? w.subject,
        savingPerMonth: formatMoney(w.savingPerMonth),
      });
      return {
        runId: latest.run.id,
        asOf,
        currency: r.currency,
        horizons: r.horizons.map((h) => ({ ...h, savingPerMonth: formatMoney(h.savingPerMonth) })),
        windows: r.windows.map(view),
      };
    },
  );

  app.get(
    "/api/changes",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["dashboard"],
        summary: "What moved between the latest run and the last run of an earlier month",
        response: { 200: ChangesSchema },
      },
    },
    async () => {
      const [latest, config, recent] = await Promise.all([
        runs.latest(),
        store.loadConfig(),
        store.listRuns({ limit: RUNS_LOOKED_AT, offset: 0 }),
      ]);
      const thresholds = {
        amount: config.rules.changeAmount ?? DEFAULT_THRESHOLDS.amount,
        percent: config.rules.changePercent ?? DEFAULT_THRESHOLDS.percent,
      };
      const none = {
        runId: latest?.run.id ?? null,
        sinceRunId: null,
        since: null,
        asOf: latest?.run.asOf ?? null,
        currency: config.currency,
        thresholds: { amount: formatMoney(thresholds.amount), percent: thresholds.percent.toString() },
        alerts: [],
        changes: [],
      };
      if (!latest) return none;
      const before = previousMonthRun(recent.items, latest.run.asOf);
      const old = before && ((await store.runReport(before.id)) as JsonReport | undefined);
      if (!before || !old) return none;
      const c = monthOverMonth(
        old,
        latest.report as JsonReport,
        thresholds,
        catalogueValues(config.services, config.bundles),
      );
      return { ...none, ...changesToJson(c), runId: latest.run.id, sinceRunId: before.id };
    },
  );
};
