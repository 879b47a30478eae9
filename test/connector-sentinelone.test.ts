import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, MissingSecretError } from "../src/connectors/errors.ts";
import { sentinelone } from "../src/connectors/sentinelone/index.ts";
import type { CanonicalRow, Connection, Exchange } from "../src/connectors/types.ts";
import { startSentinelOneFake } from "./fakes/sentinelone.ts";
import type { FakeServer } from "./fakes/server.ts";
import { json } from "./fakes/server.ts";
import { load, ownerText } from "./format-harness.ts";

// The SentinelOne connector against a fake console that speaks the Management API v2.1: cursor
// paging, the ApiToken header, filters, 401, 429 with Retry-After, failures halfway.

const TOKEN = "s1-token-7f3a9c0d5e2b4a6f";
const CONTOSO = "1001";
const FABRIKAM = "1002";

const SITES = [
  { id: CONTOSO, name: "Contoso", sku: "Complete", totalLicenses: 50, activeLicenses: 13, state: "active" },
  { id: FABRIKAM, name: "Fabrikam", sku: "Control", totalLicenses: 20, activeLicenses: 12, state: "active" },
];

function agent(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const siteId = i % 2 === 0 ? CONTOSO : FABRIKAM;
  return {
    id: `22549473093849${String(i).padStart(4, "0")}`,
    computerName: `WS-${String(i).padStart(2, "0")}`,
    siteId,
    siteName: siteId === CONTOSO ? "Contoso" : "Fabrikam",
    serialNumber: `SN${i}`,
    lastActiveDate: `2026-10-${String((i % 28) + 1).padStart(2, "0")}T08:30:00.257525Z`,
    isActive: true,
    isDecommissioned: false,
    isUninstalled: false,
    ...over,
  };
}

// 24 live agents, one decommissioned (filtered by the console), one uninstalled and one without a
// name (skipped by the connector): 27 agents sent, in 3 pages of 10.
const AGENTS = [
  ...Array.from({ length: 24 }, (_, i) => agent(i + 1)),
  agent(25, { isDecommissioned: true }),
  agent(26, { isUninstalled: true }),
  agent(27, { computerName: null }),
];

let fake: FakeServer;
afterEach(async () => fake?.close());

const connection = (over: Partial<Connection> = {}): Connection => ({
  name: "s1-main",
  kind: "sentinelone",
  url: fake.url,
  settings: {},
  secretEnv: { apiToken: "TRUEUP_CONN_S1_TOKEN" },
  ...over,
});

function run(conn: Connection, token = TOKEN) {
  const exchanges: Exchange[] = [];
  const waits: number[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env: { TRUEUP_CONN_S1_TOKEN: token },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    sleep: async (ms) => {
      waits.push(ms);
    },
    timeoutMs: 2000,
  });
  return { pull: () => sentinelone.pull(conn, ctx), exchanges, waits, progress };
}

const start = (o: Partial<Parameters<typeof startSentinelOneFake>[0]> = {}) =>
  startSentinelOneFake({ token: TOKEN, sites: SITES, agents: AGENTS, pageCap: 10, ...o }).then((f) => {
    fake = f;
    return f;
  });

const agentRequests = () => fake.requests.filter((r) => r.path === "/web/api/v2.1/agents");

