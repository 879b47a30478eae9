import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { MissingSecretError } from "../src/connectors/errors.ts";
import { msgraph } from "../src/connectors/msgraph/index.ts";
import type { Connection, Exchange } from "../src/connectors/types.ts";
import { type FakeGraph, type FakeGraphOptions, type FakeTenant, startFakeGraph } from "./fakes/msgraph.ts";
import { json } from "./fakes/server.ts";

const CLIENT_ID = "5f1c2b3a-app0-4d5e-9f00-client000001";
const CLIENT_SECRET = "s3cr3t~graph~value";
const SPB = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
const ESSENTIALS = "3b555118-da6a-4418-894f-7df1e2096870";

const A = "contoso.onmicrosoft.com";
const B = "0b1c2d3e-0000-4000-8000-fabrikam0001";

function contoso(): FakeTenant {
  return {
    skus: [
      {
        skuId: SPB,
        skuPartNumber: "SPB",
        capabilityStatus: "Enabled",
        consumedUnits: 4,
        prepaidUnits: { enabled: 5, warning: 0, suspended: 0 },
      },
      {
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        capabilityStatus: "Suspended",
        consumedUnits: 0,
        prepaidUnits: { enabled: 0, suspended: 2 },
      },
    ],
    users: Array.from({ length: 7 }, (_, i) => ({
      userPrincipalName: `user${i}@contoso.com`,
      displayName: `User ${i}`,
      accountEnabled: i !== 6,
      userType: i === 5 ? "Guest" : "Member",
      // user 3 holds a licence whose SKU the tenant no longer lists: Microsoft's table names it.
      assignedLicenses:
        i < 4 ? [{ skuId: SPB, disabledPlans: [] }, ...(i === 3 ? [{ skuId: ESSENTIALS }] : [])] : [],
    })),
  };
}

function fabrikam(): FakeTenant {
  return {
    skus: [
      {
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        capabilityStatus: "Enabled",
        prepaidUnits: { enabled: 2 },
      },
    ],
    users: [
      {
        userPrincipalName: "boss@fabrikam.com",
        displayName: "Boss",
        accountEnabled: true,
        userType: "Member",
        assignedLicenses: [{ skuId: E3 }],
      },
    ],
  };
}

interface Setup {
  fake: FakeGraph;
  conn: Connection;
  waits: number[];
  exchanges: Exchange[];
  progress: string[];
  pull: () => ReturnType<typeof msgraph.pull>;
}

let fake: FakeGraph | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(over: Partial<FakeGraphOptions> = {}): Promise<Setup> {
  fake = await startFakeGraph({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tenants: { [A]: contoso(), [B]: fabrikam() },
    pageSize: 3,
    ...over,
  });
  const conn: Connection = {
    name: "m365",
    kind: "msgraph",
    url: fake.url,
    settings: { tenants: [A, B], authUrl: fake.url },
    secretEnv: { clientId: "TRUEUP_CONN_GRAPH_ID", clientSecret: "TRUEUP_CONN_GRAPH_SECRET" },
  };
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env: { TRUEUP_CONN_GRAPH_ID: CLIENT_ID, TRUEUP_CONN_GRAPH_SECRET: CLIENT_SECRET },
    sleep: async (ms) => {
      waits.push(ms);
    },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    timeoutMs: 2000,
  });
  const f = fake;
  return { fake: f, conn, waits, exchanges, progress, pull: () => msgraph.pull(conn, ctx) };
}

function tokenRequests(f: FakeGraph, tenant: string) {
  return f.requests.filter((r) => r.path === `/${encodeURIComponent(tenant)}/oauth2/v2.0/token`);
}

