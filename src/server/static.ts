import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

// The built web UI (web/dist) at /. A path the server does not know is a page of the client-side
// router, so it gets index.html; an unknown /api path or file gets a JSON 404.

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trueup</title></head>
<body><h1>Trueup</h1>
<p>The web UI is not built yet. Run <code>npm run build:web</code>, then restart <code>trueup serve</code>.</p>
<p>The API is up: see <a href="/api/docs">/api/docs</a>.</p></body></html>
`;

function pathOf(request: FastifyRequest): string {
  return request.url.split("?")[0] ?? "";
}

/** The client-side router's pages have no file extension; a missing /assets/x.js is a real 404. */
function isPage(request: FastifyRequest): boolean {
  const path = pathOf(request);
  const api = path === "/api" || path.startsWith("/api/");
  const file = /\.[^/]+$/.test(path) && !path.endsWith(".html");
  return (request.method === "GET" || request.method === "HEAD") && !api && !file;
}

function pageOrNotFound(hasIndex: boolean) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    if (!isPage(request))
      return reply
        .code(404)
        .send({ error: "not_found", message: `no route ${request.method} ${pathOf(request)}` });
    if (!hasIndex) return reply.type("text/html; charset=utf-8").send(NOT_BUILT);
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  };
}

/** Vite names built assets by their content hash: they never change, index.html always may. */
function cacheRule(reply: FastifyReply, path: string): void {
  const hashed = /[\\/]assets[\\/][^\\/]+-[\w-]{8,}\.\w+$/.test(path);
  reply.header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
}

export async function registerWebUi(app: FastifyInstance, webRoot: string): Promise<void> {
  const root = resolve(webRoot);
  const hasIndex = existsSync(join(root, "index.html"));
  if (hasIndex)
    await app.register(fastifyStatic, { root, prefix: "/", index: "index.html", setHeaders: cacheRule });
  app.setNotFoundHandler(pageOrNotFound(hasIndex));
}