describe("sentinelone pull", () => {
  it("reads every agent across cursor pages as a deployment of its site id", async () => {
    await start();
    const r = run(connection());
    const { rows, counts } = await r.pull();
    expect(rows.deployments).toHaveLength(24);
    expect(rows.deployments?.[0]).toEqual({
      account: FABRIKAM,
      hostname: "WS-01",
      serial: "SN1",
      lastSeen: "2026-10-02T08:30:00.000Z",
    });
    expect(new Set(rows.deployments?.map((d) => d.account))).toEqual(new Set([CONTOSO, FABRIKAM]));
    expect(rows.deployments?.map((d) => d.hostname)).not.toContain("WS-25");
    expect(rows.deployments?.map((d) => d.hostname)).not.toContain("WS-26");
    expect(counts).toEqual({ sites: 2, agents: 26, skipped: 2, requests: 4 });
    expect(r.progress).toContain("agents: page 3, 26 read");
  });

  it("sends the ApiToken header, pages of 1000 and the isDecommissioned filter, following nextCursor", async () => {
    await start();
    const r = run(connection());
    await r.pull();
    expect(fake.requests.every((q) => q.headers.authorization === `ApiToken ${TOKEN}`)).toBe(true);
    const agents = agentRequests();
    expect(agents).toHaveLength(3);
    expect(agents.map((q) => q.query.get("limit"))).toEqual(["1000", "1000", "1000"]);
    expect(agents.map((q) => q.query.get("isDecommissioned"))).toEqual(["false", "false", "false"]);
    const cursors = r.exchanges
      .filter((e) => e.path.startsWith("/web/api/v2.1/agents"))
      .map((e) => (e.responseBody as { pagination: { nextCursor: string | null } }).pagination.nextCursor);
    expect(agents.map((q) => q.query.get("cursor"))).toEqual([null, cursors[0], cursors[1]]);
    expect(cursors[2]).toBeNull();
  });

  it("reads only the configured sites, given as a list or as comma-separated text", async () => {
    await start();
    for (const siteIds of [[FABRIKAM], `${FABRIKAM}`]) {
      fake.requests.length = 0;
      const { rows, counts } = await run(connection({ settings: { siteIds } })).pull();
      expect(fake.requests.map((q) => q.query.get("siteIds"))).toEqual([FABRIKAM, FABRIKAM, FABRIKAM]);
      expect(new Set(rows.deployments?.map((d) => d.account))).toEqual(new Set([FABRIKAM]));
      expect(counts.sites).toBe(1);
    }
  });

  it("answers a wrong token with an error naming the connection and path, without the token", async () => {
    await start();
    const r = run(connection(), "not-the-token-123");
    const err = await r.pull().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    const message = (err as Error).message;
    expect(message).toContain("s1-main: GET /web/api/v2.1/sites answered 401");
    expect(message).toContain("Authentication Failed");
    expect(message).toContain("apiToken");
    expect(message).not.toContain("not-the-token-123");
    expect(fake.requests).toHaveLength(1);
  });

  it("needs a console url and a token before sending anything", async () => {
    await start();
    await expect(run(connection({ url: undefined })).pull()).rejects.toThrow(
      /s1-main: no url given; set it to the SentinelOne console/,
    );
    await expect(run(connection({ secretEnv: {} })).pull()).rejects.toBeInstanceOf(MissingSecretError);
    expect(fake.requests).toHaveLength(0);
  });

  it("accepts the console url with the API path and a trailing slash", async () => {
    await start();
    const { rows } = await run(connection({ url: `${fake.url}/web/api/v2.1/` })).pull();
    expect(rows.deployments).toHaveLength(24);
  });

  it("waits what Retry-After says on 429, then reads on", async () => {
    let refused = false;
    await start({
      intercept: (req, page) => {
        if (!req.path.endsWith("/agents") || page !== 2 || refused) return undefined;
        refused = true;
        return json({ errors: [{ code: 4290010, title: "Too many requests", detail: null }] }, 429, {
          "retry-after": "7",
        });
      },
    });
    const r = run(connection());
    const { rows, counts } = await r.pull();
    expect(r.waits).toEqual([7000]);
    expect(rows.deployments).toHaveLength(24);
    expect(counts.requests).toBe(5);
  });

  it("throws and returns nothing when a page keeps failing halfway", async () => {
    await start({
      intercept: (req, page) =>
        req.path.endsWith("/agents") && page === 3
          ? json({ errors: [{ code: 5000000, title: "Server Error" }] }, 500)
          : undefined,
    });
    const r = run(connection());
    const err = (await r.pull().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toContain("s1-main: GET /web/api/v2.1/agents answered 500");
    expect(err.message).not.toContain(TOKEN);
    // Retried with backoff (the fake sleep), then given up.
    expect(agentRequests()).toHaveLength(2 + 6);
    expect(r.waits).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it("does not retry a 403 and names it", async () => {
    await start({
      intercept: (req, page) =>
        req.path.endsWith("/agents") && page === 2
          ? json({ errors: [{ code: 4030010, title: "Insufficient permissions", detail: null }] }, 403)
          : undefined,
    });
    const err = (await run(connection())
      .pull()
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /s1-main: GET \/web\/api\/v2\.1\/agents answered 403: .*Insufficient permissions/,
    );
    expect(agentRequests()).toHaveLength(2);
  });

  it("stops with an error when the console hands back a cursor it gave before", async () => {
    const same = Buffer.from("offset:10").toString("base64");
    await start({
      intercept: (req) =>
        req.path.endsWith("/agents")
          ? json({ data: [agent(1)], pagination: { nextCursor: same } })
          : undefined,
    });
    await expect(run(connection()).pull()).rejects.toThrow(
      "s1-main: GET /web/api/v2.1/agents: the same page cursor came back twice",
    );
  });

  it("never lets the token into an exchange or an error", async () => {
    await start();
    fake.setFaults({ rate: 0.3, seed: 7, kinds: ["429", "500", "drop"], retryAfter: 1 });
    const ok = run(connection());
    await ok.pull();
    const bad = run(connection({ secretEnv: { apiToken: "TRUEUP_CONN_S1_TOKEN" } }), `${TOKEN}-wrong`);
    const err = (await bad.pull().catch((e: unknown) => e)) as Error;
    const everything = JSON.stringify([ok.exchanges, bad.exchanges, err.message]);
    expect(fake.faults.length).toBeGreaterThan(0);
    expect(ok.exchanges.length).toBeGreaterThan(4);
    expect(everything).not.toContain(TOKEN);
  });
});

describe("sentinelone rows and the sentinelone-agents file format", () => {
  it("give the same deployments for the same agents", async () => {
    await start();
    const { rows } = await run(connection()).pull();
    // The same agents as a console export (the decommissioned one included); the agent without a
    // name is left out, since the file format reports it as an error where a pull skips it.
    const exported = [agent(0), ...AGENTS].filter((a) => a.computerName);
    const header = "siteId,computerName,serialNumber,isDecommissioned,isUninstalled";
    const csv = (list: string[][]) => `${list.map((l) => l.join(",")).join("\n")}\n`;
    const s1 = csv([
      header.split(","),
      ...exported.map((a) => header.split(",").map((k) => String(a[k] ?? ""))),
    ]);
    const pulled = (all: CanonicalRow[]) =>
      csv([
        ["account", "hostname", "serial", "lastSeen"],
        ...all.map((d) => [d.account, d.hostname, d.serial, d.lastSeen] as string[]),
      ]);
    const clients = `clients:
  - { id: contoso, name: Contoso, ids: { edr: "${CONTOSO}" } }
  - { id: fabrikam, name: Fabrikam, ids: { edr: "${FABRIKAM}" } }
`;
    // agent(0) stands for an agent only the file has, to show the comparison is not vacuous.
    const fromFile = await load(
      "  - { kind: deployments, format: sentinelone-agents, file: s1.csv, deployment: edr }\n",
      { "s1.csv": s1 },
      clients,
    );
    const fromPull = await load(
      "  - { kind: deployments, format: trueup-deployments, file: pulled.csv, deployment: edr }\n",
      { "pulled.csv": pulled(rows.deployments ?? []) },
      clients,
    );
    expect(fromFile.issues).toEqual([]);
    expect(fromPull.issues).toEqual([]);
    const view = (r: typeof fromFile) =>
      r.rows.deployments.map((d) => [ownerText(d.owner), d.hostname, d.serial].join(" ")).sort();
    expect(view(fromFile)).toEqual([...view(fromPull), "contoso WS-00 SN0"].sort());
  });
});
