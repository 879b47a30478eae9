import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ConnectionError } from "../connectors/errors.ts";
import { countText, listed } from "../core/listing.ts";
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

/** The most issues one answer carries: a file of a million bad rows must not make a 100 MB answer. */
export const MAX_ISSUES = 1000;

/** The first MAX_ISSUES issues, then one that says how many more there are. */
export function firstIssues(issues: Issue[]): Issue[] {
  const rest = issues.slice(MAX_ISSUES);
  const first = rest[0];
  if (!first) return issues;
  const errors = rest.filter((i) => i.severity === "error").length;
  return [
    ...issues.slice(0, MAX_ISSUES),
    {
      severity: errors > 0 ? "error" : "warning",
      file: first.file,
      line: first.line,
      message: `... and ${countText(rest.length)} more (${countText(errors)} errors) not listed: fix these and check again`,
    },
  ];
}

/** A store refusal carrying workspace issues (YAML lines, CSV lines): 400 `invalid`. */
export function invalid(reply: FastifyReply, issues: Issue[]) {
  return reply.code(400).send({ error: "invalid" as const, issues: firstIssues(issues) });
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
    ? error.validation
        .slice(0, MAX_ISSUES)
        .map((v) => ({ path: fieldPath(v.instancePath), message: v.message ?? "invalid" }))
    : [];
  const where = listed(new Set(issues.map((i) => i.path || error.validationContext || "body")));
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
