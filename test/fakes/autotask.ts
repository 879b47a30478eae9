import ajvModule from "ajv";
import type { Connection } from "../../src/connectors/types.ts";
import type { FakePsaControls, FakePsaLine, FakePsaSeed } from "./psa.ts";
import { type FakeAnswer, type FakeRequest, type FakeServer, json, startFake } from "./server.ts";

// A fake Autotask PSA REST API (/atservicesrest/V1.0): zone lookup, header auth, POST queries with
// filters really applied and nextPageUrl paging (POST only, as the live API), GET by id, contract
// service adjustments that change the units of every period from the effective date, price
// patches, {"errors":[...]} bodies, 429 with Retry-After (throttleNext, or a rolling threshold).
// Bodies are checked against the published models (Swagger) with unknown fields refused.
// Model, kept simple on purpose: each line has calendar-month units periods from its start date to
// three years after today; an adjustment adds its unitChange to every period that ends on or after
// the effective date (so the period containing that date changes too); an inactive seeded line
// has no periods. Guessed: the 401/429/404 bodies, a 500 for validation errors and for a zero
// unitChange or units below 0, that bundles are never created by an adjustment.

const Ajv = ajvModule.default;
type Row = Record<string, unknown> & { id: number };
type Kind = "service" | "bundle";

export interface AtCredentials {
  username: string;
  secret: string;
  integrationCode: string;
}

export interface AtFakeOptions {
  /** Items per page (Autotask: 500). */
  pageSize?: number;
  credentials?: Partial<AtCredentials>;
  /** The fake's clock: today's period for lines(), and the rolling threshold. */
  now?: () => Date;
  /** Products that are service bundles (ContractServiceBundles) rather than services. */
  bundles?: string[];
  /** contractType per agreement id (default 7, Recurring Service). */
  contractTypes?: Record<string, number>;
  /** Autotask's rolling request threshold (10,000 an hour); off unless given. */
  threshold?: { limit: number; windowMs: number };
}

export type AutotaskFake = FakeServer &
  FakePsaControls & {
    credentials: AtCredentials;
    env: Record<string, string>;
    connection(name?: string): Connection;
    /** The next `count` requests answer 429 with `Retry-After: seconds`. */
    throttleNext(count: number, seconds: number): void;
    /** Every adjustment body applied, as sent. */
    adjustments: Record<string, unknown>[];
  };

interface Line {
  kind: Kind;
  row: Row;
  periods: Row[];
  priceText: string;
  seedQuantity: number;
  startDate: string;
}

const FIELDS: Record<string, string[]> = {
  Companies: ["id", "companyName", "isActive"],
  Contracts: ["id", "companyID", "contractName", "contractType", "status", "startDate", "endDate"],
  Services: ["id", "name", "unitPrice", "isActive"],
  ServiceBundles: ["id", "name", "unitPrice", "isActive"],
  ContractServices: [
    "id",
    "contractID",
    "serviceID",
    "unitPrice",
    "adjustedPrice",
    "unitCost",
    "invoiceDescription",
  ],
  ContractServiceBundles: [
    "id",
    "contractID",
    "serviceBundleID",
    "unitPrice",
    "adjustedPrice",
    "invoiceDescription",
  ],
  ContractServiceUnits: [
    "id",
    "contractID",
    "contractServiceID",
    "serviceID",
    "units",
    "startDate",
    "endDate",
    "price",
    "cost",
  ],
  ContractServiceBundleUnits: [
    ...["id", "contractID", "contractServiceBundleID", "serviceBundleID", "units", "startDate", "endDate"],
    ...["price", "cost"],
  ],
};
const KEY: Record<Kind, [string, string]> = {
  service: ["contractServiceID", "serviceID"],
  bundle: ["contractServiceBundleID", "serviceBundleID"],
};
const OPS = new Set("eq noteq gt gte lt lte in notIn exist notExist and or".split(" "));
const DATE_TIME = "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$";

