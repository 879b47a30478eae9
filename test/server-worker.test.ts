import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateWorkspace } from "../bench/generate.ts";
import { buildApp } from "../src/server/app.ts";
import { openDb } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { ACCOUNTS, call, type Session, signIn, TODAY } from "./server-harness.ts";

// Reconciliations run in the store's worker thread: while one runs, the server answers other
// requests (issue #9 item 5). Run with TRUEUP_WORKER=0 (the same code in the server's thread), the
// test fails: a request then waits for most of the reconciliation.

let dir: string;
let store: Store;
let app: FastifyInstance;
let viewer: Session;
let billing: Session;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trueup-worker-"));
  await generateWorkspace(join(dir, "ws"), { clients: 40, seed: 7 });
  store = createStore(await openDb({ dataDir: join(dir, "db") }));
  const loaded = await store.importWorkspace(join(dir, "ws"), { name: "test" });
  expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
  for (const role of ["viewer", "billing"] as const)
    await store.addUser(ACCOUNTS[role].email, role, { name: "test" }, ACCOUNTS[role].password);
  app = await buildApp({ store, logger: false, webRoot: join(dir, "no-web-ui"), today: () => TODAY });
  viewer = await signIn(app, "viewer");
  billing = await signIn(app, "billing");
}, 300_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a reconciliation in the worker thread", () => {
  it("leaves the server answering meanwhile", async () => {
    // The first run sends the stored records to the worker; the second is the core's work alone.
    expect((await call(app, billing, "POST", "/api/runs", {})).statusCode).toBe(200);
    const started = performance.now();
    let running = true;
    const run = call(app, billing, "POST", "/api/runs", {}).finally(() => {
      running = false;
    });
    const waits: number[] = [];
    while (running) {
      // A pause as between a browser's requests: inject() alone would never let the worker's answer in.
      await new Promise((r) => setTimeout(r, 5));
      const asked = performance.now();
      const me = await call(app, viewer, "GET", "/api/auth/me");
      expect(me.statusCode).toBe(200);
      if (running) waits.push(performance.now() - asked);
    }
    expect((await run).statusCode).toBe(200);
    const runMs = performance.now() - started;
    // Answers came all along: none waited for a large part of the run.
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...waits)).toBeLessThan(runMs / 3);
  }, 300_000);

  it("gives the report the run's findings list", async () => {
    const runs = (await call(app, viewer, "GET", "/api/runs?limit=1&offset=0")).json();
    const id = runs.items[0].id as number;
    const report = (await call(app, viewer, "GET", `/api/runs/${id}`)).json().report;
    const findings = (await call(app, viewer, "GET", `/api/findings?runId=${id}&limit=50&offset=0`)).json();
    const inReport = report.clients.reduce(
      (n: number, c: { findings: unknown[] }) => n + c.findings.length,
      0,
    );
    expect(findings.total).toBe(inReport);
    expect(inReport).toBeGreaterThan(0);
  }, 60_000);
});
