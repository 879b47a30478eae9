import type { Pax8Product, Pax8Subscription } from "../../src/connectors/pax8/map.ts";
import { type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake Pax8 partner API as its published OpenAPI describes it: a JSON client-credentials token at
// /oauth/token (errors {error, error_description}), /companies, /subscriptions (filters status,
// companyId, productId, billingTerm), /products/{productId}; page (from 0) and size (1..200) paging
// answered as {content, page:{size,totalElements,totalPages,number}}; errors as {type,message,instance,status}.

const STATUSES = [
  "Active",
  "Cancelled",
  "PendingManual",
  "PendingAutomated",
  "PendingCancel",
  "WaitingForDetails",
  "Trial",
  "Converted",
  "PendingActivation",
  "Activated",
];

export interface FakePax8Options {
  clientId: string;
  clientSecret: string;
  companies: { id: string; name: string; status?: string }[];
  products: Pax8Product[];
  subscriptions: Pax8Subscription[];
  /** Items per page at most, whatever `size` asks (to get several pages from a few items). */
  pageSize?: number;
  /** API requests a token serves before it is answered as expired. */
  tokenUses?: number;
  /** Answers a request before the fake does (a failure on one page). */
  override?: (req: FakeRequest) => FakeAnswer | undefined;
}

export interface FakePax8 extends FakeServer {
  tokens: string[];
}

const pax8Error = (status: number, message: string, instance: string): FakeAnswer =>
  json({ type: `https://httpstatuses.io/${status}`, message, instance, status }, status);

export async function startFakePax8(o: FakePax8Options): Promise<FakePax8> {
  const tokens: string[] = [];
  const live = new Map<string, number>();

  function token(req: FakeRequest): FakeAnswer {
    if (!req.headers["content-type"]?.includes("application/json"))
      return json({ error: "invalid_request", error_description: "JSON body expected" }, 400);
    const b = (req.body ?? {}) as Record<string, string>;
    if (b.grant_type !== "client_credentials" || b.audience !== "https://api.pax8.com")
      return json({ error: "invalid_request", error_description: "Invalid grant_type or audience" }, 400);
    if (b.client_id !== o.clientId || b.client_secret !== o.clientSecret)
      return json({ error: "access_denied", error_description: "Unauthorized" }, 401);
    const value = `p8.${tokens.length + 1}.${Math.random().toString(36).slice(2)}`;
    tokens.push(value);
    live.set(value, o.tokenUses ?? Number.POSITIVE_INFINITY);
    return json({ access_token: value, expires_in: 86400, token_type: "Bearer" });
  }

  function authorized(req: FakeRequest): FakeAnswer | undefined {
    const h = req.headers.authorization ?? "";
    const left = h.startsWith("Bearer ") ? live.get(h.slice(7)) : undefined;
    if (left === undefined || left <= 0) return pax8Error(401, "Unauthorized", req.path);
    live.set(h.slice(7), left - 1);
    return undefined;
  }

  /** One page of `items`, or the 400 Pax8 gives for a bad page or size. */
  function paged<T>(req: FakeRequest, items: T[]): FakeAnswer {
    const page = Number(req.query.get("page") ?? "0");
    const size = Number(req.query.get("size") ?? "10");
    if (!Number.isInteger(page) || page < 0) return pax8Error(400, "page must be 0 or more", req.path);
    if (!Number.isInteger(size) || size < 1 || size > 200)
      return pax8Error(400, "size must be between 1 and 200", req.path);
    const per = Math.min(size, o.pageSize ?? size);
    return json({
      content: items.slice(page * per, page * per + per),
      page: {
        size: per,
        totalElements: items.length,
        totalPages: Math.ceil(items.length / per),
        number: page,
      },
    });
  }

  function subscriptions(req: FakeRequest): FakeAnswer {
    const status = req.query.get("status");
    if (status !== null && !STATUSES.includes(status))
      return pax8Error(400, `Invalid status: ${status}`, req.path);
    const filters = ["status", "companyId", "productId", "billingTerm"] as const;
    const items = o.subscriptions.filter((s) =>
      filters.every((f) => req.query.get(f) === null || s[f] === req.query.get(f)),
    );
    return paged(req, items);
  }

  const fake = await startFake((req) => {
    const forced = o.override?.(req);
    if (forced) return forced;
    if (req.method === "POST" && req.path === "/oauth/token") return token(req);
    const denied = authorized(req);
    if (denied) return denied;
    if (req.method !== "GET") return pax8Error(405, "Method not allowed", req.path);
    if (req.path === "/v1/companies") return paged(req, o.companies);
    if (req.path === "/v1/subscriptions") return subscriptions(req);
    const m = /^\/v1\/products\/([^/]+)$/.exec(req.path);
    if (m) {
      const product = o.products.find((p) => p.id === decodeURIComponent(m[1] ?? ""));
      return product ? json(product) : pax8Error(404, "Product not found", req.path);
    }
    return pax8Error(404, "Not found", req.path);
  });
  return Object.assign(fake, { tokens });
}
