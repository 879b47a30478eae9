import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { dattoUrls, nextQuery } from "../src/connectors/datto-rmm/client.ts";
import { dattoRmm } from "../src/connectors/datto-rmm/index.ts";
import { ConnectionError } from "../src/connectors/errors.ts";
import type { Connection, Exchange } from "../src/connectors/types.ts";
import {
  type DattoFake,
  type DattoOptions,
  type DattoSeed,
  failure,
  startDattoFake,
} from "./fakes/datto-rmm.ts";

const API_KEY = "DATTO-KEY-7F6E5D4C3B";
const API_SECRET = "datto~secret~2a3b4c5d";
const TOKEN = "/auth/oauth/token";
const SITES = "/api/v2/account/sites";

function seed(sites = 3, perSite = [5, 0, 2]): DattoSeed {
  const all = Array.from({ length: sites }, (_, i) => ({ uid: `site-${i}`, name: `Site ${i}` }));
  const devices = all.flatMap((s, i) =>
    Array.from({ length: perSite[i % perSite.length] ?? 1 }, (_, j) => ({
      uid: `${s.uid}-dev-${j}`,
      siteUid: s.uid,
      siteName: s.name,
      hostname: `${s.uid.toUpperCase()}-PC${j}`,
      deviceType: { category: j === 1 ? "Laptop" : j === 2 ? "Server" : "Desktop", type: "x" },
      deviceClass: "device",
      lastSeen: "2026-10-31T20:30:00Z",
      lastLoggedInUser: `DOM\\u${j}`,
      deleted: j === 4,
    })),
  );
  return { apiKey: API_KEY, apiSecret: API_SECRET, sites: all, devices };
}

let fake: DattoFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Run {
  fake: DattoFake;
  conn: Connection;
  waits: number[];
  exchanges: Exchange[];
  progress: string[];
  pull: () => ReturnType<typeof dattoRmm.pull>;
}

async function setup(over: DattoOptions = {}, s = seed(), secret = API_SECRET): Promise<Run> {
  let t = Date.parse("2026-11-01T06:00:00Z");
  const now = () => new Date(t);
  const f = await startDattoFake(s, { maxPage: 2, now, ...over });
  fake = f;
  const conn: Connection = {
    name: "datto",
    kind: "datto-rmm",
    url: `${f.url}/api/`,
    settings: {},
    secretEnv: { apiKey: "TRUEUP_CONN_D_KEY", apiSecret: "TRUEUP_CONN_D_SECRET" },
  };
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const progress: string[] = [];
  const ctx = createContext(conn, {
    env: { TRUEUP_CONN_D_KEY: API_KEY, TRUEUP_CONN_D_SECRET: secret },
    now,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
    },
    onExchange: (e) => exchanges.push(e),
    onProgress: (m) => progress.push(m),
    timeoutMs: 2000,
  });
  return { fake: f, conn, waits, exchanges, progress, pull: () => dattoRmm.pull(conn, ctx) };
}

const pagesOf = (f: DattoFake, path: string) =>
  f.requests.filter((r) => r.path === path).map((r) => r.query.get("page") ?? "-");

