import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// The base of every fake outside system in the tests: a real HTTP server on 127.0.0.1 with a
// request log and seeded fault injection (429 with Retry-After, 500, a timeout, a dropped
// connection), so connectors are tested through real sockets, never through mocked functions.

export interface FakeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** Parsed JSON or form body (form: a plain object of strings); raw text otherwise. */
  body: unknown;
  rawBody: string;
}

export interface FakeAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

export type Fault = "429" | "500" | "timeout" | "drop" | "drop-after";

export interface FaultPlan {
  /** 0..1: chance that a request meets a fault. */
  rate: number;
  seed: number;
  kinds?: Fault[];
  /** Retry-After seconds sent with 429. */
  retryAfter?: number;
  /** Faults only on requests this predicate accepts (e.g. not the token endpoint). */
  only?: (req: FakeRequest) => boolean;
}

export interface FakeServer {
  url: string;
  requests: FakeRequest[];
  faults: { kind: Fault; method: string; path: string }[];
  setFaults(plan: FaultPlan | undefined): void;
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFake(handler: Handler): Promise<FakeServer> {
  let plan: FaultPlan | undefined;
  let random = seeded(1);
  const requests: FakeRequest[] = [];
  const faults: FakeServer["faults"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void answer(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const fr: FakeRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parseBody(req.headers["content-type"], rawBody),
      rawBody,
    };
    requests.push(fr);
    const fault = pickFault(fr);
    if (fault) faults.push({ kind: fault, method: fr.method, path: fr.path });
    if (fault === "429")
      return send(res, {
        status: 429,
        body: { message: "rate limit" },
        headers: { "retry-after": String(plan?.retryAfter ?? 0) },
      });
    if (fault === "500") return send(res, { status: 500, body: { message: "internal error" } });
    if (fault === "timeout") return; // never answered: the client's timeout fires
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    let out: FakeAnswer;
    try {
      out = await handler(fr);
    } catch (e) {
      out = { status: 500, body: { message: e instanceof Error ? e.message : String(e) } };
    }
    // The request was processed, but the answer is lost: the hardest case for exactly-once writes.
    if (fault === "drop-after") {
      req.socket.destroy();
      return;
    }
    send(res, out);
  }

  function pickFault(req: FakeRequest): Fault | undefined {
    if (!plan || (plan.only && !plan.only(req))) return undefined;
    if (random() >= plan.rate) return undefined;
    const kinds = plan.kinds ?? ["429", "500", "timeout", "drop", "drop-after"];
    return kinds[Math.floor(random() * kinds.length)];
  }

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    setFaults(p) {
      plan = p;
      random = seeded(p?.seed ?? 1);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function send(res: ServerResponse, a: FakeAnswer): void {
  const body = a.body === undefined ? "" : typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status ?? 200, {
    ...(typeof a.body === "string" ? {} : { "content-type": "application/json" }),
    ...a.headers,
  });
  res.end(body);
}

function parseBody(type: string | undefined, raw: string): unknown {
  if (raw === "") return undefined;
  if (type?.includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Reads Basic credentials: [user, password], or undefined. */
export function basicAuth(req: FakeRequest): [string, string] | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith("Basic ")) return undefined;
  const text = Buffer.from(h.slice(6), "base64").toString("utf8");
  const i = text.indexOf(":");
  return i < 0 ? undefined : [text.slice(0, i), text.slice(i + 1)];
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): FakeAnswer {
  return { status, body, headers };
}