const atError = (status: number, ...errors: string[]): FakeAnswer => json({ errors }, status);
const day = (s: unknown): string => String(s).slice(0, 10);
const stamp = (d: string): string => `${d}T00:00:00`;

export async function startAutotaskFake(
  seed: FakePsaSeed,
  options: AtFakeOptions = {},
): Promise<AutotaskFake> {
  const credentials: AtCredentials = {
    username: "api.trueup@example.com",
    secret: "AtSecret-9f2Kq7",
    integrationCode: "INTCODE-FAKE-77Q",
    ...options.credentials,
  };
  const now = options.now ?? (() => new Date());
  const today = (): string => now().toISOString().slice(0, 10);
  const horizon = addMonths(today(), 36);
  const pageSize = options.pageSize ?? 500;
  const validate = validators();
  const ids = idAllocator();
  const companies: Row[] = seed.companies.map((c) => ({
    id: ids.of("c", c.id),
    companyName: c.name,
    isActive: true,
  }));
  const contracts: Row[] = seed.agreements.map((a) => ({
    id: ids.of("a", a.id),
    companyID: ids.of("c", a.company),
    contractName: a.name,
    contractType: options.contractTypes?.[a.id] ?? 7,
    status: a.active ? 1 : 0,
    startDate: "2024-01-01T00:00:00",
    endDate: stamp(horizon),
  }));
  const catalog = { service: [] as Row[], bundle: [] as Row[] };
  const lines = new Map<string, Line>();
  const writes: FakePsaControls["writes"] = [];
  const adjustments: Record<string, unknown>[] = [];
  let throttle = { count: 0, seconds: 0 };
  const sent: number[] = [];
  let base = "";
  let unitsSeq = 1;

  const itemOf = (kind: Kind, name: string, price: number): number => {
    const found = catalog[kind].find((r) => r.name === name);
    if (found) return found.id;
    const id = (kind === "service" ? 5001 : 7001) + catalog[kind].length;
    catalog[kind].push({ id, name, unitPrice: price, isActive: true });
    return id;
  };
  const psaId = (l: Line): string => (l.kind === "service" ? String(l.row.id) : `bundle-${l.row.id}`);
  const addPeriods = (l: Line, from: string, units: number): void => {
    for (const [start, end] of months(from, horizon)) {
      const [key, item] = KEY[l.kind];
      l.periods.push({
        ...{ id: unitsSeq++, contractID: l.row.contractID, [key]: l.row.id },
        ...{ [item]: l.row[item], units, startDate: stamp(start), endDate: stamp(end) },
        ...{ price: l.row.adjustedPrice ?? l.row.unitPrice, cost: 0 },
      });
    }
  };
  const addLine = (kind: Kind, id: number, contractID: number, product: string, price: string): Line => {
    const item = itemOf(kind, product, Number(price));
    const [, itemKey] = KEY[kind];
    const row: Row = {
      id,
      contractID,
      [itemKey]: item,
      unitPrice: Number(price),
      adjustedPrice: null,
    };
    if (kind === "service") row.unitCost = 0;
    row.invoiceDescription = product;
    const l: Line = { kind, row, periods: [], priceText: price, seedQuantity: 0, startDate: today() };
    lines.set(psaId(l), l);
    return l;
  };
  const bundles = new Set(options.bundles ?? []);
  for (const s of seed.lines) {
    const kind: Kind = bundles.has(s.product) ? "bundle" : "service";
    const l = addLine(kind, ids.of("l", s.id), ids.of("a", s.agreement), s.product, s.unitPrice);
    Object.assign(l, { seedQuantity: s.quantity, startDate: s.startDate });
    if (s.active) addPeriods(l, s.startDate, s.quantity);
  }

  const tables = (): Record<string, Row[]> => {
    const all = [...lines.values()];
    const of = (k: Kind) => all.filter((l) => l.kind === k);
    return {
      Companies: companies,
      Contracts: contracts,
      Services: catalog.service,
      ServiceBundles: catalog.bundle,
      ContractServices: of("service").map((l) => l.row),
      ContractServiceBundles: of("bundle").map((l) => l.row),
      ContractServiceUnits: of("service").flatMap((l) => l.periods),
      ContractServiceBundleUnits: of("bundle").flatMap((l) => l.periods),
    };
  };
  const entityName = (name: string): string | undefined =>
    Object.keys(FIELDS).find((e) => e.toLowerCase() === name.toLowerCase());

  const query = (req: FakeRequest, entity: string, offset: number): FakeAnswer => {
    if (req.method !== "POST")
      return json({ Message: "The requested resource does not support http method 'GET'." }, 405);
    if (!validate.query(req.body)) return atError(500, ...messages(validate.query));
    const filter = (req.body as { filter: Filter[] }).filter;
    const bad = filter.map((f) => checkFilter(f, FIELDS[entity] ?? [])).find((m) => m);
    if (bad) return atError(500, bad);
    const rows = (tables()[entity] ?? []).filter((r) => filter.every((f) => matches(r, f)));
    rows.sort((a, b) => a.id - b.id);
    const items = rows.slice(offset, offset + pageSize);
    const link = (at: number): string | null =>
      at < 0 || at >= rows.length
        ? null
        : `${base}/atservicesrest/V1.0/${entity}/query/next?paging=${Buffer.from(JSON.stringify({ at })).toString("base64url")}`;
    const pageDetails = {
      count: items.length,
      requestCount: pageSize,
      prevPageUrl: offset > 0 ? link(Math.max(0, offset - pageSize)) : null,
      nextPageUrl: link(offset + pageSize),
    };
    return json({ items, pageDetails });
  };

  const findLine = (kind: Kind, id: number): Line | undefined =>
    lines.get(kind === "service" ? String(id) : `bundle-${id}`);

  const adjust = (kind: Kind, body: Record<string, unknown>): FakeAnswer => {
    const v = kind === "service" ? validate.serviceAdjustment : validate.bundleAdjustment;
    if (!v(body)) return atError(500, ...messages(v));
    const [key, itemKey] = KEY[kind];
    const delta = Number(body.unitChange);
    if (delta === 0) return atError(500, "unitChange must not be 0.");
    const contract = contracts.find((c) => c.id === body.contractID);
    if (contract?.contractType !== 7) {
      return atError(500, "Value does not reference an existing Recurring Service contract for contractID.");
    }
    if (!catalog[kind].some((r) => r.id === body[itemKey])) {
      return atError(500, `Value does not reference an existing entity for ${itemKey}.`);
    }
    let l = body[key] !== undefined ? findLine(kind, Number(body[key])) : undefined;
    if (
      body[key] !== undefined &&
      (!l || l.row.contractID !== contract.id || l.row[itemKey] !== body[itemKey])
    ) {
      return atError(500, `Value does not reference an existing entity for ${key}.`);
    }
    l ??= [...lines.values()].find(
      (x) => x.kind === kind && x.row.contractID === contract.id && x.row[itemKey] === body[itemKey],
    );
    const date = day(body.effectiveDate);
    if (date > horizon) return atError(500, "effectiveDate is after the end of the contract.");
    if (!l && (kind === "bundle" || delta < 0))
      return atError(500, `Value does not reference an existing entity for ${key}.`);
    const created = !l;
    if (!l) {
      const name = String(catalog.service.find((r) => r.id === body[itemKey])?.name);
      const price = body.adjustedUnitPrice !== undefined ? String(body.adjustedUnitPrice) : "0";
      l = addLine(kind, nextLineId(), contract.id, name, price);
      l.startDate = date;
    }
    if (l.periods.length === 0) addPeriods(l, date, 0);
    const affected = l.periods.filter((p) => day(p.endDate) >= date);
    if (affected.some((p) => Number(p.units) + delta < 0))
      return atError(500, "Units cannot be less than 0.");
    for (const p of affected) p.units = Number(p.units) + delta;
    if (typeof body.adjustedUnitPrice === "number" && body.adjustedUnitPrice !== priceOf(l)) {
      l.row.adjustedPrice = body.adjustedUnitPrice;
      l.priceText = String(body.adjustedUnitPrice);
    }
    adjustments.push(body);
    writes.push({ line: psaId(l), op: created ? "create" : "adjust", value: delta });
    return json({ itemId: adjustments.length });
  };

  const patch = (kind: Kind, contractId: number, body: Record<string, unknown>): FakeAnswer => {
    if (!validate.patch(body)) return atError(500, ...messages(validate.patch));
    const l = findLine(kind, Number(body.id));
    if (!l || l.row.contractID !== contractId) return atError(404, "The requested entity was not found.");
    if (typeof body.adjustedPrice === "number") {
      l.row.adjustedPrice = body.adjustedPrice;
      l.priceText = String(body.adjustedPrice);
      writes.push({ line: psaId(l), op: "set", value: body.adjustedPrice });
    }
    return json({ itemId: l.row.id });
  };

  const nextLineId = (): number => Math.max(0, ...[...lines.values()].map((l) => l.row.id)) + 1;
  const priceOf = (l: Line): number => Number(l.row.adjustedPrice ?? l.row.unitPrice);

  const limited = (): FakeAnswer | undefined => {
    if (throttle.count > 0) {
      throttle.count--;
      return {
        ...atError(429, "API threshold exceeded."),
        headers: { "retry-after": String(throttle.seconds) },
      };
    }
    const t = options.threshold;
    if (!t) return undefined;
    const at = now().getTime();
    while (sent.length > 0 && (sent[0] ?? 0) <= at - t.windowMs) sent.shift();
    if (sent.length >= t.limit) {
      const wait = Math.ceil(((sent[0] ?? at) + t.windowMs - at) / 1000);
      return { ...atError(429, "API threshold exceeded."), headers: { "retry-after": String(wait) } };
    }
    sent.push(at);
    return undefined;
  };

  const route = (req: FakeRequest, path: string): FakeAnswer => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let m = /^\/V1\.0\/(\w+)\/query(\/next)?$/i.exec(path);
    const entity = m ? entityName(m[1] ?? "") : undefined;
    if (m && entity) return m[2] ? query(req, entity, pagingOffset(req)) : query(req, entity, 0);
    if (/^\/V1\.0\/ContractServiceAdjustments$/i.test(path) && req.method === "POST")
      return adjust("service", body);
    if (/^\/V1\.0\/ContractServiceBundleAdjustments$/i.test(path) && req.method === "POST")
      return adjust("bundle", body);
    m = /^\/V1\.0\/Contracts\/(\d+)\/(Services|ServiceBundles)$/i.exec(path);
    if (m && req.method === "PATCH")
      return patch(/bundles/i.test(m[2] ?? "") ? "bundle" : "service", Number(m[1]), body);
    m = /^\/V1\.0\/(\w+)\/(\d+)$/i.exec(path);
    const byId = m ? entityName(m[1] ?? "") : undefined;
    if (m && byId && req.method === "GET") {
      return json({ item: (tables()[byId] ?? []).find((r) => r.id === Number(m?.[2])) ?? null });
    }
    return atError(404, `No route for ${req.method} ${path}.`);
  };

  const handler = (req: FakeRequest): FakeAnswer => {
    const m = /^\/atservicesrest(\/.*)$/i.exec(req.path);
    if (!m) return atError(404, "Not found.");
    const path = m[1] ?? "";
    if (/^\/V1\.0\/ZoneInformation$/i.test(path)) {
      if (req.query.get("user")?.toLowerCase() !== credentials.username.toLowerCase()) {
        return atError(500, "Zone information could not be determined for this user.");
      }
      return json({ zoneName: "Fake Zone", url: `${base}/atservicesrest/`, webUrl: base, ci: 0 });
    }
    const h = req.headers;
    if (
      h.apiintegrationcode !== credentials.integrationCode ||
      h.username !== credentials.username ||
      h.secret !== credentials.secret
    ) {
      return atError(401, "Authorization has been denied for this request.");
    }
    return limited() ?? route(req, path);
  };

  const server = await startFake(handler);
  base = server.url;
  const env = {
    TRUEUP_CONN_AT_USERNAME: credentials.username,
    TRUEUP_CONN_AT_SECRET: credentials.secret,
    TRUEUP_CONN_AT_INTEGRATION_CODE: credentials.integrationCode,
  };
  const productOf = (l: Line): string => {
    const [, itemKey] = KEY[l.kind];
    return String(catalog[l.kind].find((r) => r.id === l.row[itemKey])?.name);
  };
  return {
    ...server,
    credentials,
    env,
    writes,
    adjustments,
    connection: (name = "autotask-test") => ({
      name,
      kind: "autotask",
      settings: { zoneUrl: `${server.url}/atservicesrest` },
      secretEnv: {
        username: "TRUEUP_CONN_AT_USERNAME",
        secret: "TRUEUP_CONN_AT_SECRET",
        integrationCode: "TRUEUP_CONN_AT_INTEGRATION_CODE",
      },
    }),
    throttleNext(count, seconds) {
      throttle = { count, seconds };
    },
    lines: (): FakePsaLine[] =>
      [...lines.values()].map((l) => ({
        id: psaId(l),
        agreement: String(l.row.contractID),
        product: productOf(l),
        quantity: l.periods.length > 0 ? Number(unitsOn(l.periods, today())) : l.seedQuantity,
        unitPrice: l.priceText,
        startDate: l.startDate,
        active: l.periods.length > 0,
      })),
    setQuantity(lineId, quantity) {
      const l = lines.get(lineId);
      if (!l) throw new Error(`no line ${lineId}`);
      if (l.periods.length === 0) addPeriods(l, today(), quantity);
      for (const p of l.periods) if (day(p.endDate) >= today()) p.units = quantity;
    },
  };
}

