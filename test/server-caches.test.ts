import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ClientDetailSchema } from "../src/server/routes/clients.ts";
import { DashboardSchema } from "../src/server/routes/dashboard.ts";
import { call, demoDir, type Harness, type Session, signIn, startServer } from "./server-harness.ts";

// Answers the server keeps as the bytes it sent (the dashboard, client pages) are the answers it
// would write afresh, and change as soon as what they show changes: a decision, an import, a run.

let h: Harness;
let viewer: Session;
let billing: Session;

beforeAll(async () => {
  h = await startServer();
  [viewer, billing] = await Promise.all([signIn(h.app, "viewer"), signIn(h.app, "billing")]);
});
afterAll(async () => h?.close());

const get = async (url: string) => {
  const response = await call(h.app, viewer, "GET", url);
  expect([url, response.statusCode, response.headers["content-type"]]).toEqual([
    url,
    200,
    "application/json; charset=utf-8",
  ]);
  return response.body;
};

/** The text the route's schema writes for a value, as Fastify's serializer does. */
const written = (schema: z.ZodType, body: string) => JSON.stringify(z.encode(schema, JSON.parse(body)));

describe("kept answers", () => {
  it("are the text the schema writes, the same each time", async () => {
    const page = await get("/api/clients/cobalt");
    expect(page).toBe(written(ClientDetailSchema, page));
    expect(await get("/api/clients/cobalt")).toBe(page);
    const dashboard = await get("/api/dashboard");
    expect(dashboard).toBe(written(DashboardSchema, dashboard));
  });

  it("show a decision at once, and its undoing", async () => {
    const key = "cobalt|PRICE_MISMATCH|bundle:gold-user";
    const statusOf = async () =>
      JSON.parse(await get("/api/clients/cobalt")).findings.find((f: { key: string }) => f.key === key);
    expect((await statusOf()).status).toBe("open");
    const decide = (body: object) => call(h.app, billing, "POST", "/api/findings/decision", { key, ...body });
    expect((await decide({ status: "dismissed", reason: "agreed discount" })).statusCode).toBe(204);
    expect(await statusOf()).toMatchObject({ status: "dismissed", reason: "agreed discount" });
    const findings = JSON.parse(await get("/api/findings?clientId=cobalt&status=dismissed")).items;
    expect(findings.map((f: { key: string }) => f.key)).toEqual([key]);
    expect((await decide({ status: "open" })).statusCode).toBe(204);
    expect((await statusOf()).status).toBe("open");
  });

  it("show the devices of a new import at once, and a new run's findings", async () => {
    const before = JSON.parse(await get("/api/clients/cobalt"));
    const source = JSON.parse(await get("/api/sources")).find((s: { kind: string }) => s.kind === "devices");
    const text = await readFile(join(demoDir, "data/devices.csv"), "utf8");
    const content = text
      .split("\n")
      .filter((l) => !l.startsWith("CFL,CFL-LT-001,"))
      .join("\n");
    const upload = { sourceId: source.id, fileName: "devices.csv", content };
    expect((await call(h.app, billing, "POST", "/api/imports", upload)).statusCode).toBe(200);
    const after = JSON.parse(await get("/api/clients/cobalt"));
    const hosts = (page: { devices: { hostname: string }[] }) => page.devices.map((d) => d.hostname);
    expect(hosts(before)).toContain("CFL-LT-001");
    expect(hosts(after)).toEqual(hosts(before).filter((n) => n !== "CFL-LT-001"));

    const run = (await call(h.app, billing, "POST", "/api/runs", {})).json();
    const latest = JSON.parse(await get("/api/clients/cobalt"));
    expect(new Set(latest.findings.map((f: { runId: number }) => f.runId))).toEqual(new Set([run.id]));
    expect(JSON.parse(await get("/api/dashboard")).run.id).toBe(run.id);
  });
});
