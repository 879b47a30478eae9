import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, UnknownOutcomeError } from "../src/connectors/errors.ts";
import { HALO_RATE_LIMIT, haloClient } from "../src/connectors/halopsa/client.ts";
import { halopsa } from "../src/connectors/halopsa/index.ts";
import type { Connection, Exchange, PsaLine } from "../src/connectors/types.ts";
import { type HaloFake, type HaloFakeOptions, startHalopsaFake } from "./fakes/halopsa.ts";
import type { FakePsaLine, FakePsaSeed } from "./fakes/psa.ts";
import type { FakeRequest } from "./fakes/server.ts";

/** A seed line: id, recurring invoice, item code, quantity, unit price, start date, active. */
function line(
  id: string,
  agreement: string,
  product: string,
  quantity: number,
  unitPrice: string,
  startDate: string,
  active = true,
): FakePsaLine {
  return { id, agreement, product, quantity, unitPrice, startDate, active };
}

const SEED: FakePsaSeed = {
  companies: [
    { id: "11", name: "Acme" },
    { id: "12", name: "Globex" },
    { id: "13", name: "Initech" },
  ],
  agreements: [
    { id: "101", company: "11", name: "Acme managed services", active: true },
    { id: "102", company: "12", name: "Globex monthly", active: true },
    { id: "103", company: "12", name: "Globex (old)", active: false },
    { id: "104", company: "13", name: "Initech", active: true },
    { id: "105", company: "11", name: "Acme backup", active: true },
  ],
  lines: [
    line("1001", "101", "M365-BP", 12, "22.00", "2024-01-01"),
    line("1002", "101", "EDR", 15, "4.50", "2024-01-01"),
    line("1003", "101", "OLD-AV", 10, "3.00", "2023-01-01", false),
    line("1004", "102", "M365-BP", 30, "21.5", "2024-03-01"),
    line("1005", "103", "M365-BP", 5, "20.00", "2022-01-01"),
    line("1006", "104", "EDR", 7, "5.00", "2024-05-01"),
    line("1007", "105", "BACKUP", 3, "10.00", "2099-01-01"),
    line("1008", "104", "M365-E3", 2, "36.00", "2024-05-01"),
  ],
};

let fakes: HaloFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

/** A virtual clock shared by the fake and the context: sleeping moves it, nothing really waits. */
function clock(start = "2025-06-15T12:00:00Z") {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

async function setup(options: HaloFakeOptions = {}, env?: Record<string, string>) {
  const c = clock();
  const fake = await startHalopsaFake(SEED, { now: c.now, ...options });
  fakes.push(fake);
  const conn = fake.connection();
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env: env ?? fake.env,
    now: c.now,
    sleep: async (ms) => {
      waits.push(ms);
      c.advance(ms);
    },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    timeoutMs: 2000,
  });
  return { fake, conn, ctx, waits, exchanges, progress, clock: c };
}

const listPages = (fake: HaloFake) =>
  fake.requests.filter((r) => r.method === "GET" && r.path === "/api/RecurringInvoice");

async function lineOf(s: Awaited<ReturnType<typeof setup>>, id: string): Promise<PsaLine> {
  const billing = await halopsa.readBilling(s.conn, s.ctx);
  const line = billing.lines.find((l) => l.id === id);
  if (!line) throw new Error(`line ${id} not read`);
  return line;
}

