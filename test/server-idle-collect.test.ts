import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fullCollection, registerIdleCollection } from "../src/server/idle-collect.ts";
import type { Store } from "../src/store/store.ts";
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

describe("fullCollection compacts", () => {
  it("gives back the pages of a heap left full of holes, which a plain full collection keeps", () => {
    setFlagsFromString("--expose-gc");
    const plain = runInNewContext("gc") as () => void;
    const total = () => getHeapStatistics().total_heap_size / 1048576;
    // Some 150 MB of small objects, of which one in four stays: every page keeps a quarter.
    const all = Array.from({ length: 3_000_000 }, (_, i) => ({ n: i, text: `row ${i}` }));
    let kept: unknown[] | undefined = all.filter((_, i) => i % 4 === 0);
    all.length = 0;
    plain();
    const holes = total();
    fullCollection()();
    const compacted = total();
    expect(kept.length).toBe(750_000);
    kept = undefined;
    expect(holes - compacted).toBeGreaterThan(50);
  }, 60_000);
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

  it("idle longer, releases what it kept for speed and collects again, once per idle spell", async () => {
    const app = Fastify();
    app.get("/", async () => "ok");
    const done: string[] = [];
    registerIdleCollection(app, 200, () => done.push("collect"), {
      afterMs: 1500,
      release: () => done.push("release"),
    });
    await app.ready();
    await app.inject({ url: "/" });
    await until(() => done.length > 0);
    expect(done).toEqual(["collect"]);
    // A request before the longer wait runs out restarts both.
    await sleep(300);
    await app.inject({ url: "/" });
    await sleep(500);
    expect(done).toEqual(["collect", "collect"]);
    await until(() => done.length > 2);
    expect(done).toEqual(["collect", "collect", "release", "collect"]);
    await sleep(1200);
    expect(done).toHaveLength(4);
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

describe("the server with collectWhenIdleMs and releaseWhenIdleMs", () => {
  let h: Harness;
  let forgotten = 0;
  beforeAll(async () => {
    h = await startServer({
      collectWhenIdleMs: 200,
      releaseWhenIdleMs: 3000,
      wrap: (store) =>
        Object.assign(Object.create(store) as Store, {
          forgetOlderRuns: () => {
            forgotten++;
            store.forgetOlderRuns();
          },
        }),
    });
  });
  afterAll(async () => h?.close());

  it("logs one collection after its pages are seen, then forgets the older runs, each with the RSS", async () => {
    const logged = (what: string) => h.logs.filter((l) => l.includes(what));
    const viewer = await signIn(h.app, "viewer");
    expect((await call(h.app, viewer, "GET", "/api/clients/cobalt")).statusCode).toBe(200);
    await until(() => logged("memory collected").length > 0);
    expect(logged("memory collected")).toHaveLength(1);
    expect(logged("memory collected")[0]).toMatch(
      /idle for 0\.2 s: memory collected in \d+ ms, RSS \d+ MB, a second later \d+ MB/,
    );
    expect(forgotten).toBe(0);
    await until(() => logged("older runs forgotten").length > 0);
    expect(forgotten).toBe(1);
    expect(logged("older runs forgotten")[0]).toMatch(
      /idle for 3 s: older runs forgotten, memory collected in \d+ ms, RSS \d+ MB, a second later \d+ MB/,
    );
    await sleep(500);
    expect(logged("memory collected")).toHaveLength(2);
  });
});
