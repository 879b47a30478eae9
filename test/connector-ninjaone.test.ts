import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, MissingSecretError } from "../src/connectors/errors.ts";
import { instanceUrl } from "../src/connectors/ninjaone/client.ts";
import { ninjaone } from "../src/connectors/ninjaone/index.ts";
import type { Connection, Exchange } from "../src/connectors/types.ts";
import {
  failure,
  type NinjaFake,
  type NinjaOptions,
  type NinjaSeed,
  startNinjaFake,
} from "./fakes/ninjaone.ts";
import { json } from "./fakes/server.ts";

const CLIENT_ID = "ninja-client-id-4f3e2d1c";
const CLIENT_SECRET = "ninja~secret~value~9a8b7c";
const DEVICES = "/v2/devices-detailed";

function seed(): NinjaSeed {
  const organizations = [1, 2, 3, 4, 5].map((id) => ({ id, name: `Org ${id}` }));
  const devices = Array.from({ length: 9 }, (_, i) => ({
    id: 100 + i * 3, // ids with gaps: the cursor is the last id, not a count
    organizationId: (i % 5) + 1,
    nodeClass: i === 4 ? "WINDOWS_SERVER" : "WINDOWS_WORKSTATION",
    approvalStatus: i === 8 ? "PENDING" : "APPROVED",
    systemName: `WS-${i}`,
    lastContact: 1793400000 + i,
    lastLoggedInUser: `CONTOSO\\user${i}`,
    system: { serialNumber: `SN${i}`, chassisType: i === 1 ? "LAPTOP" : "DESKTOP" },
  }));
  return { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, organizations, devices };
}

let fake: NinjaFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Run {
  fake: NinjaFake;
  conn: Connection;
  waits: number[];
  exchanges: Exchange[];
  progress: string[];
  pull: () => ReturnType<typeof ninjaone.pull>;
}

async function setup(
  over: NinjaOptions = {},
  env = { TRUEUP_CONN_N_ID: CLIENT_ID, TRUEUP_CONN_N_SECRET: CLIENT_SECRET },
): Promise<Run> {
  let t = Date.parse("2026-11-01T06:00:00Z");
  const now = () => new Date(t);
  const f = await startNinjaFake(seed(), { maxPageSize: 2, now, ...over });
  fake = f;
  const conn: Connection = {
    name: "ninja-eu",
    kind: "ninjaone",
    url: `${f.url}/`,
    settings: {},
    secretEnv: { clientId: "TRUEUP_CONN_N_ID", clientSecret: "TRUEUP_CONN_N_SECRET" },
  };
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env,
    now,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
    },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    timeoutMs: 2000,
  });
  return { fake: f, conn, waits, exchanges, progress, pull: () => ninjaone.pull(conn, ctx) };
}

const devicePages = (f: NinjaFake) =>
  f.requests.filter((r) => r.path === DEVICES).map((r) => r.query.get("after") ?? "-");

