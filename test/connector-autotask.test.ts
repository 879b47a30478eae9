import { afterEach, describe, expect, it } from "vitest";
import { autotask } from "../src/connectors/autotask/index.ts";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, UnknownOutcomeError } from "../src/connectors/errors.ts";
import type { Connection, Exchange, PsaLine } from "../src/connectors/types.ts";
import { type AtFakeOptions, type AutotaskFake, startAutotaskFake } from "./fakes/autotask.ts";
import type { FakePsaSeed } from "./fakes/psa.ts";

const NOW = new Date("2025-06-15T10:00:00Z");

function seed(): FakePsaSeed {
  const line = (
    id: string,
    agreement: string,
    product: string,
    quantity: number,
    unitPrice: string,
    startDate = "2024-01-01",
  ) => ({
    ...{ id, agreement, product, quantity, unitPrice, startDate },
    active: true,
  });
  return {
    companies: [
      { id: "101", name: "Acme" },
      { id: "102", name: "Beta" },
      { id: "103", name: "Gamma" },
    ],
    agreements: [
      { id: "201", company: "101", name: "Acme Managed Services", active: true },
      { id: "202", company: "102", name: "Beta Managed", active: true },
      { id: "203", company: "103", name: "Gamma (ended)", active: false },
      { id: "204", company: "101", name: "Acme Block Hours", active: true },
    ],
    lines: [
      line("301", "201", "M365 Business Premium", 25, "22.00"),
      line("302", "201", "Managed Workstation", 30, "45.50", "2024-03-15"),
      line("303", "201", "Backup Bundle", 5, "12.25"),
      { ...line("304", "201", "Old Antivirus", 10, "3.00"), active: false },
      line("305", "202", "M365 Business Premium", 8, "22.00", "2025-02-01"),
      line("306", "203", "Managed Server", 2, "99.00"),
      line("307", "204", "Managed Server", 3, "99.00"),
      ...Array.from({ length: 7 }, (_, i) =>
        line(String(310 + i), "202", `Seat Pack ${i}`, i + 1, "5.00", "2025-05-01"),
      ),
    ],
  };
}

const BASE_OPTIONS: AtFakeOptions = {
  pageSize: 4,
  bundles: ["Backup Bundle"],
  contractTypes: { "204": 4 },
};

let fake: AutotaskFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A fake and a context sharing one clock, which only the fake sleep moves. */
async function setup(options: AtFakeOptions = {}) {
  let clock = NOW.getTime();
  const now = () => new Date(clock);
  fake = await startAutotaskFake(seed(), { ...BASE_OPTIONS, now, ...options });
  const conn = fake.connection();
  const exchanges: Exchange[] = [];
  const waits: number[] = [];
  const ctx = createContext(conn, {
    env: fake.env,
    onExchange: (e) => exchanges.push(e),
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    now,
  });
  return { fake, conn, ctx, exchanges, waits };
}

async function lineById(s: Awaited<ReturnType<typeof setup>>, id: string): Promise<PsaLine> {
  const billing = await autotask.readBilling(s.conn, s.ctx);
  const found = billing.lines.find((l) => l.id === id);
  if (!found) throw new Error(`line ${id} not read`);
  return found;
}

