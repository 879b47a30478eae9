import { promisify } from "node:util";
import { gunzipSync, gzip } from "node:zlib";
import type { FastifyReply } from "fastify";

// JSON answers kept as the bytes sent, each with what it was made from: an answer holds while every
// part of it is the very same value or object. The store hands out the same objects (a run's findings,
// the configuration, a client's explanation) until what they were read from changes, and new ones
// after: a changed part makes a new answer, and nothing has to tell the cache. Least recently used
// answers go first once the bytes kept pass the limit.

interface Entry {
  parts: readonly unknown[];
  body: Buffer;
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class AnswerCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The answer kept for a key, if it was made from these very parts. */
  get(key: string, parts: readonly unknown[]): Buffer | undefined {
    const entry = this.#entries.get(key);
    if (!entry || !same(entry.parts, parts)) return undefined;
    // Most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.body;
  }

  /** Keeps an answer (unless it alone passes the limit) and returns it. */
  set(key: string, parts: readonly unknown[], body: Buffer): Buffer {
    this.#forget(key);
    if (body.length > this.maxBytes) return body;
    this.#entries.set(key, { parts, body });
    this.#bytes += body.length;
    for (const old of this.#entries.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.#forget(old);
    }
    return body;
  }

  get size(): number {
    return this.#entries.size;
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
  }
}

/** The JSON text of a value, as bytes. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

const gzipAsync = promisify(gzip);

/** A JSON answer as bytes, and gzipped for clients that accept it (browsers all do). */
export interface EncodedJson {
  json: Buffer;
  gzip: Buffer;
}

/**
 * Gzips a JSON answer that is sent many times as it is (the dashboard: 400 KB with 2,000 clients,
 * 40 KB gzipped), in libuv's threads: writing 400 KB to each of 50 connections was most of the
 * dashboard's time under load.
 */
export async function encodeJson(json: Buffer): Promise<EncodedJson> {
  return { json, gzip: await gzipAsync(json) };
}

/** True when the request's Accept-Encoding takes gzip (not refused with q=0). */
export function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : (acceptEncoding ?? "");
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding?.trim() !== "gzip" && coding?.trim() !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Sends an encoded JSON answer, gzipped when the client accepts it; an answer kept only gzipped (the
 * client pages) is unzipped for the others.
 */
export function sendEncodedJson(
  request: { headers: Record<string, string | string[] | undefined> },
  reply: FastifyReply,
  encoded: Pick<EncodedJson, "gzip"> & Partial<EncodedJson>,
): FastifyReply {
  reply.type("application/json; charset=utf-8").header("vary", "accept-encoding");
  if (acceptsGzip(request.headers["accept-encoding"]))
    return reply.header("content-encoding", "gzip").send(encoded.gzip);
  return reply.send(encoded.json ?? gunzipSync(encoded.gzip));
}
