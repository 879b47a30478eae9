import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { reconcile } from "../../core/reconcile.ts";
import { breakdown, GROUPINGS } from "../../reports/breakdown.ts";
import { breakdownCsv, breakdownXlsx } from "../../reports/breakdown-files.ts";
import { buildEvidence } from "../../statements/evidence.ts";
import { evidenceCsv, evidencePdf } from "../../statements/evidence-render.ts";
import { checkLogo, MAX_LOGO_BYTES } from "../../statements/logo.ts";
import { CONTENT_TYPES, renderStatement, STATEMENT_FORMATS } from "../../statements/render.ts";
import type { Statement } from "../../statements/statement.ts";
import { monthName } from "../../statements/words.ts";
import { NO_MSP, PAPER_SIZES } from "../../workspace/msp.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { SMTP_SECRETS, sendMail } from "../mail.ts";
import { appLogo, appStatement } from "../statement-issue.ts";
import type { RouteDeps } from "./deps.ts";

// Client statements, protection evidence and the bundle breakdown report (issue 14), and the links
// that share a statement with its client (the public side is shared.ts).

const LinkSchema = z.object({
  id: z.number().int(),
  clientId: z.string(),
  month: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  views: z.number().int(),
});

const MailSettingsSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  user: z.string().optional(),
  from: z.string().min(3),
});

const MspSchema = z.object({
  name: z.string().min(1),
  address: z.array(z.string()),
  logo: z.string().optional(),
  paper: z.enum(PAPER_SIZES),
});

const list = (s: string | undefined) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

function attachment(reply: { header: (k: string, v: string) => unknown }, name: string): void {
  reply.header("content-disposition", `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`);
}

