import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import type { Connection } from "../../src/connectors/types.ts";
import { sharedDir } from "../fixtures.ts";
import type { FakePsaControls, FakePsaLine, FakePsaSeed } from "./psa.ts";
import { type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake HaloPSA: OAuth2 client-credentials tokens at /auth/token (tenant in the query string),
// Bearer-checked /api routes, recurring invoices paged with pageinate/page_size/page_no answering
// { record_count, invoices }, and POST /api/RecurringInvoice/updatelines validated against the
// InvoiceDetail schema of Halo's OpenAPI spec (so a misspelt field fails), updating or (entries
// without id) adding lines. Halo's error bodies are not documented: 400s answer plain text here.

export interface HaloFakeOptions {
  /** Largest page served, whatever page_size asks (small, so tests page). Default 2. */
  pageSize?: number;
  /** When set, token requests must carry ?tenant=<this> (Halo-hosted instances). */
  tenant?: string;
  /** expires_in of issued tokens, seconds. Default 3600. */
  tokenSeconds?: number;
  /** The fake's clock (token expiry, rate window, "today"). Default: real time. */
  now?: () => Date;
  /** Halo-hosted style limit, e.g. 300 per 300_000 ms: over it, 429 with Retry-After. */
  rateLimit?: { limit: number; windowMs: number };
}

interface Line {
  id: number;
  ihid: number;
  item_code: string;
  qty_order: number;
  unit_price: number;
  startdate: string | null;
  enddate: string | null;
  isinactive: boolean;
}

interface Invoice {
  id: number;
  client_id: number;
  client_name: string;
  reference: string;
  disabled: boolean;
}

export type HaloFake = FakeServer &
  FakePsaControls & {
    clientId: string;
    clientSecret: string;
    /** Environment for createContext: the two secrets under the names connection() uses. */
    env: Record<string, string>;
    connection(name?: string): Connection;
    /** Every issued token stops working at once (the next API call gets 401). */
    expireTokens(): void;
    /** Ends a line on an ISO date (Halo's enddate), like a person ending it in the UI. */
    endLine(lineId: string, isoDate: string): void;
    tokensIssued(): number;
  };

/** Halo's published OpenAPI document, in the shared folder beside the repository. */
const SPEC_PATHS = [join(sharedDir, "formats", "halopsa", "openapi.json")];

export async function startHalopsaFake(seed: FakePsaSeed, options: HaloFakeOptions = {}): Promise<HaloFake> {
  const now = options.now ?? (() => new Date());
  const today = () => now().toISOString().slice(0, 10);
  const clientId = "halo-client-7f3a";
  const clientSecret = "halo-secret-9b2c-e41d-5a60";
  const { invoices, lines } = load(seed);
  const tokens = new Map<string, number>();
  const sent: number[] = [];
  const writes: FakePsaControls["writes"] = [];
  let issued = 0;

  function token(req: FakeRequest): FakeAnswer {
    const f = (req.body ?? {}) as Record<string, string>;
    if (options.tenant && req.query.get("tenant") !== options.tenant)
      return json({ error: "invalid_request", error_description: "Tenant not found" }, 400);
    if (f.grant_type !== "client_credentials") return json({ error: "unsupported_grant_type" }, 400);
    if (f.client_id !== clientId || f.client_secret !== clientSecret)
      return json({ error: "invalid_client" }, 401);
    if (!f.scope) return json({ error: "invalid_scope" }, 400);
    issued++;
    const value = `halo-token-${issued}-${Math.random().toString(36).slice(2)}`;
    const seconds = options.tokenSeconds ?? 3600;
    tokens.set(value, now().getTime() + seconds * 1000);
    return json({ access_token: value, token_type: "Bearer", expires_in: seconds, scope: f.scope });
  }

  function authorised(req: FakeRequest): boolean {
    const h = req.headers.authorization ?? "";
    const expires = h.startsWith("Bearer ") ? tokens.get(h.slice(7)) : undefined;
    return expires !== undefined && now().getTime() < expires;
  }

  function limited(): FakeAnswer | undefined {
    const rl = options.rateLimit;
    if (!rl) return undefined;
    const t = now().getTime();
    while (sent.length > 0 && (sent[0] ?? 0) <= t - rl.windowMs) sent.shift();
    if (sent.length < rl.limit) {
      sent.push(t);
      return undefined;
    }
    const wait = Math.max(1, Math.ceil(((sent[0] ?? t) + rl.windowMs - t) / 1000));
    const minutes = Math.round(rl.windowMs / 60_000);
    const text = `Rate Limit Reached - ${rl.limit} Requests per rolling ${minutes} minute window`;
    return { status: 429, body: text, headers: { "retry-after": String(wait) } };
  }

  function header(inv: Invoice, withLines: boolean) {
    const own = [...lines.values()].filter((l) => l.ihid === inv.id).sort((a, b) => a.id - b.id);
    return { ...inv, ...(withLines ? { lines: own.map((l) => ({ ...l })) } : {}) };
  }

  function list(req: FakeRequest): FakeAnswer {
    const client = req.query.get("client_id");
    const all = [...invoices.values()]
      .filter((i) => client === null || String(i.client_id) === client)
      .sort((a, b) => a.id - b.id);
    const withLines = req.query.get("includelines") === "true";
    if (req.query.get("pageinate") !== "true")
      return json({ record_count: all.length, invoices: all.map((i) => header(i, withLines)) });
    const size = Math.min(Math.max(1, Number(req.query.get("page_size")) || 50), options.pageSize ?? 2);
    const page = Math.max(1, Number(req.query.get("page_no")) || 1);
    const slice = all.slice((page - 1) * size, page * size);
    return json({
      page_no: page,
      page_size: size,
      record_count: all.length,
      invoices: slice.map((i) => header(i, withLines)),
    });
  }

  function one(id: string): FakeAnswer {
    const inv = invoices.get(Number(id));
    return inv ? json(header(inv, true)) : { status: 404, body: `Recurring invoice ${id} not found` };
  }

  function updateLines(req: FakeRequest): FakeAnswer {
    const validate = invoiceDetailArray();
    if (!validate(req.body))
      return { status: 400, body: `Invalid InvoiceDetail: ${JSON.stringify(validate.errors?.slice(0, 5))}` };
    const entries = req.body as Record<string, unknown>[];
    const problem = entries.map(checkEntry).find((p) => p !== undefined);
    if (problem) return { status: 400, body: problem };
    return json(entries.map(applyEntry));
  }

  function checkEntry(e: Record<string, unknown>): string | undefined {
    const id = typeof e.id === "number" ? e.id : 0;
    if (id > 0) {
      const line = lines.get(id);
      if (!line) return `Recurring invoice line ${id} does not exist`;
      if (e.ihid !== undefined && e.ihid !== line.ihid)
        return `Line ${id} is not on recurring invoice ${e.ihid}`;
      return undefined;
    }
    if (typeof e.ihid !== "number" || !invoices.has(e.ihid))
      return `Recurring invoice ${e.ihid} does not exist`;
    if (typeof e.item_code !== "string" || e.item_code === "") return "A new line needs an item_code";
    if (typeof e.qty_order !== "number") return "A new line needs a qty_order";
    return undefined;
  }

  function applyEntry(e: Record<string, unknown>): Line {
    const id = typeof e.id === "number" ? e.id : 0;
    const line: Line = lines.get(id) ?? {
      id: Math.max(0, ...lines.keys()) + 1,
      ihid: e.ihid as number,
      item_code: e.item_code as string,
      qty_order: 0,
      unit_price: 0,
      startdate: typeof e.startdate === "string" ? e.startdate : `${today()}T00:00:00`,
      enddate: null,
      isinactive: false,
    };
    if (typeof e.qty_order === "number") line.qty_order = e.qty_order;
    if (typeof e.unit_price === "number") line.unit_price = e.unit_price;
    if (!lines.has(line.id)) {
      lines.set(line.id, line);
      writes.push({ line: String(line.id), op: "create", value: line.qty_order });
    } else if (typeof e.qty_order === "number")
      writes.push({ line: String(line.id), op: "set", value: line.qty_order });
    return { ...line };
  }

  function route(req: FakeRequest): FakeAnswer {
    const over = limited();
    if (over) return over;
    if (req.method === "POST" && req.path === "/auth/token") return token(req);
    if (!req.path.startsWith("/api/")) return { status: 404, body: "Not found" };
    if (!authorised(req)) return { status: 401, body: "" };
    const single = /^\/api\/RecurringInvoice\/(\d+)$/.exec(req.path);
    if (req.method === "GET" && req.path === "/api/RecurringInvoice") return list(req);
    if (req.method === "GET" && single) return one(single[1] ?? "");
    if (req.method === "POST" && req.path === "/api/RecurringInvoice/updatelines") return updateLines(req);
    return { status: 404, body: `No route ${req.method} ${req.path}` };
  }

  const server = await startFake(route);
  const seedOf = (l: Line): FakePsaLine => ({
    id: String(l.id),
    agreement: String(l.ihid),
    product: l.item_code,
    quantity: l.qty_order,
    unitPrice: String(l.unit_price),
    startDate: (l.startdate ?? "").slice(0, 10),
    // Live: not switched off and not ended; a line starting later (a new quantity from next month) is live.
    active: !l.isinactive && (l.enddate === null || l.enddate.slice(0, 10) >= today()),
  });
  return Object.assign(server, {
    clientId,
    clientSecret,
    env: { TRUEUP_CONN_HALO_CLIENT_ID: clientId, TRUEUP_CONN_HALO_CLIENT_SECRET: clientSecret },
    writes,
    lines: () => [...lines.values()].sort((a, b) => a.id - b.id).map(seedOf),
    setQuantity(lineId: string, quantity: number) {
      mustLine(lines, lineId).qty_order = quantity;
    },
    endLine(lineId: string, isoDate: string) {
      mustLine(lines, lineId).enddate = `${isoDate}T00:00:00`;
    },
    expireTokens: () => tokens.clear(),
    tokensIssued: () => issued,
    connection: (name = "halo-test"): Connection => ({
      name,
      kind: "halopsa",
      url: server.url,
      settings: options.tenant ? { tenant: options.tenant } : {},
      secretEnv: { clientId: "TRUEUP_CONN_HALO_CLIENT_ID", clientSecret: "TRUEUP_CONN_HALO_CLIENT_SECRET" },
    }),
  });
}

/** Halo ids are integers: the seed's ids must be integer strings so both sides name lines alike. */
function load(seed: FakePsaSeed): { invoices: Map<number, Invoice>; lines: Map<number, Line> } {
  const int = (id: string, what: string): number => {
    if (!/^\d+$/.test(id)) throw new Error(`halopsa fake: ${what} id "${id}" must be an integer string`);
    return Number(id);
  };
  const names = new Map(seed.companies.map((c) => [c.id, c.name]));
  const invoices = new Map<number, Invoice>();
  for (const a of seed.agreements) {
    const id = int(a.id, "agreement");
    const client = { client_id: int(a.company, "company"), client_name: names.get(a.company) ?? "" };
    invoices.set(id, { id, ...client, reference: a.name, disabled: !a.active });
  }
  const lines = new Map<number, Line>();
  for (const l of seed.lines) {
    const id = int(l.id, "line");
    lines.set(id, {
      id,
      ihid: int(l.agreement, "agreement"),
      item_code: l.product,
      qty_order: l.quantity,
      unit_price: Number(l.unitPrice),
      startdate: `${l.startDate}T00:00:00`,
      enddate: null,
      isinactive: !l.active,
    });
  }
  return { invoices, lines };
}

function mustLine(lines: Map<number, Line>, id: string): Line {
  const line = lines.get(Number(id));
  if (!line) throw new Error(`halopsa fake: no line ${id}`);
  return line;
}

let validator: ValidateFunction | undefined;

/** The spec's InvoiceDetail (OpenAPI 3.0: `nullable` becomes a null type) for an array body. */
function invoiceDetailArray(): ValidateFunction {
  if (validator) return validator;
  const path = SPEC_PATHS.find((p) => existsSync(p));
  if (!path)
    throw new Error(`halopsa fake: Halo's openapi.json not found (looked in ${SPEC_PATHS.join(", ")})`);
  const spec = JSON.parse(readFileSync(path, "utf8")) as { components: { schemas: unknown } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of ["int32", "int64"])
    ajv.addFormat(f, { type: "number", validate: (n) => Number.isInteger(n) });
  for (const f of ["double", "float"]) ajv.addFormat(f, { type: "number", validate: () => true });
  const dateTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
  ajv.addFormat("date-time", dateTime);
  for (const f of ["date-span", "binary", "byte", "uri", "uuid"]) ajv.addFormat(f, () => true);
  ajv.addSchema({ $id: "halo", components: { schemas: nullableToType(spec.components.schemas) } });
  validator = ajv.compile({ type: "array", items: { $ref: "halo#/components/schemas/InvoiceDetail" } });
  return validator;
}

function nullableToType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToType);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableToType(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") out.type = [out.type, "null"];
  }
  return out;
}
