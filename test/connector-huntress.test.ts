import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, MissingSecretError } from "../src/connectors/errors.ts";
import { huntress } from "../src/connectors/huntress/index.ts";
import type { CanonicalRow, Connection, Exchange } from "../src/connectors/types.ts";
import { type HuntressFake, type HuntressFakeOptions, startHuntressFake } from "./fakes/huntress.ts";
import { basicAuth, json } from "./fakes/server.ts";
import { load, ownerText } from "./format-harness.ts";

// The Huntress connector against a fake Huntress API v1 (openapi.json): Basic auth, page_token
// paging, the organization_id filter, 60 requests a minute, 401, 429 with Retry-After, failures.

const KEY = "hk_3f9a0c7d2e5b";
const SECRET = "hs_8b1e4f6a0d2c9e7f";
const CONTOSO = 7;
const FABRIKAM = 9;

const ORGANIZATIONS = [
  { id: CONTOSO, name: "Contoso Ltd", key: "contoso", agents_count: 13 },
  { id: FABRIKAM, name: "Fabrikam Inc", key: "fabrikam", agents_count: 13 },
];

function agent(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1000 + i,
    account_id: 5,
    organization_id: i % 2 === 0 ? CONTOSO : FABRIKAM,
    hostname: `HOST-${String(i).padStart(2, "0")}`,
    serial_number: `SER${i}`,
    platform: "windows",
    last_callback_at: `2026-10-${String((i % 28) + 1).padStart(2, "0")}T20:05:10Z`,
    ...over,
  };
}

// 25 agents with a hostname and one without (skipped): 26 agents in 3 pages of 10.
const AGENTS = [...Array.from({ length: 25 }, (_, i) => agent(i + 1)), agent(26, { hostname: null })];