interface Filter {
  op: string;
  field?: string;
  value?: unknown;
  items?: Filter[];
}

function checkFilter(f: Filter, fields: string[]): string | undefined {
  if (!OPS.has(f.op)) return `Invalid operator: ${f.op}.`;
  if (f.op === "and" || f.op === "or")
    return (f.items ?? []).map((i) => checkFilter(i, fields)).find((m) => m);
  if (!f.field || !fields.includes(f.field)) return `Unable to find ${f.field} in the entity's fields.`;
  if ((f.op === "in" || f.op === "notIn") && !Array.isArray(f.value))
    return `${f.op} takes an array of values.`;
  return undefined;
}

function matches(row: Row, f: Filter): boolean {
  if (f.op === "and") return (f.items ?? []).every((i) => matches(row, i));
  if (f.op === "or") return (f.items ?? []).some((i) => matches(row, i));
  const v = row[f.field ?? ""];
  if (f.op === "exist") return v !== null && v !== undefined;
  if (f.op === "notExist") return v === null || v === undefined;
  if (f.op === "in") return (f.value as unknown[]).some((x) => compare(v, x) === 0);
  if (f.op === "notIn") return !(f.value as unknown[]).some((x) => compare(v, x) === 0);
  const c = compare(v, f.value);
  const ops: Record<string, boolean> = {
    eq: c === 0,
    noteq: c !== 0,
    gt: c > 0,
    gte: c >= 0,
    lt: c < 0,
    lte: c <= 0,
  };
  return Number.isNaN(c) ? f.op === "noteq" : (ops[f.op] ?? false);
}