describe("msgraph connector", () => {
  it("reads users and purchased licences of every tenant, following @odata.nextLink over several pages", async () => {
    const s = await setup();
    const result = await s.pull();
    const users = result.rows.users ?? [];
    expect(users.filter((u) => u.account === A)).toHaveLength(7);
    expect(users.find((u) => u.upn === "user0@contoso.com")).toEqual({
      account: A,
      upn: "user0@contoso.com",
      displayName: "User 0",
      enabled: "true",
      licences: "SPB",
      userType: "member",
    });
    expect(users.find((u) => u.upn === "user3@contoso.com")?.licences).toBe("SPB+O365_BUSINESS_ESSENTIALS");
    expect(users.find((u) => u.upn === "user5@contoso.com")?.userType).toBe("guest");
    expect(users.find((u) => u.upn === "user6@contoso.com")?.enabled).toBe("false");
    expect(users.find((u) => u.account === B)).toMatchObject({
      upn: "boss@fabrikam.com",
      licences: "ENTERPRISEPACK",
    });
    // The suspended E3 of contoso has no enabled unit: no row.
    expect(result.rows.licences).toEqual([
      { account: A, sku: "SPB", quantity: "5", unitCost: "" },
      { account: B, sku: "ENTERPRISEPACK", quantity: "2", unitCost: "" },
    ]);
    const userPages = s.fake.requests.filter((r) => r.path === "/v1.0/users");
    expect(userPages).toHaveLength(4); // 3 pages for contoso (3 + 3 + 1), 1 for fabrikam
    expect(result.counts).toEqual({ tenants: 2, users: 8, skus: 3, requests: s.exchanges.length });
    expect(s.progress.some((p) => p.includes("users page 3"))).toBe(true);
  });

  it("gives each user's groups (through nested groups) and last sign-in, interactive or not", async () => {
    const t = contoso();
    t.users = t.users.map((u, i) => ({
      ...u,
      id: `u${i}`,
      ...(i === 0
        ? {
            signInActivity: {
              lastSignInDateTime: "2026-08-01T10:00:00Z",
              lastNonInteractiveSignInDateTime: "2026-10-30T07:15:00Z",
            },
          }
        : {}),
    }));
    t.groups = [
      { id: "g1", displayName: "Warehouse", members: ["u0", "g2"] },
      { id: "g2", displayName: "Kiosk", members: ["u1"] },
      { id: "g3", displayName: "Empty", members: [] },
    ];
    const s = await setup({ tenants: { [A]: t, [B]: fabrikam() } });
    const result = await s.pull();
    const rows = result.rows.users ?? [];
    const byUpn = (upn: string) => rows.find((r) => r.upn === upn);
    expect(byUpn("user0@contoso.com")).toMatchObject({
      groups: "Warehouse",
      lastActive: "2026-10-30T07:15:00.000Z",
    });
    expect(byUpn("user1@contoso.com")).toMatchObject({ groups: "Kiosk;Warehouse" });
    expect(byUpn("user1@contoso.com")?.lastActive).toBeUndefined();
    expect(byUpn("user2@contoso.com")?.groups).toBeUndefined();
    expect(result.counts.tenantsWithoutSignIns).toBeUndefined();
  });

  it("in a tenant without Entra ID P1/P2 (403 to signInActivity), says so and leaves lastActive empty", async () => {
    const s = await setup({ tenants: { [A]: { ...contoso(), premium: false }, [B]: fabrikam() } });
    const result = await s.pull();
    expect(result.rows.users).toHaveLength(8);
    expect(result.rows.users?.every((u) => u.lastActive === undefined)).toBe(true);
    expect(result.counts.tenantsWithoutSignIns).toBe(1);
    expect(s.progress.some((m) => m.startsWith(`${A}: no sign-in activity`) && m.includes("P1 or P2"))).toBe(
      true,
    );
    const asked = s.fake.requests.filter((r) => r.path === "/v1.0/users" && !r.query.has("$skiptoken"));
    expect(asked.map((r) => r.query.get("$select")?.includes("signInActivity"))).toEqual([true, false, true]);
  });

  it("gives licences the term ends of the tenant's subscriptions, split per end date, over several pages", async () => {
    const a = contoso();
    a.subscriptions = [
      // SPB: 5 enabled units in two subscriptions locked until different dates.
      {
        id: "s1",
        skuId: SPB,
        skuPartNumber: "SPB",
        status: "Enabled",
        totalLicenses: 3,
        nextLifecycleDateTime: "2027-03-31T23:59:59Z",
        isTrial: false,
      },
      {
        id: "s2",
        skuId: SPB.toUpperCase(),
        skuPartNumber: "SPB",
        status: "Enabled",
        totalLicenses: 2,
        nextLifecycleDateTime: "2026-12-01T00:00:00Z",
        isTrial: false,
      },
      // Not enabled units: not counted, their dates not used.
      {
        id: "s3",
        skuId: SPB,
        skuPartNumber: "SPB",
        status: "Warning",
        totalLicenses: 4,
        nextLifecycleDateTime: "2026-11-15T00:00:00Z",
      },
      {
        id: "s4",
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        status: "Suspended",
        totalLicenses: 2,
        nextLifecycleDateTime: "2026-11-20T00:00:00Z",
      },
    ];
    const b = fabrikam();
    b.subscriptions = [
      {
        id: "s5",
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        status: "Enabled",
        totalLicenses: 2,
        nextLifecycleDateTime: "2027-06-15T08:00:00Z",
      },
    ];
    const s = await setup({ tenants: { [A]: a, [B]: b } });
    const result = await s.pull();
    expect(result.rows.licences).toEqual([
      { account: A, sku: "SPB", quantity: "2", unitCost: "", commitmentEnd: "2026-12-01" },
      { account: A, sku: "SPB", quantity: "3", unitCost: "", commitmentEnd: "2027-03-31" },
      { account: B, sku: "ENTERPRISEPACK", quantity: "2", unitCost: "", commitmentEnd: "2027-06-15" },
    ]);
    // contoso's four subscriptions at 3 a page: two pages, the second through @odata.nextLink.
    const pages = s.fake.requests.filter((r) => r.path === "/v1.0/directory/subscriptions");
    expect(pages).toHaveLength(3);
    expect(pages.filter((r) => r.query.has("$skiptoken"))).toHaveLength(1);
    expect(result.counts.tenantsWithoutTermEnds).toBeUndefined();
    expect(s.progress.some((m) => m.includes("no commitmentEnd"))).toBe(false);
  });

  it("keeps subscribedSkus' quantity when the subscriptions disagree, with a term end only where it is unambiguous", async () => {
    const a = contoso();
    a.subscriptions = [
      {
        id: "s1",
        skuId: SPB,
        status: "Enabled",
        totalLicenses: 3,
        nextLifecycleDateTime: "2027-03-31T00:00:00Z",
      },
      {
        id: "s2",
        skuId: SPB,
        status: "Enabled",
        totalLicenses: 1,
        nextLifecycleDateTime: "2026-12-01T00:00:00Z",
      },
    ];
    const b = fabrikam();
    b.subscriptions = [
      {
        id: "s5",
        skuId: E3,
        status: "Enabled",
        totalLicenses: 1,
        nextLifecycleDateTime: "2027-06-15T00:00:00Z",
      },
    ];
    const s = await setup({ tenants: { [A]: a, [B]: b } });
    const result = await s.pull();
    expect(result.rows.licences).toEqual([
      { account: A, sku: "SPB", quantity: "5", unitCost: "" },
      { account: B, sku: "ENTERPRISEPACK", quantity: "2", unitCost: "", commitmentEnd: "2027-06-15" },
    ]);
    expect(
      s.progress.some(
        (m) => m.startsWith(`${A}: SPB has no commitmentEnd`) && m.includes("4 licences, subscribedSkus 5"),
      ),
    ).toBe(true);
  });

  it("without permission to read subscriptions (403), still pulls, without term ends, and says so", async () => {
    const a = contoso();
    a.subscriptionsPermitted = false;
    a.subscriptions = [
      {
        id: "s1",
        skuId: SPB,
        status: "Enabled",
        totalLicenses: 5,
        nextLifecycleDateTime: "2027-03-31T00:00:00Z",
      },
    ];
    const b = fabrikam();
    b.subscriptions = [
      {
        id: "s5",
        skuId: E3,
        status: "Enabled",
        totalLicenses: 2,
        nextLifecycleDateTime: "2027-06-15T00:00:00Z",
      },
    ];
    const s = await setup({ tenants: { [A]: a, [B]: b } });
    const result = await s.pull();
    expect(result.rows.licences).toEqual([
      { account: A, sku: "SPB", quantity: "5", unitCost: "" },
      { account: B, sku: "ENTERPRISEPACK", quantity: "2", unitCost: "", commitmentEnd: "2027-06-15" },
    ]);
    expect(result.rows.users).toHaveLength(8);
    expect(result.counts.tenantsWithoutTermEnds).toBe(1);
    expect(
      s.progress.some(
        (m) => m.startsWith(`${A}: subscriptions refused (403`) && m.includes("Organization.Read.All"),
      ),
    ).toBe(true);
  });

  it("a subscriptions page failing otherwise (500) still fails the pull", async () => {
    const s = await setup({
      override: (r) =>
        r.path === "/v1.0/directory/subscriptions"
          ? json({ error: { code: "generalException", message: "boom" } }, 500)
          : undefined,
    });
    await expect(s.pull()).rejects.toThrow(/GET \/v1.0\/directory\/subscriptions answered 500/);
  });

  it("any other 403 still fails the pull", async () => {
    const s = await setup({ tenants: { [A]: { ...contoso(), permitted: false }, [B]: fabrikam() } });
    await expect(s.pull()).rejects.toThrow(/GET \/v1.0\/users answered 403/);
  });

  it("asks Graph for the user fields it maps, 999 a page, with a client-credentials token per tenant", async () => {
    const s = await setup();
    await s.pull();
    const first = s.fake.requests.find((r) => r.path === "/v1.0/users");
    expect(first?.query.get("$top")).toBe("999");
    expect(first?.query.get("$select")?.split(",").sort()).toEqual(
      [
        "accountEnabled",
        "assignedLicenses",
        "displayName",
        "id",
        "signInActivity",
        "userPrincipalName",
        "userType",
      ].sort(),
    );
    for (const tenant of [A, B]) {
      const [t] = tokenRequests(s.fake, tenant);
      expect(t?.body).toEqual({
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: "https://graph.microsoft.com/.default",
      });
    }
  });

  it("fetches a new token when Graph answers an expired one with 401 InvalidAuthenticationToken mid-pull", async () => {
    const s = await setup({ tokenUses: 2 });
    const result = await s.pull();
    expect(result.rows.users).toHaveLength(8);
    expect(tokenRequests(s.fake, A).length).toBeGreaterThanOrEqual(2);
    const expired = s.exchanges.filter((e) => e.status === 401);
    expect(expired.length).toBeGreaterThan(0);
    expect(JSON.stringify(expired[0]?.responseBody)).toContain("InvalidAuthenticationToken");
  });

  it("waits what Graph's Retry-After says when throttled with 429", async () => {
    const s = await setup();
    s.fake.setFaults({
      rate: 0.5,
      seed: 3,
      kinds: ["429"],
      retryAfter: 7,
      only: (r) => r.path.startsWith("/v1.0/"),
    });
    const result = await s.pull();
    expect(result.rows.users).toHaveLength(8);
    expect(s.fake.faults.length).toBeGreaterThan(0);
    expect(s.waits).toEqual(s.fake.faults.map(() => 7000));
  });

  it("fails the whole pull naming the tenant when the app is not consented there", async () => {
    const s = await setup({ tenants: { [A]: contoso(), [B]: { ...fabrikam(), consented: false } } });
    const err = await s.pull().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain("m365");
    expect(msg).toContain(`tenant ${B}`);
    expect(msg).toContain("AADSTS700016");
    expect(msg).toMatch(/consent/);
    expect(msg).not.toContain(CLIENT_ID);
    expect(msg).not.toContain(CLIENT_SECRET);
    expect((err as Error).stack ?? "").not.toContain(CLIENT_ID);
  });

  it("fails with the token endpoint's answer, and no secret, when the client secret is wrong", async () => {
    const s = await setup({ clientSecret: "another-secret" });
    const err = (await s.pull().catch((e: Error) => e)) as Error;
    expect(err.message).toContain("AADSTS7000215");
    expect(err.message).toContain("answered 401");
    expect(err.message).not.toContain(CLIENT_SECRET);
  });

  it("throws and returns nothing when a tenant refuses to list its users (403), naming connection and path", async () => {
    const s = await setup({ tenants: { [A]: contoso(), [B]: { ...fabrikam(), permitted: false } } });
    const err = (await s.pull().catch((e: Error) => e)) as Error;
    expect(err.message).toContain("m365");
    expect(err.message).toContain("GET /v1.0/users answered 403");
    expect(err.message).toContain("Authorization_RequestDenied");
  });

  it("gives up after retries when a page keeps failing with 500 halfway through a tenant", async () => {
    const s = await setup({
      override: (r) =>
        r.path === "/v1.0/users" && r.query.has("$skiptoken")
          ? json({ error: { code: "generalException", message: "boom" } }, 500)
          : undefined,
    });
    const err = (await s.pull().catch((e: Error) => e)) as Error;
    expect(err.message).toContain(`m365 (tenant ${A}): GET /v1.0/users answered 500`);
    expect(s.fake.requests.filter((r) => r.query.has("$skiptoken")).length).toBe(6);
  });

  it("refuses to send the token to a next page on another host", async () => {
    const s = await setup({
      override: (r) =>
        r.path === "/v1.0/users"
          ? json({ value: [], "@odata.nextLink": "https://elsewhere.example/v1.0/users?$skiptoken=x" })
          : undefined,
    });
    await expect(s.pull()).rejects.toThrow(/another host \(elsewhere\.example\)/);
  });

  it("never lets a secret or token into the recorded exchanges or error messages", async () => {
    const s = await setup({ tokenUses: 1 });
    s.fake.setFaults({ rate: 0.2, seed: 3, kinds: ["429", "500"], only: (r) => r.path.startsWith("/v1.0/") });
    await s.pull();
    const recorded = JSON.stringify(s.exchanges);
    expect(s.fake.tokens.length).toBeGreaterThan(2);
    for (const secret of [CLIENT_ID, CLIENT_SECRET, ...s.fake.tokens]) expect(recorded).not.toContain(secret);
    expect(
      s.exchanges.some((e) => e.path.includes("/oauth2/v2.0/token") && e.requestBody === undefined),
    ).toBe(true);
  });

  it("needs tenants and both secrets", async () => {
    const s = await setup();
    await expect(
      msgraph.pull({ ...s.conn, settings: {} }, createContext(s.conn, { env: {} })),
    ).rejects.toThrow(/no tenants given/);
    await expect(
      msgraph.pull(s.conn, createContext(s.conn, { env: { TRUEUP_CONN_GRAPH_ID: CLIENT_ID } })),
    ).rejects.toBeInstanceOf(MissingSecretError);
  });

  it("accepts tenants written as one comma-separated string, each once", async () => {
    const s = await setup();
    const result = await msgraph.pull(
      { ...s.conn, settings: { ...s.conn.settings, tenants: `${A}, ${B},${A.toUpperCase()}` } },
      createContext(s.conn, {
        env: { TRUEUP_CONN_GRAPH_ID: CLIENT_ID, TRUEUP_CONN_GRAPH_SECRET: CLIENT_SECRET },
      }),
    );
    expect(result.counts.tenants).toBe(2);
  });
});