export const statementRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/clients/:id/statement",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["statements"],
        summary: "A client's statement for a month (latest run of the month, compared with the month before)",
        params: z.object({ id: z.string().min(1) }),
        querystring: z.object({
          month: z.string().optional(),
          format: z.enum(STATEMENT_FORMATS).default("html"),
        }),
      },
    },
    async (request, reply) => {
      const s = await appStatement(store, request.params.id, request.query.month);
      const format = request.query.format;
      if (format !== "html") attachment(reply, `${s.client.id}-${s.month}.${format}`);
      return reply.type(CONTENT_TYPES[format]).send(await renderStatement(s, format, await appLogo(store)));
    },
  );

  app.get(
    "/api/clients/:id/evidence",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["statements"],
        summary: "A client's protection evidence as of the latest run",
        params: z.object({ id: z.string().min(1) }),
        querystring: z.object({ format: z.enum(["pdf", "csv"]).default("pdf") }),
      },
    },
    async (request, reply) => {
      const run = await store.runInput();
      if (!run) throw notFound("run: no reconciliation has run yet");
      const e = buildEvidence(run.input, request.params.id, run.config.msp ?? NO_MSP);
      if (!e) throw notFound("client");
      const format = request.query.format;
      attachment(reply, `${e.client.id}-evidence-${e.asOf}.${format}`);
      return format === "pdf"
        ? reply.type("application/pdf").send(await evidencePdf(e, (await appLogo(store))?.bytes))
        : reply.type("text/csv; charset=utf-8").send(evidenceCsv(e));
    },
  );

  app.get(
    "/api/reports/breakdown",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["statements"],
        summary: "Bundle breakdown: required / billed / purchased / deployed by service, bundle or client",
        querystring: z.object({
          groupBy: z.enum(GROUPINGS).default("service"),
          clients: z.string().optional().describe("comma-separated client ids"),
          subjects: z.string().optional().describe("comma-separated service or bundle ids"),
          format: z.enum(["json", "csv", "xlsx"]).default("json"),
        }),
      },
    },
    async (request, reply) => {
      const run = await store.runInput();
      if (!run) throw notFound("run: no reconciliation has run yet");
      const q = request.query;
      const b = breakdown(reconcile(run.input), run.config, q.groupBy, {
        clients: list(q.clients),
        subjects: list(q.subjects),
      });
      if (q.format === "json") return b;
      attachment(reply, `breakdown-${b.asOf}.${q.format}`);
      return q.format === "csv"
        ? reply.type("text/csv; charset=utf-8").send(breakdownCsv(b))
        : reply
            .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .send(await breakdownXlsx(b));
    },
  );

  app.get(
    "/api/clients/:id/statement-links",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["statements"],
        summary: "The client's shared statement links, newest first (never their tokens)",
        params: z.object({ id: z.string().min(1) }),
        response: { 200: z.array(LinkSchema) },
      },
    },
    async (request) => store.listStatementLinks(request.params.id),
  );

  app.post(
    "/api/clients/:id/statement-links",
    {
      config: { access: "billing" },
      schema: {
        tags: ["statements"],
        summary: "Issue the month's statement and share it by a read-only link; the URL is shown once",
        params: z.object({ id: z.string().min(1) }),
        body: z.object({ month: z.string().optional(), days: z.number().int().min(1).max(90).default(30) }),
        response: { 201: z.object({ link: LinkSchema, url: z.string() }) },
      },
    },
    async (request, reply) => {
      const s = await appStatement(store, request.params.id, request.body.month);
      const expiresAt = new Date(Date.now() + request.body.days * 86_400_000);
      const { link, token } = await store.createStatementLink(
        {
          clientId: s.client.id,
          month: s.month,
          statement: s as unknown as Record<string, unknown>,
          expiresAt,
        },
        actorOf(request),
      );
      return reply.code(201).send({ link, url: `${request.protocol}://${request.host}/s/${token}` });
    },
  );

  app.delete(
    "/api/statement-links/:id",
    {
      config: { access: "billing" },
      schema: {
        tags: ["statements"],
        summary: "Revoke a shared statement link: it answers 404 from now on",
        params: z.object({ id: z.coerce.number().int() }),
      },
    },
    async (request, reply) => {
      await store.revokeStatementLink(request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/statement-links/:id/send",
    {
      config: { access: "billing" },
      schema: {
        tags: ["statements"],
        summary: "E-mail a shared statement (its URL and the PDF) through the app's SMTP settings",
        params: z.object({ id: z.coerce.number().int() }),
        body: z.object({ to: z.email(), url: z.string().url() }),
      },
    },
    async (request, reply) => {
      const shared = await store.statementLink(request.params.id);
      if (!shared || shared.link.revokedAt !== null) throw notFound("statement link");
      const settings = await store.mailSettings();
      if (!settings) throw new ApiError(409, "conflict", "no mail settings: set them under Settings first");
      const s = shared.statement as unknown as Statement;
      const secrets = settings.user ? await store.storedSecrets(SMTP_SECRETS) : {};
      const from = s.msp.name || "Your IT provider";
      await sendMail(settings, secrets.password, {
        to: request.body.to,
        subject: `${from}: your statement for ${monthName(s.month)}`,
        text:
          `Hello,\n\nyour statement for ${monthName(s.month)} (${s.client.name}) is ready: ${request.body.url}\n\n` +
          `The link works until ${shared.link.expiresAt.slice(0, 10)}. On that page you can confirm the users and ` +
          `devices listed. The PDF is attached.\n\n${from}\n`,
        attachment: {
          filename: `${s.client.id}-${s.month}.pdf`,
          content: await renderStatement(s, "pdf", await appLogo(store)),
          contentType: "application/pdf",
        },
      });
      await store.noteStatementSent(shared.link.id, request.body.to, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/settings/mail",
    {
      config: { access: "admin" },
      schema: { tags: ["statements"], summary: "SMTP settings (never the password)" },
    },
    async () => {
      const settings = await store.mailSettings();
      const names = await store.secretNames(SMTP_SECRETS);
      return {
        settings: settings ?? null,
        passwordSet: names.some((n) => n.name === "password" && n.usable),
      };
    },
  );

  app.put(
    "/api/settings/mail",
    {
      config: { access: "admin" },
      schema: {
        tags: ["statements"],
        summary: "Save SMTP settings; a password is stored encrypted (TRUEUP_SECRET_KEY)",
        body: MailSettingsSchema.extend({ password: z.string().optional() }),
      },
    },
    async (request, reply) => {
      const { password, ...settings } = request.body;
      if (password !== undefined && password !== "")
        await store.setSecret(SMTP_SECRETS, "password", password, actorOf(request));
      await store.saveMailSettings(settings, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/settings/msp",
    {
      config: { access: "viewer" },
      schema: { tags: ["statements"], summary: "The MSP's details printed on statements" },
    },
    async () => (await store.loadConfig()).msp ?? null,
  );

  app.put(
    "/api/settings/msp",
    {
      config: { access: "admin" },
      schema: { tags: ["statements"], summary: "Save the MSP's details (trueup.yaml msp:)", body: MspSchema },
    },
    async (request, reply) => {
      const config = await store.loadConfig();
      const { issues } = await store.saveConfig({ ...config, msp: request.body }, actorOf(request));
      if (issues.some((i) => i.severity === "error")) return reply.code(422).send({ issues });
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/settings/msp/logo",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["statements"],
        summary: "The MSP's logo uploaded in the app (PNG or JPEG); 404 when none",
      },
    },
    async (_request, reply) => {
      const logo = await store.mspLogo();
      if (!logo) throw notFound("logo");
      return reply.type(logo.mime).header("cache-control", "no-store").send(logo.bytes);
    },
  );

  app.put(
    "/api/settings/msp/logo",
    {
      config: { access: "admin" },
      // base64 makes 4 bytes of 3; a little more for the JSON around it. Larger bodies are a 413.
      bodyLimit: Math.ceil((MAX_LOGO_BYTES * 4) / 3) + 64 * 1024,
      schema: {
        tags: ["statements"],
        summary: `Upload the MSP's logo for the app's statements: a PNG or JPEG of at most ${MAX_LOGO_BYTES / 1024} KB, base64`,
        body: z.object({ logo: z.base64() }),
      },
    },
    async (request, reply) => {
      const bytes = Buffer.from(request.body.logo, "base64");
      const checked = await checkLogo(bytes);
      if ("problem" in checked)
        return reply.code(400).send({
          error: "bad_request",
          message: `invalid logo: ${checked.problem}`,
          issues: [{ path: "logo", message: checked.problem }],
        });
      await store.setMspLogo(bytes, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/settings/msp/logo",
    {
      config: { access: "admin" },
      schema: { tags: ["statements"], summary: "Remove the MSP's logo: statements carry none from now on" },
    },
    async (request, reply) => {
      await store.removeMspLogo(actorOf(request));
      return reply.code(204).send();
    },
  );
};
