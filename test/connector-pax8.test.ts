import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { MissingSecretError } from "../src/connectors/errors.ts";
import { pax8 } from "../src/connectors/pax8/index.ts";
import type { Pax8Subscription } from "../src/connectors/pax8/map.ts";
import type { Connection, Exchange } from "../src/connectors/types.ts";
import { type FakePax8, type FakePax8Options, startFakePax8 } from "./fakes/pax8.ts";
import { json } from "./fakes/server.ts";

const CLIENT_ID = "pax8-client-id-0001";
const CLIENT_SECRET = "pax8~secret~value~42";
const C1 = "f7fc273a-8d86-45c9-a26f-ffd42416adda";
const C2 = "0d3f48ae-9764-4b3a-9554-d28fe345230c";
const E3_VENDOR_SKU = "796B6B5F-613C-4E24-A17C-EBA730D49C02";

const sub = (
  id: string,
  companyId: string,
  productId: string,
  quantity: number,
  status: string,
  partnerCost?: number,
) =>
  ({
    id,
    companyId,
    productId,
    quantity,
    status,
    partnerCost,
    productName: `name of ${productId}`,
    billingTerm: "Monthly",
  }) as Pax8Subscription;

function seed(): Omit<FakePax8Options, "clientId" | "clientSecret"> {
  return {
    companies: [
      { id: C1, name: "Contoso", status: "Active" },
      { id: C2, name: "Fabrikam", status: "Active" },
      { id: "c3", name: "Quiet Ltd", status: "Active" },
    ],
    products: [
      {
        id: "p-e3",
        name: "Microsoft 365 E3",
        vendorName: "Microsoft",
        sku: "MST-OFC-EE3-C100",
        vendorSku: E3_VENDOR_SKU,
      },
      { id: "p-av", name: "SentinelOne Complete", vendorName: "SentinelOne", sku: "SEN-COMPLETE" },
      { id: "p-bk", name: "Acme Backup", vendorName: "Acme" },
    ],
    subscriptions: [
      sub("s1", C1, "p-e3", 10, "Active", 20.5),
      sub("s2", C1, "p-e3", 5, "Activated", 20.5),
      sub("s3", C1, "p-av", 3, "Active", 4),
      sub("s4", C1, "p-av", 2, "PendingCancel", 4.5),
      sub("s5", C2, "p-e3", 7, "Active"),
      sub("s6", C2, "p-bk", 1, "Active", 9.99),
      sub("s7", C2, "p-gone", 2, "Active", 1),
      sub("s8", C2, "p-e3", 100, "Cancelled", 20.5),
      sub("s9", C1, "p-av", 50, "Trial", 0),
      sub("s10", C2, "p-bk", 4, "Active", 9.99),
    ],
    pageSize: 2,
  };
}

interface Setup {
  fake: FakePax8;
  conn: Connection;
  waits: number[];
  exchanges: Exchange[];
  progress: string[];
  pull: () => ReturnType<typeof pax8.pull>;
}

let fake: FakePax8 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(over: Partial<FakePax8Options> = {}): Promise<Setup> {
  fake = await startFakePax8({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...seed(), ...over });
  const conn: Connection = {
    name: "pax8-main",
    kind: "pax8",
    url: `${fake.url}/v1`,
    settings: { tokenUrl: `${fake.url}/oauth/token` },
    secretEnv: { clientId: "TRUEUP_CONN_PAX8_ID", clientSecret: "TRUEUP_CONN_PAX8_SECRET" },
  };
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env: { TRUEUP_CONN_PAX8_ID: CLIENT_ID, TRUEUP_CONN_PAX8_SECRET: CLIENT_SECRET },
    sleep: async (ms) => {
      waits.push(ms);
    },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    timeoutMs: 2000,
  });
  const f = fake;
  return { fake: f, conn, waits, exchanges, progress, pull: () => pax8.pull(conn, ctx) };
}

const subscriptionPages = (f: FakePax8, status: string) =>
  f.requests.filter((r) => r.path === "/v1/subscriptions" && r.query.get("status") === status);

