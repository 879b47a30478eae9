import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serve, trueupBinary } from "./ops-harness.ts";

// /healthz, /readyz and /metrics of `trueup serve` on the embedded database: open without a session,
// metrics behind a bearer token on the main port or alone on a port of their own, in Prometheus's
// text format with requests by route, runs, and the database pool.

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

let password = "";

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "trueup-health-"));
  dirs.push(d);
  const made = await trueupBinary(["user", "add", "ops@msp.example", "--role", "admin"], { TRUEUP_DATA: d });
  expect(made.code).toBe(0);
  password = made.stdout.trim();
  return d;
}

/** Signs in, chooses a password, and starts a run: what an admin does first. */
async function startRun(url: string): Promise<number> {
  const json = { "content-type": "application/json" };
  const login = await fetch(`${url}api/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email: "ops@msp.example", password }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrf } = await login.json();
  const headers = { ...json, cookie, "x-csrf-token": csrf };
  const next = "the-ops-own-password";
  await fetch(`${url}api/auth/password`, {
    method: "POST",
    headers,
    body: JSON.stringify({ current: password, next }),
  });
  return (await fetch(`${url}api/runs`, { method: "POST", headers, body: "{}" })).status;
}

const TOKEN = "metrics-token-Vb7qLEAK";

describe("health and metrics", () => {
  it("answers /healthz and /readyz without a session, and /metrics only to the token", async () => {
    const server = await serve({ TRUEUP_DATA: await dataDir(), TRUEUP_METRICS_TOKEN: TOKEN });
    try {
      const health = await fetch(`${server.url}healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      expect(await (await fetch(`${server.url}readyz`)).json()).toEqual({
        status: "ready",
        ready: true,
        database: "ok",
        migrations: "current",
        scheduler: "running",
      });
      expect((await fetch(`${server.url}api/dashboard`)).status).toBe(401);
      expect((await fetch(`${server.url}metrics`)).status).toBe(401);
      const wrong = await fetch(`${server.url}metrics`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const metrics = await fetch(`${server.url}metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      const text = await metrics.text();
      expect(text).toContain('trueup_http_requests_total{method="GET",route="/healthz",status="200"} 1');
      expect(text).toContain(
        'trueup_http_requests_total{method="GET",route="/api/dashboard",status="401"} 1',
      );
      expect(text).toMatch(/trueup_http_request_duration_seconds_count\{method="GET",route="\/readyz"\} 1/);
      expect(text).toContain("trueup_db_pool_max 1");
      expect(text).toContain("# TYPE trueup_run_duration_seconds histogram");
      expect(text).toContain("# TYPE trueup_pulls_total counter");
      expect(text).toContain("# TYPE trueup_pull_last_success_timestamp_seconds gauge");
      expect(server.stderr).not.toContain(TOKEN);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);

  it("serves /metrics on --metrics-port, counts runs, and keeps it off the main port", async () => {
    const server = await serve({ TRUEUP_DATA: await dataDir() }, ["--metrics-port", "0", "--no-schedule"]);
    try {
      const metricsUrl = /Metrics are at (\S+)/.exec(server.stdout)?.[1] as string;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(`${server.url}metrics`)).status).toBe(404);
      expect((await fetch(`${server.url}readyz`)).status).toBe(200);
      expect(await startRun(server.url)).toBe(200);
      const text = await (await fetch(metricsUrl)).text();
      expect(text).toContain('trueup_http_requests_total{method="GET",route="/readyz",status="200"} 1');
      expect(text).toContain('trueup_http_requests_total{method="GET",route="/metrics",status="404"} 1');
      expect(text).toMatch(/trueup_db_pool_waiting 0/);
      expect(text).toContain('trueup_run_duration_seconds_count{outcome="ok"} 1');
      expect(text).toContain('trueup_http_requests_total{method="POST",route="/api/runs",status="200"} 1');
      expect(await (await fetch(`${server.url}readyz`)).json()).toMatchObject({ scheduler: "off" });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);
});
