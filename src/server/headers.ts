import type { FastifyInstance } from "fastify";

// Headers of every answer (API, the built web UI, the docs page, errors): the app cannot be framed
// (clickjacking), runs only its own scripts, sends no referrer and lets no type be sniffed.

/** The web UI: its own scripts, styles and API only; the icon is a data: URL. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The API docs page (Swagger UI) sets styles inline and shows data: images. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    const docs = request.url === "/api/docs" || request.url.startsWith("/api/docs/");
    reply.header("content-security-policy", docs ? DOCS_CSP : UI_CSP);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
}
