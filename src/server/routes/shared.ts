import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { escapeHtml, statementHtml } from "../../statements/html.ts";
import { renderStatement } from "../../statements/render.ts";
import type { Statement } from "../../statements/statement.ts";
import { ACKNOWLEDGEMENT } from "../../statements/words.ts";
import type { SharedStatement } from "../../store/statements.ts";
import { ApiError, notFound } from "../errors.ts";
import { RateLimit } from "../rate-limit.ts";
import { appLogo } from "../statement-issue.ts";
import type { RouteDeps } from "./deps.ts";

// The client's side of a shared statement: no sign-in, the link's token is the only key. A link that
// is unknown, revoked or expired answers 404 alike (nothing tells them apart). Every view and
// acknowledgement is audited; requests are rate limited per address.

/** Requests per address per minute on shared links. */
export const SHARED_LIMIT = 30;

const Token = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{22}$/, "not a link token") });

const HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex, nofollow",
  "x-content-type-options": "nosniff",
  "content-security-policy":
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function ackBlock(shared: SharedStatement, token: string): string {
  const l = shared.link;
  if (l.acknowledgedAt !== null)
    return `<section class="ack" id="acknowledged"><h2>Acknowledgement</h2><p>${escapeHtml(ACKNOWLEDGEMENT)}</p>
<p><strong>Acknowledged by ${escapeHtml(l.acknowledgedBy ?? "")} on ${escapeHtml(l.acknowledgedAt.slice(0, 10))}.</strong> Thank you.</p></section>`;
  return `<section class="ack"><h2>Acknowledgement</h2><p>${escapeHtml(ACKNOWLEDGEMENT)}</p>
<form method="post" action="/s/${token}/acknowledge"><label>Your name <input name="name" required maxlength="120" autocomplete="name"></label>
<button type="submit">Acknowledge</button></form>
<p class="note">Something wrong? Reply to the e-mail that brought you here and tell us what to change. This link works until ${escapeHtml(l.expiresAt.slice(0, 10))}.</p>
<p class="note"><a href="/s/${token}/pdf">Download this statement as PDF</a></p></section>`;
}

const FORM_CSS = `<style>.ack form{display:flex;gap:12px;align-items:end;margin:12px 0}.ack input{font:inherit;padding:6px 8px;border:1px solid #888;min-width:260px}
.ack button{font:inherit;padding:7px 16px;background:#1d3d6e;color:#fff;border:0;cursor:pointer}.ack label{display:flex;flex-direction:column;font-size:12px;gap:4px}</style>`;

export const sharedRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  const limit = new RateLimit(SHARED_LIMIT, 60_000);
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook("onRequest", async (request, reply) => {
    if (!limit.take(request.ip))
      throw new ApiError(429, "rate_limited", "too many requests: try again in a minute");
    reply.headers(HEADERS);
  });

  // The figures are frozen when the link is made; the logo is the one uploaded now (docs/decisions.md).
  const page = async (shared: SharedStatement, token: string) => {
    const logo = await appLogo(store);
    return statementHtml(shared.statement as unknown as Statement, {
      acknowledgement: ackBlock(shared, token),
      ...(logo ? { logo } : {}),
    }).replace("</head>", `${FORM_CSS}</head>`);
  };

  app.get(
    "/s/:token",
    { config: { access: "nobody" }, schema: { hide: true, params: Token } },
    async (request, reply) => {
      const shared = await store.openStatementLink(request.params.token, request.ip);
      if (!shared) throw notFound("statement link");
      return reply.type("text/html; charset=utf-8").send(await page(shared, request.params.token));
    },
  );

  app.get(
    "/s/:token/pdf",
    { config: { access: "nobody" }, schema: { hide: true, params: Token } },
    async (request, reply) => {
      const shared = await store.openStatementLink(request.params.token, request.ip);
      if (!shared) throw notFound("statement link");
      const s = shared.statement as unknown as Statement;
      reply.header("content-disposition", `attachment; filename="${s.client.id}-${s.month}.pdf"`);
      return reply.type("application/pdf").send(await renderStatement(s, "pdf", await appLogo(store)));
    },
  );

  app.post(
    "/s/:token/acknowledge",
    {
      config: { access: "nobody" },
      schema: { hide: true, params: Token, body: z.object({ name: z.string().trim().min(1).max(120) }) },
    },
    async (request, reply) => {
      const shared = await store.acknowledgeStatementLink(
        request.params.token,
        request.body.name,
        request.ip,
      );
      if (!shared) throw notFound("statement link");
      return reply.redirect(`/s/${request.params.token}#acknowledged`, 303);
    },
  );
};
