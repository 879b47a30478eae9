import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { type Access, SESSION_COOKIE } from "./auth.ts";

// The OpenAPI document (from the routes' zod schemas) at /api/openapi.json, and a docs page at
// /api/docs. Each operation says which role it needs; the web client is generated from it.

const WHO: Record<Access, string> = {
  nobody: "No session needed.",
  any: "Any signed-in account.",
  viewer: "Role: viewer or above.",
  billing: "Role: billing or admin.",
  admin: "Role: admin.",
};

const errorAnswer = (description: string) => ({ description, $ref: "#/components/schemas/Error" });

/** The refusals every route may give, so that a generated client knows their shape. */
function refusals(
  access: Access,
  schema: { body?: unknown; querystring?: unknown; params?: unknown },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (schema.body || schema.querystring || schema.params)
    out[400] = errorAnswer("a bad body or query: bad_request");
  if (access !== "nobody") {
    out[401] = errorAnswer("no session: unauthenticated");
    out[403] = errorAnswer("csrf (a change without X-CSRF-Token) or forbidden (the role may not)");
  }
  if (schema.params) out[404] = errorAnswer("not_found");
  return out;
}

const transform: typeof jsonSchemaTransform = (document) => {
  const out = jsonSchemaTransform(document);
  const access = document.route.config?.access;
  if (access === undefined || out.schema.hide) return out;
  const mutating = document.route.method !== "GET" && document.route.method !== "HEAD";
  const security: Record<string, string[]>[] =
    access === "nobody" ? [] : [mutating ? { session: [], csrf: [] } : { session: [] }];
  const response = { ...refusals(access, out.schema), ...(out.schema.response as object) };
  return { ...out, schema: { ...out.schema, description: WHO[access], security, response } };
};

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Trueup API",
        version,
        description: "Reconciliation of what an MSP bills, buys and deploys. See docs/api.md.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          csrf: { type: "apiKey", in: "header", name: "X-CSRF-Token" },
        },
      },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
