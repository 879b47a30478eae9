import { afterEach, describe, expect, it } from "vitest";
import { connectwise } from "../src/connectors/connectwise/index.ts";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, MissingSecretError, UnknownOutcomeError } from "../src/connectors/errors.ts";
import type { Connection, Exchange, PsaLine } from "../src/connectors/types.ts";
import { type CwFake, startConnectwiseFake } from "./fakes/connectwise.ts";
import type { FakePsaSeed } from "./fakes/psa.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
const API = "/v4_6_release/apis/3.0";

const seed: FakePsaSeed = {
  companies: [
    { id: "19300", name: "Acme Corp" },
    { id: "19301", name: "Globex" },
    { id: "19302", name: "Initech" },
  ],
  agreements: [
    { id: "501", company: "19300", name: "Acme Managed", active: true },
    { id: "502", company: "19301", name: "Globex Managed", active: true },
    { id: "503", company: "19300", name: "Acme Old", active: false },
    { id: "504", company: "19302", name: "Initech Managed", active: true },
    { id: "505", company: "19302", name: "Initech Backup", active: true },
  ],
  lines: [
    {
      id: "9001",
      agreement: "501",
      product: "M365-BP",
      quantity: 12,
      unitPrice: "22.50",
      startDate: "2025-01-01",
      active: true,
    },
    {
      id: "9002",
      agreement: "501",
      product: "EDR-S1",
      quantity: 5,
      unitPrice: "0",
      startDate: "2025-01-01",
      active: true,
    },
    {
      id: "9003",
      agreement: "501",
      product: "OLD-AV",
      quantity: 7,
      unitPrice: "3",
      startDate: "2024-01-01",
      active: false,
    },
    {
      id: "9004",
      agreement: "501",
      product: "LATER",
      quantity: 2,
      unitPrice: "10",
      startDate: "2026-09-01",
      active: true,
    },
    {
      id: "9005",
      agreement: "501",
      product: "SRV",
      quantity: 3,
      unitPrice: "95",
      startDate: "2025-03-01",
      active: true,
    },
    {
      id: "9006",
      agreement: "502",
      product: "M365-BP",
      quantity: 3.5,
      unitPrice: "21.99",
      startDate: "2025-02-01",
      active: true,
    },
    {
      id: "9007",
      agreement: "503",
      product: "M365-BP",
      quantity: 40,
      unitPrice: "20",
      startDate: "2023-01-01",
      active: true,
    },
    {
      id: "9008",
      agreement: "504",
      product: "M365-BP",
      quantity: 8,
      unitPrice: "22.50",
      startDate: "2025-05-01",
      active: true,
    },
    {
      id: "9009",
      agreement: "505",
      product: "BACKUP-TB",
      quantity: 1.25,
      unitPrice: "40",
      startDate: "2025-05-01",
      active: true,
    },
  ],
};

let fake: CwFake;
afterEach(() => fake?.close());

async function setup(maxPageSize = 2) {
  fake = await startConnectwiseFake(seed, {
    maxPageSize,
    billCustomer: { "9002": "NoCharge" },
    now: () => NOW,
  });
  return harness(fake.connection());
}

function harness(conn: Connection, env: Record<string, string> = fake.env) {
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const ctx = createContext(conn, {
    env,
    now: () => NOW,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onExchange: (e) => exchanges.push(e),
    timeoutMs: 2000,
  });
  return { conn, ctx, waits, exchanges };
}

const secrets = () => [fake.credentials.publicKey, fake.credentials.privateKey, fake.credentials.clientId];
const byId = (lines: PsaLine[], id: string) => lines.find((l) => l.id === id);

async function lineOf(h: ReturnType<typeof harness>, id: string): Promise<PsaLine> {
  const line = byId((await connectwise.readBilling(h.conn, h.ctx)).lines, id);
  if (!line) throw new Error(`no line ${id}`);
  return line;
}