describe("halopsa: reading recurring invoices", () => {
  it("reads every page and keeps only active lines of active recurring invoices", async () => {
    const s = await setup();
    const billing = await halopsa.readBilling(s.conn, s.ctx);
    expect(billing.lines.map((l) => l.id).sort()).toEqual(["1001", "1002", "1004", "1006", "1008"]);
    expect(billing.agreements.map((a) => a.id)).toEqual(["101", "102", "104", "105"]);
    expect(billing.counts).toEqual({ recurringInvoices: 5, activeRecurringInvoices: 4, lines: 5 });
    const pages = listPages(s.fake);
    expect(pages.map((r) => r.query.get("page_no"))).toEqual(["1", "2", "3"]);
    for (const r of pages) {
      expect(r.query.get("pageinate")).toBe("true");
      expect(r.query.get("includelines")).toBe("true");
    }
    expect(s.progress.length).toBe(3);
  });

  it("gives each line Halo's ids, the client as account and the item code as product", async () => {
    const s = await setup();
    expect(await lineOf(s, "1004")).toEqual({
      id: "1004",
      account: "12",
      agreement: "102",
      agreementName: "Globex monthly",
      product: "M365-BP",
      quantity: "30",
      unitPrice: "21.5",
      startDate: "2024-03-01",
      ref: { ihid: "102", clientName: "Globex" },
    });
  });

  it("drops a line once its end date has passed", async () => {
    const s = await setup();
    s.fake.endLine("1008", "2025-06-14");
    const billing = await halopsa.readBilling(s.conn, s.ctx);
    expect(billing.lines.map((l) => l.id)).not.toContain("1008");
  });

  it("pulls trueup-billing rows with the line id", async () => {
    const s = await setup();
    const result = await halopsa.pull(s.conn, s.ctx);
    expect(result.rows.billing).toContainEqual({
      account: "11",
      product: "EDR",
      quantity: "15",
      unitPrice: "4.5",
      agreement: "101",
      lineId: "1002",
    });
    expect(result.rows.billing).toHaveLength(5);
    expect(result.counts.lines).toBe(5);
  });

  it("fails the whole pull, naming connection and path, when a page keeps failing", async () => {
    const s = await setup();
    s.fake.setFaults({ rate: 1, seed: 3, kinds: ["500"], only: (r) => r.query.get("page_no") === "3" });
    const err = await halopsa.pull(s.conn, s.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    const message = (err as Error).message;
    expect(message).toContain("halo-test");
    expect(message).toMatch(/halo-test: GET (\/api)?\/RecurringInvoice answered 500/);
    expect(message).not.toContain(s.fake.clientSecret);
  });

  it("reports a missing url and a missing secret clearly", async () => {
    const s = await setup();
    const noUrl: Connection = { ...s.conn, url: undefined };
    await expect(halopsa.readBilling(noUrl, s.ctx)).rejects.toThrow(/halo-test: no url/);
    const s2 = await setup({}, { TRUEUP_CONN_HALO_CLIENT_ID: "x" });
    await expect(halopsa.readBilling(s2.conn, s2.ctx)).rejects.toThrow(/clientSecret.*HALO_CLIENT_SECRET/);
  });
});

describe("halopsa: writing quantities", () => {
  it("sets the quantity of exactly the target line", async () => {
    const s = await setup();
    const before = s.fake.lines();
    const line = await lineOf(s, "1002");
    await halopsa.writeLine(s.conn, s.ctx, line, line, { quantity: "20", effective: "2025-07-01" });
    const after = s.fake.lines();
    expect(after.filter((l, i) => JSON.stringify(l) !== JSON.stringify(before[i]))).toEqual([
      { ...before.find((l) => l.id === "1002"), quantity: 20 },
    ]);
    expect(s.fake.writes).toEqual([{ line: "1002", op: "set", value: 20 }]);
    const sent = s.fake.requests.find((r) => r.path === "/api/RecurringInvoice/updatelines");
    expect(sent?.body).toEqual([{ id: 1002, ihid: 101, qty_order: 20 }]);
  });

  it("sets the unit price too when the target has one", async () => {
    const s = await setup();
    const line = await lineOf(s, "1001");
    await halopsa.writeLine(s.conn, s.ctx, line, line, {
      quantity: "13",
      unitPrice: "23.75",
      effective: "2025-07-01",
    });
    expect(s.fake.lines().find((l) => l.id === "1001")).toMatchObject({ quantity: 13, unitPrice: "23.75" });
  });

  it("re-reads a line as it stands now, after writes and after edits in Halo", async () => {
    const s = await setup();
    const line = await lineOf(s, "1001");
    await halopsa.writeLine(s.conn, s.ctx, line, line, { quantity: "14", effective: "2025-07-01" });
    expect((await halopsa.readLine(s.conn, s.ctx, line, "2025-07-01"))?.quantity).toBe("14");
    s.fake.setQuantity("1001", 9);
    expect((await halopsa.readLine(s.conn, s.ctx, line, "2025-07-01"))?.quantity).toBe("9");
    s.fake.endLine("1001", "2025-06-01");
    expect(await halopsa.readLine(s.conn, s.ctx, line, "2025-07-01")).toBeUndefined();
  });

  it("reads no line from a recurring invoice that is gone or disabled", async () => {
    const s = await setup();
    const line = await lineOf(s, "1001");
    expect(
      await halopsa.readLine(s.conn, s.ctx, { ...line, ref: { ihid: "999" } }, "2025-07-01"),
    ).toBeUndefined();
    expect(await halopsa.findLines(s.conn, s.ctx, "103", "M365-BP", "2025-07-01")).toEqual([]);
  });

  it("creates a line that findLines then finds, even when it starts next month", async () => {
    const s = await setup();
    const newLine = {
      account: "12",
      agreement: "102",
      product: "EDR",
      quantity: "30",
      unitPrice: "4.50",
      effective: "2025-07-01",
    };
    expect(await halopsa.findLines(s.conn, s.ctx, "102", "EDR", "2025-07-01")).toEqual([]);
    await halopsa.createLine(s.conn, s.ctx, newLine);
    const found = await halopsa.findLines(s.conn, s.ctx, "102", "EDR", "2025-07-01");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      product: "EDR",
      quantity: "30",
      unitPrice: "4.5",
      startDate: "2025-07-01",
    });
    expect(s.fake.writes).toEqual([{ line: found[0]?.id, op: "create", value: 30 }]);
    // Not billing yet today: the pull leaves it out until its start date.
    const today = await halopsa.readBilling(s.conn, s.ctx);
    expect(today.lines.map((l) => l.id)).not.toContain(found[0]?.id);
  });

  it("throws UnknownOutcomeError when the answer to a write is lost, and the write applied once", async () => {
    const s = await setup();
    const line = await lineOf(s, "1006");
    s.fake.setFaults({
      rate: 1,
      seed: 5,
      kinds: ["drop-after"],
      only: (r) => r.path.endsWith("/updatelines"),
    });
    const err = await halopsa
      .writeLine(s.conn, s.ctx, line, line, { quantity: "8", effective: "2025-07-01" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    s.fake.setFaults(undefined);
    expect(s.fake.writes).toEqual([{ line: "1006", op: "set", value: 8 }]);
    expect(s.fake.requests.filter((r) => r.path.endsWith("/updatelines"))).toHaveLength(1);
    expect((await halopsa.readLine(s.conn, s.ctx, line, "2025-07-01"))?.quantity).toBe("8");
  });

  it("is refused by the fake when a body does not match Halo's InvoiceDetail schema", async () => {
    const s = await setup();
    const client = haloClient(s.conn, s.ctx);
    await expect(client.updateLines([{ id: 1001, ihid: 101, quantity: 3 }])).rejects.toThrow(
      /answered 400.*must NOT have additional properties/,
    );
    await expect(client.updateLines([{ id: "1001", ihid: 101, qty_order: 3 }])).rejects.toThrow(
      /must be integer/,
    );
    expect(s.fake.writes).toEqual([]);
  });

  it("refuses a price it cannot send exactly, before sending anything", async () => {
    const s = await setup();
    const line = await lineOf(s, "1001");
    const target = { quantity: "12", unitPrice: "0.12345678901234567891", effective: "2025-07-01" };
    await expect(halopsa.writeLine(s.conn, s.ctx, line, line, target)).rejects.toThrow(
      /halo-test.*unit price/,
    );
    expect(s.fake.requests.filter((r) => r.path.endsWith("/updatelines"))).toHaveLength(0);
  });
});

describe("halopsa: authentication and limits", () => {
  it("fails with a clear error on bad credentials, naming the connection and never the secret", async () => {
    const wrong = {
      TRUEUP_CONN_HALO_CLIENT_ID: "halo-client-7f3a",
      TRUEUP_CONN_HALO_CLIENT_SECRET: "wrong-secret-value",
    };
    const s = await setup({}, wrong);
    const err = await halopsa.readBilling(s.conn, s.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).status).toBe(401);
    expect((err as Error).message).toMatch(/^halo-test: POST \S*\/auth\/token answered 401: invalid_client$/);
    expect((err as Error).message).not.toContain("wrong-secret-value");
  });

  it("sends the tenant of a hosted instance in the token request's query", async () => {
    const s = await setup({ tenant: "acme" });
    await halopsa.readBilling(s.conn, s.ctx);
    const tokenRequest = s.fake.requests.find((r) => r.path === "/auth/token");
    expect(tokenRequest?.query.get("tenant")).toBe("acme");
    expect(tokenRequest?.body).toMatchObject({ grant_type: "client_credentials", scope: "all" });
    const untenanted = { ...s.conn, name: "no-tenant", settings: {} };
    await expect(halopsa.readBilling(untenanted, s.ctx)).rejects.toThrow(
      /no-tenant: POST \S*\/auth\/token answered 400: Tenant not found/,
    );
  });

  it("fetches a new token when Halo rejects the old one", async () => {
    const s = await setup();
    await halopsa.readBilling(s.conn, s.ctx);
    s.fake.expireTokens();
    const billing = await halopsa.readBilling(s.conn, s.ctx);
    expect(billing.lines).toHaveLength(5);
    expect(s.fake.tokensIssued()).toBe(2);
    expect(
      s.fake.requests.some((r) => r.path.startsWith("/api/") && r.headers.authorization === undefined),
    ).toBe(false);
  });

  it("renews a token before it expires and reuses it until then", async () => {
    const s = await setup({ tokenSeconds: 120 });
    await halopsa.readBilling(s.conn, s.ctx);
    await halopsa.readBilling(s.conn, s.ctx);
    expect(s.fake.tokensIssued()).toBe(1);
    s.clock.advance(90_000);
    await halopsa.readBilling(s.conn, s.ctx);
    expect(s.fake.tokensIssued()).toBe(2);
    expect(
      s.fake.requests.filter((r) => r.path.startsWith("/api/")).every((r) => r.headers.authorization),
    ).toBe(true);
  });

  it("waits what Retry-After says on a 429, then carries on", async () => {
    const s = await setup();
    let once = false;
    const only = (r: FakeRequest) => {
      if (once || r.query.get("page_no") !== "2") return false;
      once = true;
      return true;
    };
    s.fake.setFaults({ rate: 1, seed: 9, kinds: ["429"], retryAfter: 7, only });
    const billing = await halopsa.readBilling(s.conn, s.ctx);
    expect(billing.lines).toHaveLength(5);
    expect(s.waits).toEqual([7000]);
  });

  it("honours Halo's rolling-window limit when the instance answers 429", async () => {
    const s = await setup({ rateLimit: { limit: 3, windowMs: 60_000 } });
    const billing = await halopsa.readBilling(s.conn, s.ctx);
    expect(billing.lines).toHaveLength(5);
    expect(s.waits).toEqual([60_000]);
    const limited = s.exchanges.filter((e) => e.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0]?.responseBody).toBe("Rate Limit Reached - 3 Requests per rolling 1 minute window");
  });

  it("spaces its own requests to stay within 300 per 5 minutes", async () => {
    const s = await setup();
    for (let i = 0; i <= HALO_RATE_LIMIT.limit; i++)
      await halopsa.findLines(s.conn, s.ctx, "101", "EDR", "2025-07-01");
    expect(s.waits).toEqual([HALO_RATE_LIMIT.windowMs]);
  });
});