/** A clock that only moves when the connector sleeps. */
function fakeClock() {
  let t = Date.parse("2026-11-01T00:00:00Z");
  const waits: number[] = [];
  return {
    waits,
    ms: () => t,
    now: () => new Date(t),
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

let fake: HuntressFake;
let clock = fakeClock();
afterEach(async () => fake?.close());

async function start(o: Partial<HuntressFakeOptions> = {}): Promise<HuntressFake> {
  clock = fakeClock();
  fake = await startHuntressFake({
    key: KEY,
    secret: SECRET,
    organizations: ORGANIZATIONS,
    agents: AGENTS,
    pageCap: 10,
    clock: clock.ms,
    ...o,
  });
  return fake;
}

const connection = (over: Partial<Connection> = {}): Connection => ({
  name: "huntress-main",
  kind: "huntress",
  url: fake.url,
  settings: {},
  secretEnv: { apiKey: "TRUEUP_CONN_HUNTRESS_KEY", apiSecret: "TRUEUP_CONN_HUNTRESS_SECRET" },
  ...over,
});

function run(conn: Connection, key = KEY, secret = SECRET) {
  const exchanges: Exchange[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env: { TRUEUP_CONN_HUNTRESS_KEY: key, TRUEUP_CONN_HUNTRESS_SECRET: secret },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    sleep: clock.sleep,
    now: clock.now,
    timeoutMs: 2000,
  });
  return { pull: () => huntress.pull(conn, ctx), exchanges, progress };
}

const agentRequests = () => fake.requests.filter((r) => r.path === "/v1/agents");

describe("huntress pull", () => {
  it("reads every agent across pages as a deployment of its organization id", async () => {
    await start();
    const r = run(connection());
    const { rows, counts } = await r.pull();
    expect(rows.deployments).toHaveLength(25);
    expect(rows.deployments?.[0]).toEqual({
      account: String(FABRIKAM),
      hostname: "HOST-01",
      serial: "SER1",
      lastSeen: "2026-10-02T20:05:10.000Z",
    });
    expect(counts).toEqual({ organizations: 2, agents: 26, skipped: 1, requests: 4 });
    expect(r.progress).toContain("agents: page 3, 26 read");
  });

  it("sends Basic auth of key and secret and pages of 500, following next_page_token", async () => {
    await start();
    const r = run(connection());
    await r.pull();
    expect(fake.requests.every((q) => JSON.stringify(basicAuth(q)) === JSON.stringify([KEY, SECRET]))).toBe(
      true,
    );
    const agents = agentRequests();
    expect(agents.map((q) => q.query.get("limit"))).toEqual(["500", "500", "500"]);
    const tokens = r.exchanges
      .filter((e) => e.path.startsWith("/v1/agents"))
      .map(
        (e) => (e.responseBody as { pagination: { next_page_token?: string } }).pagination.next_page_token,
      );
    expect(agents.map((q) => q.query.get("page_token"))).toEqual([null, tokens[0], tokens[1]]);
    expect(tokens[2]).toBeUndefined();
  });

  it("reads only the configured organizations, one filtered listing each", async () => {
    await start();
    const { rows, counts } = await run(
      connection({ settings: { organizationIds: [String(FABRIKAM)] } }),
    ).pull();
    expect(agentRequests().map((q) => q.query.get("organization_id"))).toEqual(["9", "9"]);
    expect(new Set(rows.deployments?.map((d) => d.account))).toEqual(new Set(["9"]));
    expect(counts.agents).toBe(13);
  });

  it("refuses an organization id that is not a number before sending anything", async () => {
    await start();
    await expect(run(connection({ settings: { organizationIds: "7, contoso" } })).pull()).rejects.toThrow(
      'connection huntress-main: organizationIds: "contoso" is not a Huntress organization id (a number)',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("answers a wrong secret with an error naming the connection and path, without the secret", async () => {
    await start();
    const err = (await run(connection(), KEY, "wrong-secret-42")
      .pull()
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toContain("huntress-main: GET /v1/organizations answered 401");
    expect(err.message).toContain("check the apiKey and apiSecret");
    expect(err.message).not.toContain("wrong-secret-42");
    expect(fake.requests).toHaveLength(1);
  });

  it("needs both secrets before sending anything, and defaults to api.huntress.io", async () => {
    await start();
    const noSecret = connection({ secretEnv: { apiKey: "TRUEUP_CONN_HUNTRESS_KEY" } });
    await expect(run(noSecret).pull()).rejects.toBeInstanceOf(MissingSecretError);
    expect(fake.requests).toHaveLength(0);
    expect(huntress.defaultUrl).toBe("https://api.huntress.io");
  });

  it("waits what Retry-After says on 429, then reads on", async () => {
    let refused = false;
    await start({
      intercept: (req, page) => {
        if (req.path !== "/v1/agents" || page !== 2 || refused) return undefined;
        refused = true;
        return json({ error: "Rate limit exceeded" }, 429, { "retry-after": "9" });
      },
    });
    const { rows, counts } = await run(connection()).pull();
    expect(clock.waits).toEqual([9000]);
    expect(rows.deployments).toHaveLength(25);
    expect(counts.requests).toBe(5);
  });

  it("keeps to 60 requests a minute over a pull of more than 60 requests", async () => {
    await start({ agents: Array.from({ length: 70 }, (_, i) => agent(i + 1)), pageCap: 1 });
    const started = clock.ms();
    const { rows, counts } = await run(connection()).pull();
    expect(rows.deployments).toHaveLength(70);
    // Two pages of one organization, seventy of one agent.
    expect(counts.requests).toBe(72);
    // Huntress answered every request: none went past its sliding window.
    expect(fake.throttled).toBe(0);
    for (const [i, t] of fake.stamps.entries())
      expect(
        fake.stamps.filter((s) => s > t - 60_000 && s <= t).length,
        `request ${i + 1}`,
      ).toBeLessThanOrEqual(60);
    expect(clock.ms() - started).toBeGreaterThanOrEqual(60_000);
  });

  it("the fake Huntress refuses a 61st request within a minute, as documented", async () => {
    await start();
    const auth = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString("base64")}`;
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++)
      statuses.push(
        (await fetch(`${fake.url}/v1/organizations`, { headers: { authorization: auth } })).status,
      );
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses[60]).toBe(429);
  });

  it("throws and returns nothing when a page keeps failing halfway", async () => {
    await start({
      intercept: (req, page) =>
        req.path === "/v1/agents" && page === 3 ? json({ error: "Internal Server Error" }, 500) : undefined,
    });
    const err = (await run(connection())
      .pull()
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toContain("huntress-main: GET /v1/agents answered 500");
    expect(err.message).not.toContain(SECRET);
    expect(agentRequests()).toHaveLength(2 + 6);
    expect(clock.waits).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it("does not retry a 403 and names it", async () => {
    await start({
      intercept: (req, page) =>
        req.path === "/v1/agents" && page === 2 ? json({ error: "Forbidden" }, 403) : undefined,
    });
    await expect(run(connection()).pull()).rejects.toThrow(
      "huntress-main: GET /v1/agents answered 403: Forbidden",
    );
    expect(agentRequests()).toHaveLength(2);
  });

  it("stops with an error when Huntress hands back a page token it gave before", async () => {
    await start({
      intercept: (req) =>
        req.path === "/v1/agents"
          ? json({ agents: [agent(1)], pagination: { next_page_token: "MTA" } })
          : undefined,
    });
    await expect(run(connection()).pull()).rejects.toThrow(
      "huntress-main: GET /v1/agents: the same page token came back twice",
    );
  });

  it("never lets the key or secret into an exchange or an error", async () => {
    await start();
    fake.setFaults({ rate: 0.4, seed: 3, kinds: ["429", "500", "drop"], retryAfter: 1 });
    const ok = run(connection());
    await ok.pull();
    const bad = run(connection(), `${KEY}x`, `${SECRET}x`);
    const err = (await bad.pull().catch((e: unknown) => e)) as Error;
    expect(fake.faults.length).toBeGreaterThan(0);
    const everything = JSON.stringify([ok.exchanges, bad.exchanges, err.message]);
    const basic = Buffer.from(`${KEY}:${SECRET}`).toString("base64");
    for (const s of [KEY, SECRET, basic]) expect(everything).not.toContain(s);
  });
});

describe("huntress rows and the huntress-agents file format", () => {
  it("give the same deployments for the same agents", async () => {
    await start();
    const { rows } = await run(connection()).pull();
    // The agent without a hostname is left out: the file format reports it as an error, a pull skips it.
    const exported = [agent(0), ...AGENTS].filter((a) => a.hostname);
    const columns = ["organization_id", "hostname", "serial_number", "last_callback_at"];
    const csv = (list: string[][]) => `${list.map((l) => l.join(",")).join("\n")}\n`;
    const file = csv([columns, ...exported.map((a) => columns.map((k) => String(a[k] ?? "")))]);
    const pulled = (all: CanonicalRow[]) =>
      csv([
        ["account", "hostname", "serial", "lastSeen"],
        ...all.map((d) => [d.account, d.hostname, d.serial, d.lastSeen] as string[]),
      ]);
    const clients = `clients:
  - { id: contoso, name: Contoso, ids: { edr: "${CONTOSO}" } }
  - { id: fabrikam, name: Fabrikam, ids: { edr: "${FABRIKAM}" } }
`;
    const fromFile = await load(
      "  - { kind: deployments, format: huntress-agents, file: h.csv, deployment: edr }\n",
      { "h.csv": file },
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
    // agent(0) is in the file only, so the comparison cannot pass on two empty lists.
    expect(view(fromFile)).toEqual([...view(fromPull), "contoso HOST-00 SER0"].sort());
  });
});