describe("pax8 connector", () => {
  it("sums billed subscriptions per company and SKU over several pages, with the partner cost when there is one", async () => {
    const s = await setup();
    const result = await s.pull();
    expect(result.rows.licences).toEqual([
      { account: C1, sku: "MST-OFC-EE3-C100", quantity: "15", unitCost: "20.50" },
      { account: C1, sku: "SEN-COMPLETE", quantity: "5", unitCost: "" },
      { account: C2, sku: "MST-OFC-EE3-C100", quantity: "7", unitCost: "" },
      { account: C2, sku: "Acme Backup", quantity: "5", unitCost: "9.99" },
      { account: C2, sku: "name of p-gone", quantity: "2", unitCost: "1.00" },
    ]);
    expect(subscriptionPages(s.fake, "Active").map((r) => r.query.get("page"))).toEqual(["0", "1", "2"]);
    expect(result.counts).toEqual({
      companies: 3,
      subscriptions: 8,
      products: 3,
      licences: 5,
      requests: s.exchanges.length,
    });
    expect(s.progress).toContain("subscriptions Active: page 3 of 3 (6)");
  });

  it("asks only for the billed statuses, 200 a page from page 0, with a JSON client-credentials token", async () => {
    const s = await setup();
    await s.pull();
    const lists = s.fake.requests.filter((r) => r.path === "/v1/subscriptions");
    expect(new Set(lists.map((r) => r.query.get("status")))).toEqual(
      new Set(["Active", "Activated", "PendingCancel"]),
    );
    expect(lists.every((r) => r.query.get("size") === "200")).toBe(true);
    const [token] = s.fake.requests.filter((r) => r.path === "/oauth/token");
    expect(token?.headers["content-type"]).toContain("application/json");
    expect(token?.body).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      audience: "https://api.pax8.com",
      grant_type: "client_credentials",
    });
  });

  it("fetches a new token when the API answers 401 to an expired one mid-pull", async () => {
    const s = await setup({ tokenUses: 3 });
    const result = await s.pull();
    expect(result.rows.licences).toHaveLength(5);
    expect(s.fake.tokens.length).toBeGreaterThan(2);
    expect(s.exchanges.filter((e) => e.status === 401).length).toBe(s.fake.tokens.length - 1);
  });

  it("waits what Retry-After says on 429", async () => {
    const s = await setup();
    s.fake.setFaults({
      rate: 0.4,
      seed: 5,
      kinds: ["429"],
      retryAfter: 3,
      only: (r) => r.path.startsWith("/v1/"),
    });
    const result = await s.pull();
    expect(result.rows.licences).toHaveLength(5);
    expect(s.fake.faults.length).toBeGreaterThan(0);
    expect(s.waits).toEqual(s.fake.faults.map(() => 3000));
  });

  it("throws and returns nothing when page 3 of subscriptions keeps failing, naming the connection and path", async () => {
    const s = await setup({
      override: (r) =>
        r.path === "/v1/subscriptions" && r.query.get("page") === "2"
          ? json({ type: "about:blank", message: "Internal Server Error", status: 500 }, 500)
          : undefined,
    });
    const err = (await s.pull().catch((e: Error) => e)) as Error;
    expect(err.message).toBe("pax8-main: GET /v1/subscriptions answered 500: Internal Server Error");
    expect(subscriptionPages(s.fake, "Active").filter((r) => r.query.get("page") === "2")).toHaveLength(6);
  });

  it("fails on a 403 from the subscriptions list without retrying", async () => {
    const s = await setup({
      override: (r) =>
        r.path === "/v1/subscriptions"
          ? json({ type: "about:blank", message: "Invalid companyId", status: 403 }, 403)
          : undefined,
    });
    await expect(s.pull()).rejects.toThrow(
      "pax8-main: GET /v1/subscriptions answered 403: Invalid companyId",
    );
    expect(s.fake.requests.filter((r) => r.path === "/v1/subscriptions")).toHaveLength(1);
  });

  it("reports refused credentials from the token endpoint without the secret", async () => {
    const s = await setup({ clientSecret: "not-the-one" });
    const err = (await s.pull().catch((e: Error) => e)) as Error;
    expect(err.message).toContain(
      "pax8-main: no Pax8 access token (check the API credential's client id and secret)",
    );
    expect(err.message).toMatch(/: POST \S*\/oauth\/token answered 401: Unauthorized$/);
    expect(err.message).not.toContain(CLIENT_SECRET);
  });

  it("pulls each subscription's commitment term end into commitmentEnd", async () => {
    const base = seed();
    const locked = {
      ...(base.subscriptions[0] as Pax8Subscription),
      commitmentTerm: { term: "1-Year", endDate: "2027-06-30T00:00:00Z" },
    };
    const s = await setup({ subscriptions: [locked, base.subscriptions[1] as Pax8Subscription] });
    const result = await s.pull();
    expect(result.rows.licences).toEqual([
      {
        account: C1,
        sku: "MST-OFC-EE3-C100",
        quantity: "10",
        unitCost: "20.50",
        commitmentEnd: "2027-06-30",
      },
      { account: C1, sku: "MST-OFC-EE3-C100", quantity: "5", unitCost: "20.50" },
    ]);
  });

  it("counts a subscription once when changing data shows it on two pages", async () => {
    const base = seed();
    const s = await setup({
      subscriptions: [...base.subscriptions.slice(0, 2), base.subscriptions[0] as Pax8Subscription],
    });
    const result = await s.pull();
    expect(result.rows.licences).toEqual([
      { account: C1, sku: "MST-OFC-EE3-C100", quantity: "15", unitCost: "20.50" },
    ]);
  });

  it("never lets a secret or token into the recorded exchanges or an error message", async () => {
    const s = await setup({ tokenUses: 2 });
    s.fake.setFaults({ rate: 0.2, seed: 9, kinds: ["429", "500"], only: (r) => r.path.startsWith("/v1/") });
    await s.pull();
    const recorded = JSON.stringify(s.exchanges);
    expect(s.fake.tokens.length).toBeGreaterThan(2);
    for (const secret of [CLIENT_ID, CLIENT_SECRET, ...s.fake.tokens]) expect(recorded).not.toContain(secret);
    const failing = await setup({
      override: (r) =>
        r.path === "/v1/companies" ? json({ message: `bad ${CLIENT_SECRET}` }, 400) : undefined,
    });
    const err = (await failing.pull().catch((e: Error) => e)) as Error;
    expect(err.message).toContain("answered 400");
    expect(err.message).not.toContain(CLIENT_SECRET);
  });

  it("needs both secrets", async () => {
    const s = await setup();
    await expect(
      pax8.pull(s.conn, createContext(s.conn, { env: { TRUEUP_CONN_PAX8_ID: CLIENT_ID } })),
    ).rejects.toBeInstanceOf(MissingSecretError);
  });
});
