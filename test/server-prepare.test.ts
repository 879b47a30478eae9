import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../src/store/store.ts";
import { call, demoDir, type Harness, signIn, startServer, TODAY } from "./server-harness.ts";

// `trueup serve` makes the client pages' rows ready before anyone asks (store.prepareClientPages):
// once it listens, and after each run through the API. Without it the first client page after a
// start waits for every client's rows to be cut from the data (3.5 s with 2,000 clients).

describe("client pages made ready in the background", () => {
  let h: Harness;
  const asked: string[] = [];
  beforeAll(async () => {
    h = await startServer({
      prepareClientPages: true,
      wrap: (store): Store => ({
        ...store,
        async prepareClientPages() {
          asked.push("asked");
          const ready = await store.prepareClientPages();
          asked.push(ready ? "ready" : "no run");
          return ready;
        },
      }),
    });
  });
  afterAll(async () => h?.close());

  const until = async (n: number) => {
    for (let waited = 0; asked.length < n && waited < 20_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
  };

  it("once the server listens, and after a run through the API; the pages are the same", async () => {
    const viewer = await signIn(h.app, "viewer");
    const page = async () => (await call(h.app, viewer, "GET", "/api/clients/cobalt")).json();
    // Asked of the store as the app would ask it before: the page the route gives.
    const before = await page();
    expect(asked).toEqual([]);
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    await until(2);
    expect(asked).toEqual(["asked", "ready"]);

    const billing = await signIn(h.app, "billing");
    const run = await call(h.app, billing, "POST", "/api/runs", {});
    expect(run.statusCode).toBe(200);
    await until(4);
    expect(asked).toEqual(["asked", "ready", "asked", "ready"]);
    const after = await page();
    expect(after.users).toEqual(before.users);
    expect(after.devices).toEqual(before.devices);
    expect(after.users.length).toBeGreaterThan(0);
  });
});

describe("store.prepareClientPages", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ demo: false });
  });
  afterAll(async () => h?.close());

  it("is false before any run, and true once there is one", async () => {
    expect(await h.store.prepareClientPages()).toBe(false);
    const { issues } = await h.store.importWorkspace(demoDir, { name: "test" });
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(await h.store.prepareClientPages()).toBe(false);
    await h.store.reconcile({ today: TODAY }, { name: "test" });
    expect(await h.store.prepareClientPages()).toBe(true);
    expect((await h.store.explainClient("cobalt"))?.users.length).toBeGreaterThan(0);
  });
});
