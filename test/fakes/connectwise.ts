import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ajvModule, { type ValidateFunction } from "ajv";
import { API_PATH } from "../../src/connectors/connectwise/client.ts";
import type { Connection } from "../../src/connectors/types.ts";
import type { FakePsaControls, FakePsaLine, FakePsaSeed } from "./psa.ts";
import { basicAuth, type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake ConnectWise PSA (Manage) REST 3.0: agreements and their additions, Basic auth with the
// clientId header, `conditions` actually applied, page/pageSize with a Link header, JSON Patch and
// POST validated against the published Addition schema (/work/shared/formats/connectwise).
// Guessed (no published text found): the exact error codes and messages, the 401/429 bodies, that
// a product may be given by identifier alone on POST, that unknown products are accepted (each
// gets a catalogue id).

// ajv is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv = ajvModule.default;
const SCHEMA_FILE = resolve(import.meta.dirname, "../../../shared/formats/connectwise/addition.schema.json");

type Json = Record<string, unknown>;
type BillCustomer = "Billable" | "DoNotBill" | "NoCharge";

export interface CwCredentials {
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
}

export interface CwFakeOptions {
  /** The most items a page holds, whatever pageSize asks (ConnectWise: 1000). */
  maxPageSize?: number;
  credentials?: Partial<CwCredentials>;
  /** billCustomer of seeded lines by line id (default Billable). */
  billCustomer?: Record<string, BillCustomer>;
  /** The fake's clock, for `lines()[].active`. */
  now?: () => Date;
}

export type CwFake = FakeServer &
  FakePsaControls & {
    credentials: CwCredentials;
    env: Record<string, string>;
    connection(name?: string): Connection;
    /** The next `count` requests answer 429 with `Retry-After: seconds`. */
    throttleNext(count: number, seconds: number): void;
  };

interface Addition {
  id: string;
  agreement: string;
  product: string;
  quantity: number;
  unitPrice: number;
  /** The seeded price text, kept until a write changes the price ("12.50" stays "12.50"). */
  priceText: string;
  billCustomer: BillCustomer;
  effectiveDate: string;
  cancelledDate?: string;
}

/** Fields a condition may name (others answer 400, so a misspelt field fails a test). */
const AGREEMENTS = new Set(
  "id name company/id company/identifier company/name type/id type/name agreementStatus cancelledFlag startDate endDate".split(
    " ",
  ),
);
const ADDITIONS = new Set(
  "id product/id product/identifier quantity unitPrice billCustomer effectiveDate cancelledDate agreementId agreementStatus".split(
    " ",
  ),
);
const WRITABLE = new Set(["quantity", "unitPrice", "billCustomer", "effectiveDate", "cancelledDate"]);

const idValue = (id: string): number | string => (/^\d+$/.test(id) ? Number(id) : id);
const cwError = (status: number, code: string, message: string, errors?: Json[]): FakeAnswer =>
  json({ code, message, ...(errors ? { errors } : {}) }, status);

export async function startConnectwiseFake(seed: FakePsaSeed, options: CwFakeOptions = {}): Promise<CwFake> {
  const credentials: CwCredentials = {
    companyId: "trueup_test",
    publicKey: "PubKeyAbc123",
    privateKey: "PrivKeyXyz789Secret",
    clientId: "0d5c7a2e-client-id-4f1b",
    ...options.credentials,
  };
  const now = options.now ?? (() => new Date());
  const companies = new Map(seed.companies.map((c) => [c.id, c]));
  const agreements = new Map(seed.agreements.map((a) => [a.id, a]));
  const additions = new Map<string, Addition>(
    seed.lines.map((l) => [l.id, fromSeed(l, options.billCustomer)]),
  );
  // Product ids in the order products first appear in the seed, so they are stable between runs.
  const catalogue = new Map<string, number>();
  const writes: FakePsaControls["writes"] = [];
  const validate = validators();
  let throttle = { count: 0, seconds: 0 };

  const productId = (identifier: string): number => {
    if (!catalogue.has(identifier)) catalogue.set(identifier, 100 + catalogue.size);
    return catalogue.get(identifier) ?? 0;
  };
  for (const l of seed.lines) productId(l.product);
  const agreementJson = (a: FakePsaSeed["agreements"][number]): Json => {
    const c = companies.get(a.company);
    const identifier = (c?.name ?? "").replace(/[^A-Za-z0-9]/g, "").slice(0, 25) || `C${a.company}`;
    return {
      id: idValue(a.id),
      name: a.name,
      type: { id: 1, name: "Managed Services" },
      company: { id: idValue(a.company), identifier, name: c?.name ?? identifier },
      agreementStatus: a.active ? "Active" : "Cancelled",
      cancelledFlag: !a.active,
      startDate: "2024-01-01T00:00:00Z",
      _info: { lastUpdated: "2026-01-01T00:00:00Z" },
    };
  };
  const additionJson = (ad: Addition): Json => ({
    id: idValue(ad.id),
    product: { id: productId(ad.product), identifier: ad.product },
    quantity: ad.quantity,
    lessIncluded: 0,
    unitPrice: ad.unitPrice,
    unitCost: 0,
    billCustomer: ad.billCustomer,
    effectiveDate: ad.effectiveDate,
    ...(ad.cancelledDate ? { cancelledDate: ad.cancelledDate } : {}),
    agreementId: idValue(ad.agreement),
    agreementStatus: agreements.get(ad.agreement)?.active ? "Active" : "Cancelled",
    uom: "Each",
  });

  const page = (req: FakeRequest, items: Json[], fields: Set<string>) =>
    list(req, items, fields, options.maxPageSize);

  function route(req: FakeRequest): FakeAnswer {
    const path = req.path.startsWith(API_PATH) ? req.path.slice(API_PATH.length) : "";
    const m = /^\/finance\/agreements(?:\/([^/]+)(\/additions(?:\/([^/]+))?)?)?$/.exec(path);
    if (!m) return cwError(404, "NotFound", `no route ${req.method} ${req.path}`);
    const [, agreementId, additionsRoute, additionId] = m;
    if (!agreementId)
      return req.method === "GET"
        ? page(req, [...agreements.values()].map(agreementJson), AGREEMENTS)
        : notAllowed();
    const agreement = agreements.get(decodeURIComponent(agreementId));
    if (!agreement) return cwError(404, "NotFound", `Agreement ${agreementId} not found`);
    if (!additionsRoute) return req.method === "GET" ? json(agreementJson(agreement)) : notAllowed();
    const own = [...additions.values()].filter((a) => a.agreement === agreement.id);
    if (!additionId) {
      if (req.method === "GET") return page(req, own.map(additionJson), ADDITIONS);
      return req.method === "POST" ? create(agreement.id, req.body) : notAllowed();
    }
    const ad = own.find((a) => a.id === decodeURIComponent(additionId));
    if (!ad) return cwError(404, "NotFound", `Addition ${additionId} not found`);
    if (req.method === "GET") return json(additionJson(ad));
    return req.method === "PATCH" ? patch(ad, req.body) : notAllowed();
  }

  function create(agreement: string, body: unknown): FakeAnswer {
    if (!validate.addition(body)) return invalid(validate.addition.errors ?? []);
    const b = body as Json & { product: { identifier?: string; id?: number } };
    const identifier = b.product.identifier ?? [...catalogue].find(([, id]) => id === b.product.id)?.[0];
    if (!identifier)
      return cwError(400, "InvalidObject", "addition object is invalid", [
        { code: "NotFound", message: "Product not found", resource: "addition", field: "product" },
      ]);
    let next = Math.max(0, ...[...additions.keys()].map(Number).filter(Number.isFinite)) + 1;
    while (additions.has(String(next))) next++;
    const id = String(next);
    const ad: Addition = {
      id,
      agreement,
      product: identifier,
      quantity: (b.quantity as number | null) ?? 0,
      unitPrice: (b.unitPrice as number | null) ?? 0,
      priceText: String(b.unitPrice ?? 0),
      billCustomer: b.billCustomer as BillCustomer,
      effectiveDate: (b.effectiveDate as string | undefined) ?? now().toISOString(),
    };
    additions.set(id, ad);
    writes.push({ line: id, op: "create", value: ad.quantity });
    return json(additionJson(ad), 201);
  }

  function patch(ad: Addition, body: unknown): FakeAnswer {
    const problem = validate.patch(body);
    if (problem) return cwError(400, "InvalidObject", problem);
    for (const { path, value } of body as { path: string; value: unknown }[]) {
      const field = path.replace(/^\//, "");
      if (!WRITABLE.has(field)) continue;
      if (field === "unitPrice") ad.priceText = String(value);
      Object.assign(ad, { [field]: value ?? undefined });
    }
    writes.push({ line: ad.id, op: "set", value: ad.quantity });
    return json(additionJson(ad));
  }

  function authorised(req: FakeRequest): boolean {
    const basic = basicAuth(req);
    return (
      basic?.[0] === `${credentials.companyId}+${credentials.publicKey}` &&
      basic[1] === credentials.privateKey &&
      req.headers.clientid === credentials.clientId
    );
  }

  const server = await startFake((req) => {
    if (throttle.count > 0) {
      throttle.count--;
      return {
        ...cwError(429, "TooManyRequests", "Too many requests"),
        headers: { "retry-after": String(throttle.seconds) },
      };
    }
    if (!authorised(req))
      return cwError(401, "Unauthorized", "Authentication failed: check the API keys and clientId");
    return route(req);
  });

  return Object.assign(server, {
    credentials,
    env: {
      TRUEUP_CONN_CW_PUBLIC_KEY: credentials.publicKey,
      TRUEUP_CONN_CW_PRIVATE_KEY: credentials.privateKey,
      TRUEUP_CONN_CW_CLIENT_ID: credentials.clientId,
    },
    connection: (name = "cw-test"): Connection => ({
      name,
      kind: "connectwise",
      url: `${server.url}${API_PATH}`,
      settings: { companyId: credentials.companyId },
      secretEnv: {
        publicKey: "TRUEUP_CONN_CW_PUBLIC_KEY",
        privateKey: "TRUEUP_CONN_CW_PRIVATE_KEY",
        clientId: "TRUEUP_CONN_CW_CLIENT_ID",
      },
    }),
    throttleNext(count: number, seconds: number) {
      throttle = { count, seconds };
    },
    writes,
    lines: (): FakePsaLine[] => [...additions.values()].map((a) => toSeed(a, now())),
    setQuantity(lineId: string, quantity: number) {
      const ad = additions.get(lineId);
      if (!ad) throw new Error(`no line ${lineId}`);
      ad.quantity = quantity;
    },
  });
}

function fromSeed(l: FakePsaLine, billCustomer: CwFakeOptions["billCustomer"]): Addition {
  const effectiveDate = `${l.startDate.slice(0, 10)}T00:00:00Z`;
  return {
    id: l.id,
    agreement: l.agreement,
    product: l.product,
    quantity: l.quantity,
    unitPrice: Number(l.unitPrice),
    priceText: l.unitPrice,
    billCustomer: billCustomer?.[l.id] ?? "Billable",
    effectiveDate,
    // An inactive seeded line was cancelled the day it started.
    ...(l.active ? {} : { cancelledDate: effectiveDate }),
  };
}

function toSeed(a: Addition, now: Date): FakePsaLine {
  return {
    id: a.id,
    agreement: a.agreement,
    product: a.product,
    quantity: a.quantity,
    unitPrice: a.priceText,
    startDate: a.effectiveDate.slice(0, 10),
    active: !a.cancelledDate || Date.parse(a.cancelledDate) > now.getTime(),
  };
}

const notAllowed = (): FakeAnswer => cwError(405, "MethodNotAllowed", "method not allowed");

function invalid(errors: { instancePath: string; message?: string; params: Json }[]): FakeAnswer {
  return cwError(
    400,
    "InvalidObject",
    "addition object is invalid",
    errors.map((e) => ({
      code: "InvalidField",
      message: `${e.instancePath || "addition"} ${e.message ?? "is invalid"} ${JSON.stringify(e.params)}`,
      resource: "addition",
      field:
        e.instancePath.replace(/^\//, "") ||
        String(e.params.missingProperty ?? e.params.additionalProperty ?? ""),
    })),
  );
}

/** A page of `items` after `conditions` and `orderBy`, with Link rel="next"/"last" like ConnectWise. */
function list(req: FakeRequest, items: Json[], fields: Set<string>, maxPageSize = 1000): FakeAnswer {
  let rows = items;
  const conditions = req.query.get("conditions");
  try {
    if (conditions) rows = rows.filter(parseConditions(conditions, fields));
  } catch (e) {
    return cwError(400, "InvalidCondition", e instanceof Error ? e.message : String(e));
  }
  const order = req.query.get("orderBy") ?? "id asc";
  if (!/^id (asc|desc)$/i.test(order)) return cwError(400, "InvalidOrderBy", `cannot order by ${order}`);
  rows = [...rows].sort((a, b) => compareIds(a.id, b.id) * (/desc/i.test(order) ? -1 : 1));
  const page = Math.max(1, Number(req.query.get("page") ?? 1) || 1);
  const size = Math.min(Math.max(1, Number(req.query.get("pageSize") ?? 25) || 25), maxPageSize, 1000);
  const last = Math.max(1, Math.ceil(rows.length / size));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set("page", String(p));
    q.set("pageSize", String(size));
    return `<http://${req.headers.host}${req.path}?${q}>; rel="${rel}"`;
  };
  const links = [...(page < last ? [link(page + 1, "next")] : []), link(last, "last")];
  return json(rows.slice((page - 1) * size, page * size), 200, { link: links.join(", ") });
}

function compareIds(a: unknown, b: unknown): number {
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}

// ---- request validation against the published Addition schema ----

/** OpenAPI 3.0 -> JSON Schema: `nullable` becomes a null type; references are spelled out. */
function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (s === null || typeof s !== "object") return s;
  const o = s as Json;
  if (typeof o.$ref === "string") return REFERENCES[o.$ref.split("/").pop() ?? ""] ?? { type: "object" };
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === "nullable" || k === "description" || (k === "format" && v !== "date-time")) continue;
    out[k] = toJsonSchema(v);
  }
  if (o.nullable === true) {
    out.type = [o.type, "null"];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

/** IvItemReference as published (id, identifier, serializedFlag, _info); one of id/identifier is needed. */
const REFERENCES: Record<string, Json> = {
  IvItemReference: {
    type: "object",
    properties: {
      id: { type: ["integer", "null"] },
      identifier: { type: "string" },
      serializedFlag: { type: ["boolean", "null"] },
      _info: { type: "object" },
    },
    additionalProperties: false,
    anyOf: [{ required: ["id"] }, { required: ["identifier"] }],
  },
};

interface Validators {
  addition: ValidateFunction;
  /** A problem with a JSON Patch body, or undefined when it is fine. */
  patch(body: unknown): string | undefined;
}

function validators(): Validators {
  const published = (JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as { Addition: Json }).Addition;
  const schema = toJsonSchema(published) as Json & { properties: Record<string, Json> };
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  // ConnectWise ignores unknown fields; the fake refuses them, so a misspelt field fails a test.
  const addition = ajv.compile({ ...schema, additionalProperties: false });
  const field = new Map(Object.entries(schema.properties).map(([k, s]) => [k, ajv.compile(s)]));
  return {
    addition,
    patch(body) {
      if (!Array.isArray(body) || body.length === 0) return "the body must be a non-empty JSON Patch array";
      for (const op of body as Json[]) {
        const name = typeof op?.path === "string" ? op.path.replace(/^\//, "") : "";
        const check = field.get(name);
        if (op?.op !== "replace" && op?.op !== "add") return `unsupported op ${JSON.stringify(op?.op)}`;
        if (!check || name === "id" || name === "_info")
          return `${JSON.stringify(op.path)} is not a field of addition`;
        if (!check(op.value)) return `${name}: ${ajv.errorsText(check.errors)}`;
      }
      return undefined;
    },
  };
}

// ---- conditions: field op value, joined by and/or, with parentheses ----

type Token = { t: "(" | ")" | "str" | "date" | "op" | "word" | "num"; v: string };
type Predicate = (o: Json) => boolean;
const TOKEN =
  /\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\[([^\]]*)\]|(<=|>=|!=|=|<|>)|(-?\d+(?:\.\d+)?)(?![\w/])|([A-Za-z_][\w/]*))/y;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.trimEnd().length) {
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read the conditions at ${JSON.stringify(text.slice(TOKEN.lastIndex))}`);
    const [, open, close, dq, sq, date, op, n, word] = m;
    if (open) out.push({ t: "(", v: open });
    else if (close) out.push({ t: ")", v: close });
    else if (dq !== undefined || sq !== undefined) out.push({ t: "str", v: dq ?? sq ?? "" });
    else if (date !== undefined) out.push({ t: "date", v: date });
    else if (op) out.push({ t: "op", v: op });
    else if (n) out.push({ t: "num", v: n });
    else out.push({ t: "word", v: word ?? "" });
  }
  return out;
}

export function parseConditions(text: string, fields: Set<string>): Predicate {
  const toks = tokenize(text);
  let i = 0;
  const word = (w: string) => toks[i]?.t === "word" && toks[i]?.v.toLowerCase() === w && ++i > 0;
  const expr = (): Predicate => {
    let p = term();
    while (word("or")) {
      const [l, r] = [p, term()];
      p = (o) => l(o) || r(o);
    }
    return p;
  };
  const term = (): Predicate => {
    let p = factor();
    while (word("and")) {
      const [l, r] = [p, factor()];
      p = (o) => l(o) && r(o);
    }
    return p;
  };
  const factor = (): Predicate => {
    if (toks[i]?.t !== "(") return comparison();
    i++;
    const p = expr();
    if (toks[i++]?.t !== ")") throw new Error("missing )");
    return p;
  };
  const comparison = (): Predicate => {
    const [f, op, value] = [toks[i++], toks[i++], toks[i++]];
    if (f?.t !== "word" || !fields.has(f.v))
      throw new Error(`unknown field ${JSON.stringify(f?.v)} in conditions`);
    if (!op || (op.t !== "op" && !(op.t === "word" && /^(like|contains)$/i.test(op.v))))
      throw new Error(`expected an operator after ${f.v}`);
    if (!value || !["str", "date", "num", "word"].includes(value.t))
      throw new Error(`expected a value after ${f.v}`);
    return (o) =>
      compare(
        f.v.split("/").reduce<unknown>((x, k) => (x as Json | undefined)?.[k], o),
        op.v,
        value,
      );
  };
  const p = expr();
  if (i !== toks.length) throw new Error(`unexpected ${JSON.stringify(toks[i]?.v)} in conditions`);
  return p;
}

function compare(actual: unknown, op: string, value: Token): boolean {
  const o = op.toLowerCase();
  if (value.t === "word" && value.v.toLowerCase() === "null") {
    if (o === "=") return actual == null;
    if (o === "!=") return actual != null;
    throw new Error(`null only compares with = or !=`);
  }
  if (actual == null) return false; // SQL: a comparison with null is never true
  if (value.t === "word" && /^(true|false)$/i.test(value.v)) {
    const same = actual === (value.v.toLowerCase() === "true");
    if (o === "=" || o === "!=") return o === "=" ? same : !same;
    throw new Error(`booleans only compare with = or !=`);
  }
  if (value.t === "word") throw new Error(`unquoted value ${value.v}`);
  if (o === "like" || o === "contains") {
    const v = value.v.toLowerCase();
    const a = String(actual).toLowerCase();
    if (o === "contains") return a.includes(v);
    const re = v.replace(/[.+?^${}()|\\]/g, "\\$&").replace(/[*%]/g, ".*");
    return new RegExp(`^${re}$`).test(a);
  }
  const [a, b] =
    value.t === "date"
      ? [Date.parse(String(actual)), Date.parse(value.v)]
      : value.t === "num"
        ? [Number(actual), Number(value.v)]
        : [String(actual).toLowerCase(), value.v.toLowerCase()];
  if (value.t === "date" && (Number.isNaN(a) || Number.isNaN(b))) throw new Error(`not a date: [${value.v}]`);
  const c = a < b ? -1 : a > b ? 1 : 0;
  return { "=": c === 0, "!=": c !== 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0 }[o] ?? false;
}