describe("ninjaone connector", () => {
  it("reads every page of organizations and devices, by the id cursor, into device rows", async () => {
    const run = await setup();
    const out = await run.pull();
    // Pages of 2 (the server's cap), each asked after the last id of the one before, up to an empty page.
    expect(devicePages(run.fake)).toEqual(["-", "103", "109", "115", "121", "124"]);
    expect(run.fake.requests.find((r) => r.path === DEVICES)?.query.get("pageSize")).toBe("1000");
    expect(run.fake.requests.filter((r) => r.path === "/v2/organizations")).toHaveLength(4);
    const rows = out.rows.devices ?? [];
    expect(rows.map((r) => [r.account, r.hostname, r.type])).toEqual([
      ["1", "WS-0", "workstation"],
      ["2", "WS-1", "laptop"],
      ["3", "WS-2", "workstation"],
      ["4", "WS-3", "workstation"],
      ["5", "WS-4", "server"],
      ["1", "WS-5", "workstation"],
      ["2", "WS-6", "workstation"],
      ["3", "WS-7", "workstation"],
    ]);
    expect(rows[1]).toEqual({
      account: "2",
      hostname: "WS-1",
      serial: "SN1",
      type: "laptop",
      lastSeen: "2026-10-30T22:40:01.000Z",
      primaryUser: "CONTOSO\\user1",
    });
    // 1 token + 4 organization pages + 6 device pages.
    expect(out.counts).toEqual({ organizations: 5, devices: 8, skipped: 1, requests: 11 });
    expect(run.progress).toContain("left out 1 device: pending approval");
    expect(run.progress.some((p) => p.startsWith("devices: page 5"))).toBe(true);
  });

  it("asks for a client-credentials token with the monitoring scope and sends it as a bearer", async () => {
    const run = await setup();
    await run.pull();
    const token = run.fake.requests.filter((r) => r.path === "/ws/oauth/token");
    expect(token).toHaveLength(1);
    expect(token[0]?.body).toEqual({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: "monitoring",
    });
    const api = run.fake.requests.filter((r) => r.path !== "/ws/oauth/token");
    expect(api.every((r) => r.headers.authorization === `Bearer ${run.fake.tokens[0]}`)).toBe(true);
  });

  it("fetches a new token when the server drops one (401) and carries on", async () => {
    const run = await setup({ tokenUses: 5 });
    const out = await run.pull();
    expect(out.rows.devices).toHaveLength(8);
    expect(run.fake.tokens).toHaveLength(2);
    expect(run.exchanges.filter((e) => e.status === 401)).toHaveLength(1);
  });

  it("fetches a new token before the old one runs out by the clock", async () => {
    const run = await setup({ tokenSeconds: 120 });
    // A 429 on page 2 waits 90 s: the 120 s token then has under the minute's margin left.
    run.fake.inject({
      match: (r) => r.path === DEVICES && r.query.has("after"),
      answer: { ...failure(429, "Too many requests"), headers: { "retry-after": "90" } },
      times: 1,
    });
    await run.pull();
    expect(run.fake.tokens).toHaveLength(2);
    expect(run.exchanges.some((e) => e.status === 401)).toBe(false);
  });

  it("waits what a 429's Retry-After says, then goes on", async () => {
    const run = await setup();
    run.fake.inject({
      match: (r) => r.path === DEVICES && r.query.get("after") === "109",
      answer: { ...failure(429, "Too many requests"), headers: { "retry-after": "7" } },
      times: 2,
    });
    const out = await run.pull();
    expect(run.waits).toEqual([7000, 7000]);
    expect(out.rows.devices).toHaveLength(8);
  });

  it("a pull failing halfway throws, naming the connection and path, and returns nothing", async () => {
    const run = await setup();
    run.fake.inject({
      match: (r) => r.path === DEVICES && r.query.get("after") === "109",
      answer: failure(500, "Internal error"),
      times: Infinity,
    });
    const err = await run.pull().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe("ninja-eu: GET /v2/devices-detailed answered 500: Internal error");
    // Retried with backoff before giving up.
    expect(run.waits).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it("a 403 (a client app without the scope) fails at once", async () => {
    const run = await setup();
    run.fake.inject({ match: (r) => r.path === DEVICES, answer: failure(403, "Forbidden"), times: Infinity });
    await expect(run.pull()).rejects.toThrow("ninja-eu: GET /v2/devices-detailed answered 403");
    expect(run.fake.requests.filter((r) => r.path === DEVICES)).toHaveLength(1);
  });

  it("wrong credentials: the token error is shown, the secret is not", async () => {
    const run = await setup({}, { TRUEUP_CONN_N_ID: CLIENT_ID, TRUEUP_CONN_N_SECRET: "wrong~secret~value" });
    const err = (await run.pull().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^ninja-eu: POST \S*\/ws\/oauth\/token answered 401: Invalid client credentials$/,
    );
    expect(err.message).not.toContain("wrong~secret~value");
  });

  it("a cursor that does not move is an error, not an endless pull", async () => {
    const run = await setup();
    run.fake.inject({
      match: (r) => r.path === DEVICES && r.query.has("after"),
      answer: json([{ id: 50, systemName: "X" }]),
      times: Infinity,
    });
    await expect(run.pull()).rejects.toThrow("does not advance the id cursor");
  });

  it("no secret or token ever appears in an exchange, a progress line or an error", async () => {
    const run = await setup({ tokenUses: 3 });
    run.fake.inject({
      match: (r) => r.path === DEVICES && r.query.get("after") === "115",
      answer: failure(403, "Forbidden"),
      times: 1,
    });
    const err = (await run.pull().catch((e: unknown) => e)) as Error;
    const seen = JSON.stringify({ exchanges: run.exchanges, progress: run.progress, error: err.message });
    expect(run.fake.tokens.length).toBeGreaterThan(1);
    for (const secret of [CLIENT_ID, CLIENT_SECRET, ...run.fake.tokens]) expect(seen).not.toContain(secret);
    expect(run.exchanges.find((e) => e.path === "/ws/oauth/token")?.requestBody).toBeUndefined();
  });

  it("says which setting is missing: the url, or a secret's variable", async () => {
    const run = await setup({}, { TRUEUP_CONN_N_ID: CLIENT_ID, TRUEUP_CONN_N_SECRET: "" });
    await expect(run.pull()).rejects.toBeInstanceOf(MissingSecretError);
    const ctx = createContext(run.conn, { env: {} });
    await expect(ninjaone.pull({ ...run.conn, url: undefined }, ctx)).rejects.toThrow(
      "connection ninja-eu: no url; set it to the NinjaOne instance",
    );
  });

  it("takes the instance url with or without a trailing slash, /ws or /v2", () => {
    const conn = (url: string): Connection => ({
      name: "n",
      kind: "ninjaone",
      url,
      settings: {},
      secretEnv: {},
    });
    for (const u of [
      "https://eu.ninjarmm.com",
      "https://eu.ninjarmm.com/",
      "https://eu.ninjarmm.com/ws",
      "https://eu.ninjarmm.com/v2/",
    ])
      expect(instanceUrl(conn(u))).toBe("https://eu.ninjarmm.com");
  });

  it("declares what it provides and the secrets it needs", () => {
    expect(ninjaone.kind).toBe("ninjaone");
    expect(ninjaone.provides).toEqual(["devices"]);
    expect(ninjaone.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(["clientId", "clientSecret"]);
    expect(ninjaone.defaultUrl).toBeUndefined();
  });
});