describe("ConnectWise reading", () => {
  it("reads every page of agreements and additions and keeps only active lines of active agreements", async () => {
    const h = await setup();
    const billing = await connectwise.readBilling(h.conn, h.ctx);
    expect(billing.lines.map((l) => l.id).sort()).toEqual(["9001", "9002", "9005", "9006", "9008", "9009"]);
    expect(billing.agreements.map((a) => a.id)).toEqual(["501", "502", "504", "505"]);
    expect(byId(billing.lines, "9001")).toEqual({
      id: "9001",
      account: "19300",
      agreement: "501",
      agreementName: "Acme Managed",
      product: "M365-BP",
      quantity: "12",
      unitPrice: "22.5",
      startDate: "2025-01-01",
      ref: {
        agreementId: "501",
        additionId: "9001",
        companyIdentifier: "AcmeCorp",
        productId: "100",
        billCustomer: "Billable",
      },
    });
    const agreementPages = fake.requests.filter((r) => r.path === `${API}/finance/agreements`);
    expect(agreementPages.map((r) => r.query.get("page"))).toEqual(["1", "2"]);
    expect(agreementPages[0]?.query.get("conditions")).toBe(
      'agreementStatus="Active" and cancelledFlag=false',
    );
    const additionPages = fake.requests.filter((r) => r.path === `${API}/finance/agreements/501/additions`);
    expect(additionPages.map((r) => r.query.get("page"))).toEqual(["1", "2"]);
    expect(additionPages[0]?.query.get("conditions")).toBe(
      "(cancelledDate=null or cancelledDate>[2026-06-15T12:00:00Z])",
    );
    expect(fake.requests.some((r) => r.path.includes("/503/"))).toBe(false);
  });

  it("keeps decimal quantities exact and counts no-charge tracking lines at their own price", async () => {
    const h = await setup();
    const { lines } = await connectwise.readBilling(h.conn, h.ctx);
    expect(byId(lines, "9006")?.quantity).toBe("3.5");
    expect(byId(lines, "9009")?.quantity).toBe("1.25");
    expect(byId(lines, "9002")).toMatchObject({
      quantity: "5",
      unitPrice: "0",
      ref: { billCustomer: "NoCharge" },
    });
  });

  it("pulls trueup-billing rows with counts", async () => {
    const h = await setup(1000);
    const progress: string[] = [];
    const ctx = createContext(h.conn, { env: fake.env, now: () => NOW, onProgress: (m) => progress.push(m) });
    const result = await connectwise.pull(h.conn, ctx);
    expect(result.rows.billing).toContainEqual({
      account: "19301",
      product: "M365-BP",
      quantity: "3.5",
      unitPrice: "21.99",
      agreement: "502",
      lineId: "9006",
    });
    expect(result.rows.billing).toHaveLength(6);
    expect(result.counts).toEqual({ agreements: 4, additions: 7, lines: 6 });
    expect(progress.length).toBeGreaterThan(0);
  });

  it("works from a bare site URL by adding the API path", async () => {
    const h = await setup();
    const conn = { ...fake.connection(), url: fake.url };
    const { lines } = await connectwise.readBilling(conn, harness(conn).ctx);
    expect(lines).toHaveLength(6);
    expect(h.conn.url).toBe(`${fake.url}${API}`);
  });

  it("refuses a connection without url or companyId, and names a missing secret's variable", async () => {
    const h = await setup();
    const noUrl = { ...h.conn, url: undefined };
    await expect(connectwise.readBilling(noUrl, harness(noUrl).ctx)).rejects.toThrow(
      /cw-test: url is required/,
    );
    const noCompany = { ...h.conn, settings: {} };
    await expect(connectwise.readBilling(noCompany, harness(noCompany).ctx)).rejects.toThrow(
      /companyId is required/,
    );
    const noKey = harness(h.conn, {
      TRUEUP_CONN_CW_PUBLIC_KEY: "PubKeyAbc123",
      TRUEUP_CONN_CW_CLIENT_ID: "x",
    });
    await expect(connectwise.readBilling(noKey.conn, noKey.ctx)).rejects.toBeInstanceOf(MissingSecretError);
  });
});