describe("autotask readBilling", () => {
  it("follows nextPageUrl by POST over several pages and keeps only active lines of active recurring contracts", async () => {
    const s = await setup();
    const billing = await autotask.readBilling(s.conn, s.ctx);
    expect(billing.agreements.map((a) => a.id).sort()).toEqual(["201", "202"]);
    const ids = billing.lines.map((l) => l.id).sort();
    expect(ids).toEqual(["301", "302", "305", "310", "311", "312", "313", "314", "315", "316", "bundle-303"]);
    const next = s.fake.requests.filter((r) => r.path.endsWith("/query/next"));
    expect(next.length).toBeGreaterThan(3);
    expect(
      next.every((r) => r.method === "POST" && Array.isArray((r.body as { filter?: unknown }).filter)),
    ).toBe(true);
    const contractsQuery = s.fake.requests.find((r) => r.path.endsWith("/Contracts/query"));
    expect(contractsQuery?.body).toEqual({
      filter: [
        { op: "eq", field: "contractType", value: 7 },
        { op: "eq", field: "status", value: 1 },
      ],
    });
    expect(billing.counts).toMatchObject({ contracts: 2, lines: 11 });
  });

  it("maps a contract service to a line with the units of today's period, its price and the ids to write", async () => {
    const s = await setup();
    const line = await lineById(s, "302");
    expect(line).toEqual({
      id: "302",
      account: "101",
      agreement: "201",
      agreementName: "Acme Managed Services",
      product: "Managed Workstation",
      quantity: "30",
      unitPrice: "45.5",
      startDate: "2024-03-15",
      ref: {
        kind: "service",
        contractID: "201",
        contractServiceID: "302",
        serviceID: expect.any(String),
        unitCost: "0",
      },
    });
    const bundle = await lineById(s, "bundle-303");
    expect(bundle).toMatchObject({ product: "Backup Bundle", quantity: "5", unitPrice: "12.25" });
    expect(bundle.ref).toMatchObject({ kind: "bundle", contractServiceBundleID: "303" });
  });

  it("pull gives trueup-billing rows", async () => {
    const s = await setup();
    const result = await autotask.pull(s.conn, s.ctx);
    const rows = result.rows.billing ?? [];
    expect(rows).toHaveLength(11);
    expect(rows.find((r) => r.lineId === "305")).toEqual({
      account: "102",
      product: "M365 Business Premium",
      quantity: "8",
      unitPrice: "22",
      agreement: "Beta Managed",
      lineId: "305",
    });
  });

  it("looks up the zone when no url is set, and goes straight to the url when it is", async () => {
    const s = await setup();
    await autotask.readBilling(s.conn, s.ctx);
    expect(s.fake.requests[0]?.path).toBe("/atservicesrest/V1.0/ZoneInformation");
    expect(s.fake.requests[0]?.query.get("user")).toBe(s.fake.credentials.username);
    const direct: Connection = {
      ...s.fake.connection("direct"),
      url: `${s.fake.url}/atservicesrest`,
      settings: {},
    };
    const before = s.fake.requests.length;
    await autotask.readBilling(direct, createContext(direct, { env: s.fake.env, now: () => NOW }));
    expect(s.fake.requests.slice(before).some((r) => r.path.endsWith("ZoneInformation"))).toBe(false);
  });
});