/** Numbers by value, date-times as instants (no zone = UTC), text case-insensitively, as Autotask. */
function compare(a: unknown, b: unknown): number {
  if (a === null || a === undefined || b === null || b === undefined) return a === b ? 0 : Number.NaN;
  if (typeof a === "number") return a - Number(b);
  const date = /^\d{4}-\d{2}-\d{2}/;
  if (typeof a === "string" && typeof b === "string" && date.test(a) && date.test(b)) {
    const utc = (s: string) => Date.parse(/Z|[+-]\d{2}:\d{2}$/.test(s) || s.length === 10 ? s : `${s}Z`);
    return utc(a) - utc(b);
  }
  return String(a).toLowerCase().localeCompare(String(b).toLowerCase());
}

function unitsOn(periods: Row[], date: string): unknown {
  const started = periods.filter((p) => day(p.startDate) <= date);
  const covering = started.find((p) => day(p.endDate) >= date);
  return (
    (covering ?? started.sort((a, b) => day(b.startDate).localeCompare(day(a.startDate)))[0])?.units ?? 0
  );
}

function pagingOffset(req: FakeRequest): number {
  try {
    const at = JSON.parse(Buffer.from(req.query.get("paging") ?? "", "base64url").toString("utf8")).at;
    return Number.isInteger(at) && at >= 0 ? at : 0;
  } catch {
    return 0;
  }
}