describe("ConnectWise lines", () => {
  it("readLine reflects the PSA now: a person's edit, a gone line, a cancelled line", async () => {
    const h = await setup();
    const line = await lineOf(h, "9001");
    fake.setQuantity("9001", 14);
    expect((await connectwise.readLine(h.conn, h.ctx, line, "2026-06-01"))?.quantity).toBe("14");
    const gone = { ...line, id: "123456" };
    expect(await connectwise.readLine(h.conn, h.ctx, gone, "2026-06-01")).toBeUndefined();
    const cancelled = { ...line, id: "9003" };
    expect(await connectwise.readLine(h.conn, h.ctx, cancelled, "2026-06-01")).toBeUndefined();
  });

  it("writeLine sends one JSON Patch and changes exactly the target line", async () => {
    const h = await setup();
    const line = await lineOf(h, "9001");
    const before = fake.lines();
    await connectwise.writeLine(h.conn, h.ctx, line, line, { quantity: "15", effective: "2026-07-01" });
    const patch = fake.requests.filter((r) => r.method === "PATCH");
    expect(patch).toHaveLength(1);
    expect(patch[0]?.path).toBe(`${API}/finance/agreements/501/additions/9001`);
    expect(patch[0]?.body).toEqual([{ op: "replace", path: "quantity", value: 15 }]);
    expect(fake.writes).toEqual([{ line: "9001", op: "set", value: 15 }]);
    const after = fake.lines();
    expect(after.filter((l) => l.id !== "9001")).toEqual(before.filter((l) => l.id !== "9001"));
    expect(byId(after as unknown as PsaLine[], "9001")).toMatchObject({ quantity: 15, unitPrice: "22.50" });
    expect((await connectwise.readLine(h.conn, h.ctx, line, "2026-07-01"))?.quantity).toBe("15");
  });

  it("writeLine sets the unit price too when the plan gives one, as exact decimals", async () => {
    const h = await setup();
    const line = await lineOf(h, "9006");
    await connectwise.writeLine(h.conn, h.ctx, line, line, {
      quantity: "4.5",
      unitPrice: "23.75",
      effective: "2026-07-01",
    });
    const read = await connectwise.readLine(h.conn, h.ctx, line, "2026-07-01");
    expect(read).toMatchObject({ quantity: "4.5", unitPrice: "23.75" });
    await expect(
      connectwise.writeLine(h.conn, h.ctx, line, line, {
        quantity: "12345678901234567.891",
        effective: "2026-07-01",
      }),
    ).rejects.toThrow(/cw-test: quantity .* exactly/);
    expect(fake.writes).toHaveLength(1);
  });

  it("createLine creates a billable line that findLines then finds, also before it starts", async () => {
    const h = await setup();
    const newLine = {
      account: "19301",
      agreement: "502",
      product: "EDR-S1",
      quantity: "3",
      unitPrice: "6.50",
      effective: "2026-07-01",
    };
    expect(await connectwise.findLines(h.conn, h.ctx, "502", "EDR-S1", "2026-07-01")).toEqual([]);
    await connectwise.createLine(h.conn, h.ctx, newLine);
    const post = fake.requests.find((r) => r.method === "POST");
    expect(post?.body).toEqual({
      product: { identifier: "EDR-S1" },
      quantity: 3,
      unitPrice: 6.5,
      billCustomer: "Billable",
      effectiveDate: "2026-07-01T00:00:00Z",
    });
    const found = await connectwise.findLines(h.conn, h.ctx, "502", "EDR-S1", "2026-07-01");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      account: "19301",
      agreement: "502",
      agreementName: "Globex Managed",
      quantity: "3",
    });
    expect(fake.writes).toEqual([{ line: found[0]?.id, op: "create", value: 3 }]);
    const search = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith("/502/additions"));
    expect(search.at(-1)?.query.get("conditions")).toBe(
      'product/identifier="EDR-S1" and (cancelledDate=null or cancelledDate>[2026-07-01T00:00:00Z])',
    );
    // Not started today: not billed yet, but found for its own effective date.
    expect(byId((await connectwise.readBilling(h.conn, h.ctx)).lines, found[0]?.id ?? "")).toBeUndefined();
  });

  it("findLines returns only active lines of that product in that agreement", async () => {
    const h = await setup();
    const found = await connectwise.findLines(h.conn, h.ctx, "501", "M365-BP", "2026-06-01");
    expect(found.map((l) => l.id)).toEqual(["9001"]);
    expect(await connectwise.findLines(h.conn, h.ctx, "501", "OLD-AV", "2026-06-01")).toEqual([]);
    expect(
      (await connectwise.findLines(h.conn, h.ctx, "501", "LATER", "2026-09-01")).map((l) => l.id),
    ).toEqual(["9004"]);
  });
});