describe("autotask writes", () => {
  it("writeLine sends the difference as one adjustment and readLine sees it from the effective period on", async () => {
    const s = await setup();
    const line = await lineById(s, "302");
    await autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "35", effective: "2025-07-01" });
    expect(s.fake.adjustments).toEqual([
      {
        contractID: 201,
        unitChange: 5,
        effectiveDate: "2025-07-01T00:00:00",
        adjustedUnitPrice: 45.5,
        contractServiceID: 302,
        serviceID: Number(line.ref.serviceID),
        adjustedUnitCost: 0,
      },
    ]);
    expect(s.fake.writes).toEqual([{ line: "302", op: "adjust", value: 5 }]);
    expect((await autotask.readLine(s.conn, s.ctx, line, "2025-07-01"))?.quantity).toBe("35");
    expect((await autotask.readLine(s.conn, s.ctx, line, "2025-06-15"))?.quantity).toBe("30");
    const july = await autotask.readBilling(s.conn, s.ctx, "2025-07-01");
    expect(july.lines.find((l) => l.id === "302")?.quantity).toBe("35");
    expect((await lineById(s, "302")).quantity).toBe("30");
  });

  it("writeLine changes exactly the target line", async () => {
    const s = await setup();
    const before = s.fake.lines();
    const line = await lineById(s, "301");
    await autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "20", effective: "2025-06-15" });
    const after = s.fake.lines();
    const changed = after.filter((l, i) => JSON.stringify(l) !== JSON.stringify(before[i]));
    expect(changed).toEqual([{ ...before.find((l) => l.id === "301"), quantity: 20 }]);
    expect((await autotask.readLine(s.conn, s.ctx, line, "2025-06-15"))?.quantity).toBe("20");
  });

  it("writeLine on a bundle sends a ContractServiceBundleAdjustment", async () => {
    const s = await setup();
    const line = await lineById(s, "bundle-303");
    await autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "3", effective: "2025-06-15" });
    const post = s.fake.requests.find(
      (r) => r.method === "POST" && r.path.endsWith("/ContractServiceBundleAdjustments"),
    );
    expect(post?.body).toMatchObject({
      contractServiceBundleID: 303,
      unitChange: -2,
      adjustedUnitPrice: 12.25,
    });
    expect((await autotask.readLine(s.conn, s.ctx, line, "2025-06-15"))?.quantity).toBe("3");
  });

  it("writeLine sets a new price with the quantity, patches a price alone, and sends nothing when nothing changes", async () => {
    const s = await setup();
    const line = await lineById(s, "301");
    await autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "25", effective: "2025-06-15" });
    expect(s.fake.writes).toEqual([]);
    await autotask.writeLine(s.conn, s.ctx, line, line, {
      quantity: "25",
      unitPrice: "23.50",
      effective: "2025-06-15",
    });
    expect(s.fake.adjustments).toEqual([]);
    expect(s.fake.writes).toEqual([{ line: "301", op: "set", value: 23.5 }]);
    const now = await autotask.readLine(s.conn, s.ctx, line, "2025-06-15");
    expect(now?.unitPrice).toBe("23.5");
    await autotask.writeLine(s.conn, s.ctx, line, now ?? line, {
      quantity: "26",
      unitPrice: "24",
      effective: "2025-06-15",
    });
    expect(s.fake.adjustments[0]).toMatchObject({ unitChange: 1, adjustedUnitPrice: 24 });
  });

  it("writeLine refuses fractional or negative quantities before sending anything", async () => {
    const s = await setup();
    const line = await lineById(s, "301");
    const sent = s.fake.requests.length;
    await expect(
      autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "2.5", effective: "2025-06-15" }),
    ).rejects.toThrow(/whole numbers/);
    await expect(
      autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "-1", effective: "2025-06-15" }),
    ).rejects.toThrow(/below 0/);
    expect(s.fake.requests.length).toBe(sent);
  });

  it("createLine adds the service and its units in one adjustment, and findLines then finds it", async () => {
    const s = await setup();
    expect(await autotask.findLines(s.conn, s.ctx, "202", "Managed Workstation", "2025-06-15")).toEqual([]);
    await autotask.createLine(s.conn, s.ctx, {
      ...{ account: "102", agreement: "202", product: "Managed Workstation" },
      ...{ quantity: "4", unitPrice: "45.50", effective: "2025-06-15" },
    });
    const posts = s.fake.requests.filter((r) => r.method === "POST" && !r.path.includes("/query"));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).not.toHaveProperty("contractServiceID");
    expect(s.fake.writes).toEqual([{ line: expect.any(String), op: "create", value: 4 }]);
    const found = await autotask.findLines(s.conn, s.ctx, "202", "Managed Workstation", "2025-06-15");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      agreement: "202",
      account: "102",
      quantity: "4",
      unitPrice: "45.5",
      startDate: "2025-06-15",
    });
  });

  it("findLines returns only that product's active lines and nothing for inactive contracts", async () => {
    const s = await setup();
    const m365 = await autotask.findLines(s.conn, s.ctx, "201", "M365 Business Premium", "2025-06-15");
    expect(m365.map((l) => l.id)).toEqual(["301"]);
    expect(await autotask.findLines(s.conn, s.ctx, "201", "Old Antivirus", "2025-06-15")).toEqual([]);
    expect(await autotask.findLines(s.conn, s.ctx, "203", "Managed Server", "2025-06-15")).toEqual([]);
    expect(await autotask.findLines(s.conn, s.ctx, "201", "Backup Bundle", "2025-06-15")).toHaveLength(1);
  });

  it("a write whose answer is lost throws UnknownOutcomeError and is applied exactly once", async () => {
    const s = await setup();
    const line = await lineById(s, "302");
    s.fake.setFaults({
      rate: 1,
      seed: 3,
      kinds: ["drop-after"],
      only: (r) => r.path.endsWith("/ContractServiceAdjustments"),
    });
    await expect(
      autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "31", effective: "2025-06-15" }),
    ).rejects.toThrow(UnknownOutcomeError);
    s.fake.setFaults(undefined);
    expect(s.fake.writes).toEqual([{ line: "302", op: "adjust", value: 1 }]);
    expect((await autotask.readLine(s.conn, s.ctx, line, "2025-06-15"))?.quantity).toBe("31");
  });

  it("readLine sees a person's edit and is undefined once the contract is gone", async () => {
    const s = await setup();
    const line = await lineById(s, "305");
    s.fake.setQuantity("305", 12);
    expect((await autotask.readLine(s.conn, s.ctx, line, "2025-06-15"))?.quantity).toBe("12");
    expect(
      await autotask.readLine(
        s.conn,
        s.ctx,
        { ...line, ref: { ...line.ref, contractServiceID: "999" } },
        "2025-06-15",
      ),
    ).toBe(undefined);
  });
});