/** Calendar-month periods [start, end] from `from` (its own first period may be short) to `until`. */
function months(from: string, until: string): [string, string][] {
  const out: [string, string][] = [];
  let start = from;
  while (start <= until) {
    const d = new Date(`${start}T00:00:00Z`);
    const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    out.push([start, end]);
    start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  }
  return out;
}

function addMonths(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n + 1, 0)).toISOString().slice(0, 10);
}

/** Seed ids that are whole numbers are Autotask's ids; any other gets a number of its own. */
function idAllocator() {
  const assigned = new Map<string, number>();
  return {
    of(type: string, id: string): number {
      if (/^\d+$/.test(id)) return Number(id);
      const key = `${type}:${id}`;
      if (!assigned.has(key)) assigned.set(key, 900_000 + assigned.size);
      return assigned.get(key) ?? 0;
    },
  };
}

function messages(v: { errors?: { instancePath: string; message?: string }[] | null }): string[] {
  return (v.errors ?? []).map((e) => `${e.instancePath || "body"} ${e.message ?? "is invalid"}`);
}

/** The request models of Autotask's Swagger (ContractServiceAdjustmentModel, ...), closed to other fields. */
function validators() {
  const ajv = new Ajv({ allErrors: true });
  const int = { type: "integer" };
  const num = { type: "number" };
  const dateTime = { type: "string", pattern: DATE_TIME };
  const filter = {
    $id: "filter",
    type: "object",
    required: ["op"],
    additionalProperties: false,
    properties: {
      op: { type: "string" },
      field: { type: "string" },
      udf: { type: "boolean" },
      value: {},
      items: { type: "array", items: { $ref: "filter" } },
    },
  };
  ajv.addSchema(filter);
  const closed = (required: string[], properties: Record<string, unknown>) =>
    ajv.compile({ type: "object", required, additionalProperties: false, properties });
  const adjustment = {
    id: int,
    adjustedUnitPrice: num,
    contractID: int,
    effectiveDate: dateTime,
    quoteItemID: int,
    unitChange: int,
  };
  return {
    query: closed(["filter"], {
      filter: { type: "array", items: { $ref: "filter" } },
      maxRecords: { type: "integer", minimum: 1, maximum: 500 },
      includeFields: { type: "array", items: { type: "string" } },
    }),
    serviceAdjustment: closed(["contractID", "serviceID", "unitChange", "effectiveDate"], {
      ...adjustment,
      adjustedUnitCost: num,
      allowRepeatService: { type: "boolean" },
      contractServiceID: int,
      serviceID: int,
    }),
    bundleAdjustment: closed(["contractID", "serviceBundleID", "unitChange", "effectiveDate"], {
      ...adjustment,
      allowRepeatServiceBundle: { type: "boolean" },
      contractServiceBundleID: int,
      serviceBundleID: int,
    }),
    patch: closed(["id"], { id: int, adjustedPrice: num, invoiceDescription: { type: "string" } }),
  };
}