describe("datto-rmm connector", () => {
  it("reads every page of sites and of each site's devices into device rows", async () => {
    const run = await setup();
    const out = await run.pull();
    // Pages of 2 (the server's cap), following pageDetails.nextPageUrl.
    expect(pagesOf(run.fake, SITES)).toEqual(["-", "1"]);
    expect(pagesOf(run.fake, "/api/v2/site/site-0/devices")).toEqual(["-", "1", "2"]);
    expect(pagesOf(run.fake, "/api/v2/site/site-1/devices")).toEqual(["-"]);
    expect(run.fake.requests.find((r) => r.path === SITES)?.query.get("max")).toBe("250");
    const rows = out.rows.devices ?? [];
    expect(rows.map((r) => [r.account, r.hostname, r.type])).toEqual([
      ["site-0", "SITE-0-PC0", "workstation"],
      ["site-0", "SITE-0-PC1", "laptop"],
      ["site-0", "SITE-0-PC2", "server"],
      ["site-0", "SITE-0-PC3", "workstation"],
      ["site-2", "SITE-2-PC0", "workstation"],
      ["site-2", "SITE-2-PC1", "laptop"],
    ]);
    expect(rows[1]).toEqual({
      account: "site-0",
      hostname: "SITE-0-PC1",
      serial: "",
      type: "laptop",
      lastSeen: "2026-10-31T20:30:00.000Z",
      primaryUser: "DOM\\u1",
    });
    // 1 token + 2 site pages + 3 + 1 + 1 device pages.
    expect(out.counts).toEqual({ sites: 3, devices: 6, skipped: 1, requests: 8 });
    expect(run.progress).toContain("left out 1 device: deleted");
  });

  it("gets a token by Datto's password grant, Basic public-client, and sends it as a bearer", async () => {
    const run = await setup();
    await run.pull();
    const token = run.fake.requests.filter((r) => r.path === TOKEN);
    expect(token).toHaveLength(1);
    expect(token[0]?.body).toEqual({ grant_type: "password", username: API_KEY, password: API_SECRET });
    expect(token[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("public-client:public").toString("base64")}`,
    );
    const api = run.fake.requests.filter((r) => r.path !== TOKEN);
    expect(api.every((r) => r.headers.authorization === `Bearer ${run.fake.tokens[0]}`)).toBe(true);
  });

  it("fetches a new token when the server drops one (401) and carries on", async () => {
    const run = await setup({ tokenUses: 4 });
    const out = await run.pull();
    expect(out.rows.devices).toHaveLength(6);
    expect(run.fake.tokens).toHaveLength(2);
    expect(run.exchanges.filter((e) => e.status === 401)).toHaveLength(1);
  });

  it("fetches a new token before the old one runs out by the clock", async () => {
    const run = await setup({ tokenSeconds: 120 });
    run.fake.inject({
      match: (r) => r.path === "/api/v2/site/site-1/devices",
      answer: {
        ...failure(429, "Too Many Requests", "/api/v2/site/site-1/devices"),
        headers: { "retry-after": "90" },
      },
      times: 1,
    });
    await run.pull();
    expect(run.fake.tokens).toHaveLength(2);
    expect(run.exchanges.some((e) => e.status === 401)).toBe(false);
  });

  it("waits what a 429's Retry-After says, then goes on", async () => {
    const run = await setup();
    run.fake.inject({
      match: (r) => r.path === SITES && r.query.get("page") === "1",
      answer: { ...failure(429, "Too Many Requests", SITES), headers: { "retry-after": "12" } },
      times: 1,
    });
    const out = await run.pull();
    expect(run.waits).toEqual([12000]);
    expect(out.counts.sites).toBe(3);
  });

  it("keeps under 600 requests in any 60 s over a pull of more than 600 requests", async () => {
    const run = await setup({ maxPage: 250 }, seed(700, [1]));
    const out = await run.pull();
    expect(out.counts).toMatchObject({ sites: 700, devices: 700 });
    const times = run.fake.apiTimes;
    expect(times).toHaveLength(3 + 700);
    expect(run.fake.limited).toBe(0);
    let most = 0;
    for (const t of times) most = Math.max(most, times.filter((x) => x > t - 60_000 && x <= t).length);
    expect(most).toBe(600);
    // The client waited out the window once, on the fake clock, instead of meeting a 429.
    expect(run.waits).toEqual([60_000]);
  });

  it("a pull failing halfway throws, naming the connection and path, and returns nothing", async () => {
    const run = await setup();
    const path = "/api/v2/site/site-2/devices";
    run.fake.inject({
      match: (r) => r.path === path,
      answer: failure(500, "Internal Server Error", path),
      times: Infinity,
    });
    const err = await run.pull().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      "datto: GET /api/v2/site/site-2/devices answered 500: Internal Server Error",
    );
    expect(run.waits).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it("a 403 (API access off, or an IP block) fails at once", async () => {
    const run = await setup();
    run.fake.inject({
      match: (r) => r.path === SITES,
      answer: failure(403, "Forbidden", SITES),
      times: Infinity,
    });
    await expect(run.pull()).rejects.toThrow("datto: GET /api/v2/account/sites answered 403: Forbidden");
    expect(run.fake.requests.filter((r) => r.path === SITES)).toHaveLength(1);
  });

  it("wrong credentials: the token error is shown, the secret is not", async () => {
    const run = await setup({}, seed(), "wrong~secret~value");
    const err = (await run.pull().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^datto: POST \S*\/auth\/oauth\/token answered 400: Bad credentials$/);
    expect(err.message).not.toContain("wrong~secret~value");
  });

  it("no secret or token ever appears in an exchange, a progress line or an error", async () => {
    const run = await setup({ tokenUses: 3 });
    const path = "/api/v2/site/site-2/devices";
    run.fake.inject({ match: (r) => r.path === path, answer: failure(403, "Forbidden", path), times: 1 });
    const err = (await run.pull().catch((e: unknown) => e)) as Error;
    const seen = JSON.stringify({ exchanges: run.exchanges, progress: run.progress, error: err.message });
    expect(run.fake.tokens.length).toBeGreaterThan(1);
    for (const secret of [API_KEY, API_SECRET, ...run.fake.tokens]) expect(seen).not.toContain(secret);
    expect(run.exchanges.find((e) => e.path === TOKEN)?.requestBody).toBeUndefined();
  });

  it("only the query of nextPageUrl is used: the token never goes to another host", async () => {
    expect(
      nextQuery({ nextPageUrl: "https://elsewhere.example/api/v2/account/sites?max=250&page=3" }),
    ).toEqual({
      max: "250",
      page: "3",
    });
    expect(nextQuery({ nextPageUrl: null })).toBeUndefined();
    expect(nextQuery(undefined)).toBeUndefined();
  });

  it("takes the platform url with or without /api, and says when there is none", () => {
    const conn = (url?: string): Connection => ({
      name: "d",
      kind: "datto-rmm",
      url,
      settings: {},
      secretEnv: {},
    });
    const want = {
      api: "https://pinotage-api.centrastage.net/api",
      root: "https://pinotage-api.centrastage.net",
    };
    for (const u of [
      "https://pinotage-api.centrastage.net/api",
      "https://pinotage-api.centrastage.net/api/",
      "https://pinotage-api.centrastage.net",
    ])
      expect(dattoUrls(conn(u))).toEqual(want);
    expect(() => dattoUrls(conn())).toThrow("connection d: no url; set it to the platform's API");
  });

  it("declares what it provides and the secrets it needs", () => {
    expect(dattoRmm.kind).toBe("datto-rmm");
    expect(dattoRmm.provides).toEqual(["devices"]);
    expect(dattoRmm.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(["apiKey", "apiSecret"]);
  });
});