describe("ConnectWise failures", () => {
  it("a bad key answers 401: the error names the connection and path, and holds no secret", async () => {
    const h = await setup();
    const wrong = harness(h.conn, { ...fake.env, TRUEUP_CONN_CW_PRIVATE_KEY: "WrongPrivateKey42" });
    const error = await connectwise.readBilling(wrong.conn, wrong.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    const message = (error as Error).message;
    expect(message).toMatch(/^cw-test: GET \/v4_6_release\/apis\/3\.0\/finance\/agreements answered 401/);
    expect(message).toMatch(/check companyId, publicKey, privateKey and clientId/);
    for (const s of [...secrets(), "WrongPrivateKey42"]) expect(message).not.toContain(s);
  });

  it("a missing clientId header is refused too", async () => {
    await setup();
    const res = await fetch(`${fake.url}${API}/finance/agreements`, {
      headers: {
        authorization: `Basic ${Buffer.from(`trueup_test+${fake.credentials.publicKey}:${fake.credentials.privateKey}`).toString("base64")}`,
      },
    });
    expect(res.status).toBe(401);
  });

  it("waits what Retry-After says on 429 and then reads on", async () => {
    const h = await setup();
    fake.throttleNext(2, 7);
    const { lines } = await connectwise.readBilling(h.conn, h.ctx);
    expect(lines).toHaveLength(6);
    expect(h.waits).toEqual([7000, 7000]);
  });

  it("a pull failing on page 2 of agreements throws, names connection and path, and returns nothing", async () => {
    const h = await setup();
    fake.setFaults({
      rate: 1,
      seed: 3,
      kinds: ["500"],
      only: (r) => r.path.endsWith("/finance/agreements") && r.query.get("page") === "2",
    });
    const error = await connectwise.pull(h.conn, h.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      /^cw-test: GET \/v4_6_release\/apis\/3\.0\/finance\/agreements answered 500/,
    );
    expect(h.waits.length).toBe(5);
    for (const s of secrets()) expect((error as Error).message).not.toContain(s);
  });

  it("a pull failing on the additions of a later agreement throws and returns nothing", async () => {
    const h = await setup();
    fake.setFaults({
      rate: 1,
      seed: 4,
      kinds: ["500"],
      only: (r) => r.path.endsWith("/finance/agreements/504/additions"),
    });
    const progress: string[] = [];
    const ctx = createContext(h.conn, {
      env: fake.env,
      now: () => NOW,
      sleep: async () => {},
      onProgress: (m) => progress.push(m),
    });
    await expect(connectwise.pull(h.conn, ctx)).rejects.toThrow(
      /^cw-test: GET \/v4_6_release\/apis\/3\.0\/finance\/agreements\/504\/additions answered 500/,
    );
    expect(progress).toContain("additions: agreement 2 of 4");
  });

  it("a PATCH whose answer is lost throws UnknownOutcomeError, and the PSA shows it applied once", async () => {
    const h = await setup();
    const line = await lineOf(h, "9005");
    fake.setFaults({ rate: 1, seed: 1, kinds: ["drop-after"], only: (r) => r.method === "PATCH" });
    await expect(
      connectwise.writeLine(h.conn, h.ctx, line, line, { quantity: "4", effective: "2026-07-01" }),
    ).rejects.toBeInstanceOf(UnknownOutcomeError);
    fake.setFaults(undefined);
    expect(fake.writes).toEqual([{ line: "9005", op: "set", value: 4 }]);
    expect((await connectwise.readLine(h.conn, h.ctx, line, "2026-07-01"))?.quantity).toBe("4");
  });

  it("a POST whose answer is lost throws UnknownOutcomeError, and findLines sees the one line", async () => {
    const h = await setup();
    fake.setFaults({ rate: 1, seed: 1, kinds: ["drop-after"], only: (r) => r.method === "POST" });
    const newLine = {
      account: "19302",
      agreement: "504",
      product: "SRV",
      quantity: "1",
      unitPrice: "95",
      effective: "2026-06-01",
    };
    await expect(connectwise.createLine(h.conn, h.ctx, newLine)).rejects.toBeInstanceOf(UnknownOutcomeError);
    fake.setFaults(undefined);
    expect(fake.writes.filter((w) => w.op === "create")).toHaveLength(1);
    expect(await connectwise.findLines(h.conn, h.ctx, "504", "SRV", "2026-06-01")).toHaveLength(1);
  });

  it("no secret value appears in any exchange or error", async () => {
    const h = await setup();
    const line = await lineOf(h, "9001");
    await connectwise.writeLine(h.conn, h.ctx, line, line, { quantity: "13", effective: "2026-07-01" });
    await connectwise.createLine(h.conn, h.ctx, {
      ...line,
      product: "NEW",
      quantity: "1",
      unitPrice: "2",
      effective: "2026-07-01",
    });
    const wrong = harness(h.conn, { ...fake.env, TRUEUP_CONN_CW_CLIENT_ID: "not-the-client-id" });
    const error = await connectwise.readBilling(wrong.conn, wrong.ctx).catch((e: unknown) => String(e));
    const basic = Buffer.from(
      `trueup_test+${fake.credentials.publicKey}:${fake.credentials.privateKey}`,
    ).toString("base64");
    const seen = JSON.stringify([h.exchanges, wrong.exchanges, error]);
    expect(h.exchanges.length).toBeGreaterThan(5);
    for (const s of [...secrets(), basic, "not-the-client-id"]) expect(seen).not.toContain(s);
  });
});

describe("the ConnectWise fake", () => {
  const auth = () => ({
    authorization: `Basic ${Buffer.from(`trueup_test+${fake.credentials.publicKey}:${fake.credentials.privateKey}`).toString("base64")}`,
    clientId: fake.credentials.clientId,
    "content-type": "application/json",
  });

  it("refuses a POST missing billCustomer or with a misspelt field, in ConnectWise's error shape", async () => {
    await setup();
    const url = `${fake.url}${API}/finance/agreements/501/additions`;
    const missing = await fetch(url, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ product: { identifier: "X" } }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      code: "InvalidObject",
      errors: [{ field: "billCustomer" }],
    });
    const misspelt = { product: { identifier: "X" }, billCustomer: "Billable", qty: 3 };
    const bad = await fetch(url, { method: "POST", headers: auth(), body: JSON.stringify(misspelt) });
    expect(bad.status).toBe(400);
    expect(fake.writes).toEqual([]);
  });

  it("refuses a PATCH that is not JSON Patch or names a field additions don't have", async () => {
    await setup();
    const url = `${fake.url}${API}/finance/agreements/501/additions/9001`;
    for (const body of [
      { quantity: 3 },
      [{ op: "replace", path: "qty", value: 3 }],
      [{ op: "replace", path: "quantity", value: "3" }],
    ]) {
      const res = await fetch(url, { method: "PATCH", headers: auth(), body: JSON.stringify(body) });
      expect(res.status).toBe(400);
    }
    expect(fake.writes).toEqual([]);
  });

  it("applies conditions and refuses unknown fields in them", async () => {
    await setup(1000);
    const get = (conditions: string) =>
      fetch(`${fake.url}${API}/finance/agreements?conditions=${encodeURIComponent(conditions)}`, {
        headers: auth(),
      });
    const globex = await get('company/identifier="Globex" and (agreementStatus="Active" or id=503)');
    expect(((await globex.json()) as { id: number }[]).map((a) => a.id)).toEqual([502]);
    expect((await get('agreementStatuz="Active"')).status).toBe(400);
  });
});
