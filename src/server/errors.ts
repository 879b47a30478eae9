import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ConnectionError } from "../connectors/errors.ts";
import { StoreError } from "../store/errors.ts";
import { SyncError } from "../sync/service.ts";
import { type Issue, WorkspaceError } from "../workspace/issues.ts";

// Every error answer of the API is `{ error, message?, issues? }` (docs/api.md).

/** An expected refusal: a status and a short code the web UI can switch on. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
    this.name = "ApiError";
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `no such ${what}`);

/** A store refusal carrying workspace issues (YAML lines, CSV lines): 400 `invalid`. */
export function invalid(reply: FastifyReply, issues: Issue[]) {
  return reply.code(400).send({ error: "invalid" as const, issues });
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

/** "/plans/0/bundle" -> "plans.0.bundle" */
function fieldPath(instancePath: string): string {
  return instancePath.split("/").filter(Boolean).join(".");
}

function badRequest(error: FastifyError) {
  const issues = hasZodFastifySchemaValidationErrors(error)
    ? error.validation.map((v) => ({ path: fieldPath(v.instancePath), message: v.message ?? "invalid" }))
    : [];
  const where = issues.map((i) => i.path || error.validationContext || "body").join(", ");
  const message = issues.length > 0 ? `invalid ${where}` : error.message;
  return { error: "bad_request", message, issues };
}

/** Refusals Fastify itself makes before a handler runs. */
const CLIENT_ERRORS: Record<number, string> = { 413: "too_large", 415: "unsupported_media_type" };

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError)
    return reply.code(error.statusCode).send({ error: error.code, message: error.message });
  if (error instanceof StoreError)
    return reply.code(error.statusCode).send({ error: error.code, message: error.message });
  if (error instanceof WorkspaceError) return invalid(reply, error.issues);
  // An outside system failed (its answer, without any secret): not our error, not the user's.
  if (error instanceof ConnectionError)
    return reply.code(502).send({ error: "connection_failed", message: error.message });
  if (error instanceof SyncError)
    return reply.code(400).send({ error: "bad_request", message: error.message });
  if (
    error.validation ||
    error.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
  )
    return reply.code(400).send(badRequest(error));
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return reply.code(status).send({ error: CLIENT_ERRORS[status] ?? "bad_request", message: error.message });
  request.log.error({ err: error }, "request failed");
  return reply.code(500).send({ error: "internal", message: "internal error; see the server log" });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
}
