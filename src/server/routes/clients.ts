import { gzipSync } from "node:zlib";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Explanation } from "../../core/explain.ts";
import type { Store } from "../../store/store.ts";
import { AnswerCache, jsonBytes, sendEncodedJson } from "../answer-cache.ts";
import { clientJson, subjectNames } from "../catalogue-view.ts";
import { notFound } from "../errors.ts";
import { allFindings, listed } from "../findings-query.ts";
import type { LatestRun } from "../latest-run.ts";
import { FindingViewSchema, MoneySchema, PageQuery, paged, text } from "../schemas.ts";
import { DismissedSchema, FiguresSchema } from "./dashboard.ts";
import type { RouteDeps } from "./deps.ts";

// Clients ranked by what their differences cost a month, and one client with everything behind its
// counts: plans, the four figures of each line, findings, billable users and devices.

const Figure = z.number().int().nullable();

export const ClientRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  counts: z.object({ billableUsers: z.number(), currentDevices: z.number(), staleDevices: z.number() }),
  underBilled: MoneySchema,
  overBilled: MoneySchema,
  licenceWaste: MoneySchema,
  licenceShortfall: MoneySchema,
  ...FiguresSchema,
  impact: MoneySchema,
  findings: z.number().int(),
  coverageGaps: z.number().int(),
  dismissed: DismissedSchema,
});

export const ClientDetailSchema = ClientRowSchema.extend({
  plans: z.array(z.record(z.string(), z.unknown())).describe("as in trueup.yaml"),
  lines: z.array(
    z.object({
      subject: z.string(),
      name: z.string(),
      required: Figure,
      billed: Figure,
      purchased: Figure,
      deployed: Figure,
      price: MoneySchema.nullable(),
    }),
  ),
  findings: z.array(FindingViewSchema),
  users: z.array(z.object({ upn: z.string(), plan: z.string().nullable() })),
  devices: z.array(
    z.object({
      hostname: z.string(),
      type: z.string(),
      lastSeen: z.string(),
      current: z.boolean(),
      plan: z.string().nullable(),
      deployments: z.record(z.string(), z.boolean()),
      inPlan: z
        .array(z.string())
        .describe("the deployments its plan includes: only these can be missing on it"),
    }),
  ),
});

/**
 * What a client's page is made from: each part the same object (or text) until what it shows changes.
 * The users and devices behind its counts are worked out only for a page not kept.
 */
async function clientParts(store: Store, latest: LatestRun, clientId: string) {
  const row = latest.summary.clients.find((c) => c.id === clientId);
  const reported = latest.report.clients.find((c) => c.id === clientId);
  if (!row || !reported) throw notFound("client in the latest run");
  const [config, data, findings] = await Promise.all([
    store.loadConfig(),
    store.dataVersion(),
    allFindings(store, { runId: latest.run.id, clientId }),
  ]);
  return { row, reported, config, data, findings };
}

function clientDetail(
  { row, reported, config, findings }: ClientParts,
  explanation: Explanation | undefined,
) {
  const names = subjectNames(config);
  const client = config.clients.find((c) => c.id === row.id);
  return {
    ...row,
    plans: client ? clientJson(client).plans : [],
    lines: reported.lines.map((l) => ({ ...l, name: names.get(l.subject) ?? l.subject })),
    findings: findings.map((f) => listed(f, names)),
    users: explanation?.users ?? [],
    devices: explanation?.devices ?? [],
  };
}

type ClientParts = Awaited<ReturnType<typeof clientParts>>;

/**
 * Bytes of client pages kept, gzipped: on the bench's 2,000 clients a page is 21.7 KB of JSON on
 * average (66 KB at most), 2.3 KB gzipped, and all of them 4.6 MB.
 */
const CLIENT_PAGES_BYTES = 16 * 1024 * 1024;

/** zlib's result is a view of a larger buffer (16 KB at least): a page kept holds only its own bytes. */
const exactCopy = (bytes: Buffer): Buffer => Buffer.from(bytes);

export const clientRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, runs }) => {
  const pages = new AnswerCache(CLIENT_PAGES_BYTES);

  app.get(
    "/api/clients",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["clients"],
        summary: "Clients of the latest run, largest monthly impact first",
        querystring: PageQuery,
        response: { 200: paged(ClientRowSchema) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const clients = (await runs.latest())?.summary.clients ?? [];
      return { items: clients.slice(offset, offset + limit), total: clients.length, limit, offset };
    },
  );

  app.get(
    "/api/clients/:id",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["clients"],
        summary: "One client: plans, lines, findings, and the users and devices behind its counts",
        params: z.object({ id: text().min(1) }),
        response: { 200: ClientDetailSchema },
      },
    },
    async (request, reply) => {
      const latest = await runs.latest();
      if (!latest) throw notFound("client: no reconciliation has run yet");
      const parts = await clientParts(store, latest, request.params.id);
      // The page is written once for what it is made from (the run's summary and report go with its
      // id, the users and devices with the data and the run's date), and kept gzipped: a tenth of the
      // bytes, and what browsers take.
      const from = [latest.run.id, parts.row, parts.config, parts.data, ...parts.findings];
      let gzipped = pages.get(parts.row.id, from);
      if (!gzipped) {
        const explanation = await store.explainClient(parts.row.id, latest.run.asOf);
        const json = jsonBytes(z.encode(ClientDetailSchema, clientDetail(parts, explanation)));
        gzipped = pages.set(parts.row.id, from, exactCopy(gzipSync(json)));
      }
      // JSON bytes go out as they are; the schema checked them when they were written.
      return sendEncodedJson(request, reply, { gzip: gzipped });
    },
  );
};
