import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { FindingView, RunView, Store } from "../../store/store.ts";
import { actorOf } from "../auth.ts";
import { subjectNames } from "../catalogue-view.ts";
import { notFound } from "../errors.ts";
import { listed } from "../findings-query.ts";
import {
  IdParam,
  PageQuery,
  paged,
  Refused,
  ReportSchema,
  RunDiffSchema,
  RunViewSchema,
} from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Reconciliation runs: start one, the history, one run's report, and what changed between two.

const IsoDate = z.iso.date().describe("YYYY-MM-DD");
const PAGE = 500;

/** The store lists runs a page at a time (newest first) but has no look-up by id. */
async function findRun(store: Store, id: number): Promise<RunView | undefined> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listRuns({ limit: PAGE, offset });
    const run = page.items.find((r) => r.id === id);
    if (run || page.items.length < PAGE) return run;
  }
}

export const runRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, today, afterRun }) => {
  app.post(
    "/api/runs",
    {
      config: { access: "billing" },
      schema: {
        tags: ["runs"],
        summary: "Reconcile the current data (as of today, or the date given)",
        body: z.object({ asOf: IsoDate.optional() }),
        response: { 200: RunViewSchema, 400: Refused },
      },
    },
    async (request) => {
      const run = await store.reconcile({ asOf: request.body.asOf, today: today() }, actorOf(request));
      afterRun?.();
      return run;
    },
  );

  app.get(
    "/api/runs",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["runs"],
        summary: "Runs, newest first",
        querystring: PageQuery,
        response: { 200: paged(RunViewSchema) },
      },
    },
    async (request) => store.listRuns(request.query),
  );

  app.get(
    "/api/runs/diff",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["runs"],
        summary: "What appeared, was fixed or changed from one run to another",
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: { 200: RunDiffSchema },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      for (const id of [from, to]) if (!(await findRun(store, id))) throw notFound(`run ${id}`);
      const diff = await store.diffRuns(from, to);
      const names = subjectNames(await store.loadConfig());
      const list = (f: FindingView) => listed(f, names);
      return {
        ...diff,
        appeared: diff.appeared.map(list),
        fixed: diff.fixed.map(list),
        changed: diff.changed.map((c) => ({ before: list(c.before), after: list(c.after) })),
      };
    },
  );

  app.get(
    "/api/runs/:id",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["runs"],
        summary: "One run and its report (the JSON of trueup reconcile)",
        params: IdParam,
        response: { 200: z.object({ run: RunViewSchema, report: ReportSchema }) },
      },
    },
    async (request) => {
      const run = await findRun(store, request.params.id);
      const report = run && (await store.runReport(run.id));
      if (!run || !report) throw notFound(`run ${request.params.id}`);
      return { run, report: report as z.infer<typeof ReportSchema> };
    },
  );
};
