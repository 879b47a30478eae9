import type { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Store } from "../../store/store.ts";
import { actorOf } from "../auth.ts";
import { ApiError, firstIssues, hasErrors, invalid, notFound } from "../errors.ts";
import { ImportPreviewSchema, ImportViewSchema, PageQuery, paged, Refused, text } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Uploading a source's file: preview it with every error and its line, then store it, all or nothing.

/** The largest file the browser may send (as text inside JSON). */
const MAX_FILE = 64 * 1024 * 1024;

const Upload = z.object({
  sourceId: z.number().int().min(1),
  fileName: text().trim().min(1).max(255),
  content: text().max(MAX_FILE).describe("the file's text"),
});

async function checkSource(store: Store, sourceId: number): Promise<void> {
  const sources = await store.listSources();
  if (!sources.some((s) => s.id === sourceId)) throw notFound(`source ${sourceId}`);
}

/** The source and the file's name of an upload whose body is the file itself. */
const FileQuery = z.object({
  sourceId: z.coerce.number().int().min(1),
  fileName: text().trim().min(1).max(255),
});

/** The content types of a file sent as it is (its bytes, any encoding): the body is kept as a Buffer. */
const FILE_TYPES = ["application/octet-stream", "text/csv", "text/plain"];

const tooLarge = () =>
  new ApiError(413, "too_large", `the file is larger than ${MAX_FILE / 1024 / 1024} MiB`);

/**
 * An uploaded file's bytes as they arrive, into one buffer of the length the request announces
 * (Content-Length, as browsers send a file), else gathered and joined at the end. Fastify's own
 * reader gathers the pieces and copies them into one buffer once all have come: for a 57 MB file the
 * request thread spent 0.5-1 s on that copy, and every other request waited behind it.
 */
export function uploadedBytes(
  payload: Readable,
  contentLength: string | undefined,
  limit: number,
): Promise<Buffer> {
  const declared = contentLength === undefined ? Number.NaN : Number(contentLength);
  if (declared > limit) return Promise.reject(tooLarge());
  const into = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
  const pieces: Buffer[] = [];
  let received = 0;
  return new Promise((resolve, reject) => {
    const stop = (error?: Error) => {
      payload.off("data", onData).off("end", onEnd).off("error", onError);
      if (error) reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      const piece = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (received + piece.length > limit) return stop(tooLarge());
      if (into && received + piece.length > into.length)
        return stop(new ApiError(400, "bad_request", "the body is longer than its Content-Length"));
      if (into) piece.copy(into, received);
      else pieces.push(piece);
      received += piece.length;
    };
    const onEnd = () => {
      stop();
      if (into && received !== into.length)
        return reject(new ApiError(400, "bad_request", "the body is shorter than its Content-Length"));
      resolve(into ?? Buffer.concat(pieces, received));
    };
    const onError = (error: Error & { statusCode?: number }) => {
      if (!(typeof error.statusCode === "number" && error.statusCode >= 400)) error.statusCode = 400;
      stop(error);
    };
    payload.on("data", onData).on("end", onEnd).on("error", onError);
    payload.resume();
  });
}

export const importRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  const upload = { access: "billing" as const };
  // Within this plugin only: the bytes as sent, never decoded or parsed in this thread (read-upload.ts
  // reads them in the reader thread, detecting the encoding as for a file on disk).
  app.addContentTypeParser(
    FILE_TYPES,
    { bodyLimit: MAX_FILE },
    (request: FastifyRequest, payload: Readable) =>
      uploadedBytes(payload, request.headers["content-length"], MAX_FILE),
  );
  // The same preview and import whichever way the file came (its bytes, or its text inside JSON).
  const preview = async (sourceId: number, fileName: string, bytes: Buffer) => {
    await checkSource(store, sourceId);
    const made = await store.previewImport(sourceId, fileName, bytes);
    return { ...made, issues: firstIssues(made.issues) };
  };
  const importOne = async (
    request: FastifyRequest,
    reply: FastifyReply,
    sourceId: number,
    fileName: string,
    bytes: Buffer,
  ) => {
    await checkSource(store, sourceId);
    const stored = await store.importFile(sourceId, fileName, bytes, actorOf(request));
    if (!stored.import || hasErrors(stored.issues)) return invalid(reply, stored.issues);
    return { import: stored.import };
  };
  const fileBody = (body: unknown): Buffer => {
    if (!Buffer.isBuffer(body))
      throw new ApiError(
        400,
        "invalid",
        `send the file's bytes as the body, with Content-Type ${FILE_TYPES[0]}`,
      );
    return body;
  };

  app.post(
    "/api/imports/file/preview",
    {
      config: upload,
      schema: {
        tags: ["imports"],
        summary:
          "Read a file sent as it is (the body, Content-Type application/octet-stream): its first rows and every error; stores nothing",
        querystring: FileQuery,
        response: { 200: ImportPreviewSchema },
      },
    },
    async (request) => preview(request.query.sourceId, request.query.fileName, fileBody(request.body)),
  );

  app.post(
    "/api/imports/file",
    {
      config: upload,
      schema: {
        tags: ["imports"],
        summary:
          "Store a file sent as it is (the body, Content-Type application/octet-stream) as the source's new snapshot; a file with any error is refused whole",
        querystring: FileQuery,
        response: { 200: z.object({ import: ImportViewSchema }), 400: Refused },
      },
    },
    async (request, reply) =>
      importOne(request, reply, request.query.sourceId, request.query.fileName, fileBody(request.body)),
  );

  app.post(
    "/api/imports/preview",
    {
      config: upload,
      bodyLimit: MAX_FILE * 2,
      schema: {
        tags: ["imports"],
        summary: "Read a file for a source: its first rows and every error; stores nothing",
        body: Upload,
        response: { 200: ImportPreviewSchema },
      },
    },
    async (request) => {
      const { sourceId, fileName, content } = request.body;
      return preview(sourceId, fileName, Buffer.from(content, "utf8"));
    },
  );

  app.post(
    "/api/imports",
    {
      config: upload,
      bodyLimit: MAX_FILE * 2,
      schema: {
        tags: ["imports"],
        summary: "Store a file as the source's new snapshot; a file with any error is refused whole",
        body: Upload,
        response: { 200: z.object({ import: ImportViewSchema }), 400: Refused },
      },
    },
    async (request, reply) => {
      const { sourceId, fileName, content } = request.body;
      return importOne(request, reply, sourceId, fileName, Buffer.from(content, "utf8"));
    },
  );

  app.get(
    "/api/imports",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["imports"],
        summary: "Every import, newest first",
        querystring: PageQuery,
        response: { 200: paged(ImportViewSchema) },
      },
    },
    async (request) => store.listImports(request.query),
  );
};
