import { afterEach, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { ConnectionError, UnknownOutcomeError } from "../src/connectors/errors.ts";
import { HttpClient } from "../src/connectors/http.ts";
import type { Connection, Exchange } from "../src/connectors/types.ts";
import { type FakeServer, json, startFake } from "./fakes/server.ts";

// The one HTTP client every connector uses: waits, retries and refusals, through a real socket.

const conn: Connection = {
  name: "sys",
  kind: "pax8",
  settings: {},
  secretEnv: { token: "TRUEUP_CONN_TOKEN" },
};
let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}, clock = { t: 0 }) {
  const waits: number[] = [];
  const exchanges: Exchange[] = [];
  const ctx = createContext(conn, {
    env: { TRUEUP_CONN_TOKEN: "s3cr3t-token" },
    sleep: async (ms) => {
      waits.push(ms);
      clock.t += ms;
    },
    now: () => new Date(clock.t),
    onExchange: (e) => exchanges.push(e),
    timeoutMs: 200,
  });
  const http = new HttpClient({
    name: "sys",
    baseUrl: `${fake?.url}/api`,
    ctx,
    headers: () => ({ authorization: `Bearer ${ctx.secret("token")}` }),
    ...extra,
  });
  return { http, waits, exchanges };
}

describe("http client", () => {
  it("waits what Retry-After says on a 429, in seconds or as an HTTP date", async () => {
    let n = 0;
    fake = await startFake(() => {
      n += 1;
      if (n === 1) return json({ message: "slow down" }, 429, { "retry-after": "7" });
      if (n === 2) return json({}, 429, { "retry-after": new Date(12_000).toUTCString() });
      return json({ ok: true });
    });
    const { http, waits } = client();
    const res = await http.get<{ ok: boolean }>("/things");
    expect(res.body.ok).toBe(true);
    expect(waits).toEqual([7000, 5000]);
  });

  it("retries a read on 5xx and dropped connections with growing waits, then names what failed", async () => {
    fake = await startFake(() => json({ message: "boom" }, 503));
    const { http, waits } = client({ attempts: 4 });
    await expect(http.get("/things")).rejects.toThrow("sys: GET /api/things answered 503: boom");
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(fake.requests).toHaveLength(4);
  });

  it("never sends a write twice when its answer is lost: the outcome is unknown", async () => {
    fake = await startFake(() => json({ id: 1 }, 201));
    fake.setFaults({ rate: 1, seed: 1, kinds: ["drop-after"] });
    const { http } = client();
    await expect(http.request("POST", "/things", { json: { a: 1 } })).rejects.toBeInstanceOf(
      UnknownOutcomeError,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("retries a write refused with 429 (not processed), but not one answered 500", async () => {
    let n = 0;
    fake = await startFake(() =>
      ++n === 1 ? json({}, 429, { "retry-after": "1" }) : json({ message: "db down" }, 500),
    );
    const { http } = client();
    const err = await http.request("PATCH", "/things/1", { json: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect((err as Error).message).toBe("sys: PATCH /api/things/1 answered 500: db down");
    expect(fake.requests).toHaveLength(2);
  });

  it("refreshes once on a 401, then gives up with the system's message", async () => {
    fake = await startFake(() => json({ message: "token expired" }, 401));
    let refreshed = 0;
    const { http } = client({ onUnauthorized: () => void refreshed++ });
    await expect(http.get("/things")).rejects.toThrow(ConnectionError);
    expect(refreshed).toBe(1);
    expect(fake.requests).toHaveLength(2);
  });

  it("holds a sliding window of requests under the limit", async () => {
    fake = await startFake(() => json({}));
    const clock = { t: 0 };
    const { http } = client({ rateLimit: { limit: 3, windowMs: 60_000 } }, clock);
    const sentAt: number[] = [];
    for (let i = 0; i < 7; i++) {
      await http.get("/things");
      sentAt.push(clock.t);
    }
    expect(sentAt).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
  });

  it("keeps headers out of the exchange log and secrets out of messages", async () => {
    fake = await startFake(() => json({ message: "bad token s3cr3t-token" }, 403));
    const { http, exchanges } = client();
    const err = await http.get("/things").catch((e: unknown) => e);
    expect((err as Error).message).not.toContain("s3cr3t-token");
    expect(JSON.stringify(exchanges)).not.toContain("s3cr3t-token");
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer s3cr3t-token");
  });
});
