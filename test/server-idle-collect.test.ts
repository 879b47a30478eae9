import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fullCollection, registerIdleCollection } from "../src/server/idle-collect.ts";
import { call, type Harness, signIn, startServer } from "./server-harness.ts";

// An idle server gives back what its busiest moment took: one full collection once no request has
// come for a while (src/server/idle-collect.ts).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (done: () => boolean) => {
  for (let waited = 0; !done() && waited < 10_000; waited += 50) await sleep(50);
};

describe("fullCollection", () => {
  it("collects: an object only a WeakRef holds is gone after it", async () => {
    const ref = (() => new WeakRef({ big: new Array(1000).fill("x") }))();
    // A WeakRef's target lives to the end of the job that made it.
    await sleep(0);
    fullCollection()();
    expect(ref.deref()).toBeUndefined();
  });
});

describe("registerIdleCollection", () => {
  it("collects once after the requests stop, never while they come, and not again until the next", async () => {
    const app = Fastify();
    app.get("/", async () => "ok");
    let collected = 0;
    registerIdleCollection(app, 1000, () => collected++);
    await app.ready();
    // A request every 50 ms for 2 s: the wait of 1 s never runs out.
    for (let t = 0; t < 2000; t += 50) {
      expect((await app.inject({ url: "/" })).statusCode).toBe(200);
      await sleep(50);
    }
    expect(collected).toBe(0);
    await until(() => collected > 0);
    expect(collected).toBe(1);
    // Idle, it is not woken again.
    await sleep(2000);
    expect(collected).toBe(1);
    await app.inject({ url: "/" });
    await until(() => collected > 1);
    expect(collected).toBe(2);
    await app.close();
  });

  it("collects nothing after the server closes", async () => {
    const app = Fastify();
    app.get("/", async () => "ok");
    let collected = 0;
    registerIdleCollection(app, 100, () => collected++);
    await app.inject({ url: "/" });
    await app.close();
    await sleep(300);
    expect(collected).toBe(0);
  });
});

describe("the server with collectWhenIdleMs", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ collectWhenIdleMs: 200 });
  });
  afterAll(async () => h?.close());

  it("logs one collection after its pages are seen, with the RSS before and after", async () => {
    const collections = () => h.logs.filter((l) => l.includes("memory collected"));
    const viewer = await signIn(h.app, "viewer");
    expect((await call(h.app, viewer, "GET", "/api/clients/cobalt")).statusCode).toBe(200);
    await until(() => collections().length > 0);
    expect(collections()).toHaveLength(1);
    expect(collections()[0]).toMatch(
      /idle for 0\.2 s: memory collected in \d+ ms, RSS \d+ MB, a second later \d+ MB/,
    );
    await sleep(500);
    expect(collections()).toHaveLength(1);
  });
});