describe("halopsa: secrets", () => {
  it("never lets a secret or token into an exchange or an error", async () => {
    const s = await setup();
    const errors: string[] = [];
    const line = await lineOf(s, "1001");
    await halopsa.writeLine(s.conn, s.ctx, line, line, { quantity: "11", effective: "2025-07-01" });
    const newLine = {
      account: "13",
      agreement: "104",
      product: "BACKUP",
      quantity: "1",
      unitPrice: "9",
      effective: "2025-06-15",
    };
    await halopsa.createLine(s.conn, s.ctx, newLine);
    s.fake.expireTokens();
    await halopsa.readLine(s.conn, s.ctx, line, "2025-07-01");
    s.fake.setFaults({ rate: 1, seed: 2, kinds: ["500"], only: (r) => r.path.startsWith("/api/") });
    await halopsa.pull(s.conn, s.ctx).catch((e: unknown) => errors.push(String(e)));
    const tokens = s.fake.requests
      .map((r) => r.headers.authorization?.replace("Bearer ", ""))
      .filter((t): t is string => !!t);
    expect(tokens.length).toBeGreaterThan(0);
    const seen = JSON.stringify(s.exchanges) + errors.join("\n");
    for (const secret of [s.fake.clientSecret, s.fake.clientId, ...new Set(tokens)])
      expect(seen).not.toContain(secret);
    expect(errors).toHaveLength(1);
  });
});