describe("autotask failures and limits", () => {
  it("answers 401 on bad credentials with an error naming the connection and path, and no secret", async () => {
    const s = await setup();
    const ctx = createContext(s.conn, {
      env: { ...s.fake.env, TRUEUP_CONN_AT_SECRET: "wrong-secret-value" },
      now: () => NOW,
    });
    const err = await autotask.readBilling(s.conn, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    const message = (err as Error).message;
    expect(message).toMatch(/^autotask-test: POST \/atservicesrest\/V1\.0\/Contracts\/query answered 401/);
    for (const secret of [...Object.values(s.fake.credentials), "wrong-secret-value"])
      expect(message).not.toContain(secret);
  });

  it("honours Retry-After on a 429", async () => {
    const s = await setup();
    s.fake.throttleNext(1, 7);
    await autotask.readBilling(s.conn, s.ctx);
    expect(s.waits).toEqual([7000]);
  });

  it("waits out Autotask's rolling request threshold and still reads everything", async () => {
    const s = await setup({ threshold: { limit: 5, windowMs: 60_000 } });
    const billing = await autotask.readBilling(s.conn, s.ctx);
    expect(billing.lines).toHaveLength(11);
    expect(
      s.fake.requests.filter((r) => r.path.endsWith("/query") || r.path.endsWith("/next")).length,
    ).toBeGreaterThan(10);
    expect(s.waits.length).toBeGreaterThan(1);
    expect(s.waits.every((w) => w > 0 && w <= 60_000)).toBe(true);
  });

  it("a pull failing halfway throws an error naming connection and path, and returns nothing", async () => {
    const s = await setup();
    s.fake.setFaults({
      rate: 1,
      seed: 1,
      kinds: ["500"],
      only: (r) => r.path.endsWith("/ContractServiceUnits/query/next"),
    });
    const progress: string[] = [];
    const ctx = createContext(s.conn, {
      env: s.fake.env,
      now: () => NOW,
      sleep: async () => {},
      onProgress: (m) => progress.push(m),
    });
    const err = await autotask.pull(s.conn, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(
      /^autotask-test: POST \/atservicesrest\/V1\.0\/ContractServiceUnits\/query\/next answered 500/,
    );
    expect(progress.some((p) => p.startsWith("ContractServiceUnits: page 1"))).toBe(true);
  });

  it("never lets a secret into an exchange or an error", async () => {
    const s = await setup();
    const line = await lineById(s, "302");
    await autotask.writeLine(s.conn, s.ctx, line, line, { quantity: "33", effective: "2025-06-15" });
    await autotask.createLine(s.conn, s.ctx, {
      ...{ account: "102", agreement: "202", product: "Managed Workstation" },
      ...{ quantity: "1", unitPrice: "45.50", effective: "2025-06-15" },
    });
    const bad = createContext(s.conn, {
      env: { ...s.fake.env, TRUEUP_CONN_AT_INTEGRATION_CODE: "nope-nope" },
      now: () => NOW,
    });
    const err = await autotask.readBilling(s.conn, bad).catch((e: unknown) => e);
    const text = JSON.stringify(s.exchanges) + String(err);
    expect(s.exchanges.some((e) => e.path.includes("ZoneInformation?user=***"))).toBe(true);
    for (const secret of Object.values(s.fake.credentials)) expect(text).not.toContain(secret);
  });
});

describe("autotask fake speaks like Autotask", () => {
  it("refuses GET on nextPageUrl, unknown fields, zero unitChange and missing credentials", async () => {
    const s = await setup();
    const api = `${s.fake.url}/atservicesrest/V1.0`;
    const headers = {
      "content-type": "application/json",
      ApiIntegrationCode: s.fake.credentials.integrationCode,
      UserName: s.fake.credentials.username,
      Secret: s.fake.credentials.secret,
    };
    const post = (path: string, body: unknown) =>
      fetch(`${api}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const first = (await (await post("/Services/query", { filter: [] })).json()) as {
      pageDetails: { nextPageUrl: string };
    };
    expect((await fetch(first.pageDetails.nextPageUrl, { headers })).status).toBe(405);
    const wrongField = await post("/Contracts/query", {
      filter: [{ op: "eq", field: "contractTypeID", value: 7 }],
    });
    expect(wrongField.status).toBe(500);
    expect(await wrongField.json()).toEqual({ errors: [expect.stringContaining("contractTypeID")] });
    const adjustment = {
      contractID: 201,
      contractServiceID: 301,
      serviceID: 5001,
      effectiveDate: "2025-06-15",
    };
    expect((await post("/ContractServiceAdjustments", { ...adjustment, unitChange: 0 })).status).toBe(500);
    expect(
      (await post("/ContractServiceAdjustments", { ...adjustment, unitChange: 1, units: 3 })).status,
    ).toBe(500);
    expect((await fetch(`${api}/Contracts/201`)).status).toBe(401);
    expect(s.fake.writes).toEqual([]);
  });
});
