import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/server/app.ts";
import type { Store } from "../src/store/store.ts";

// The web UI's files at /, index.html for the client-side routes, and a hint when it is not built.

/** These requests never reach the store. */
const noStore = {} as Store;
let dir: string;
let app: FastifyInstance;
let bare: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trueup-web-"));
  await mkdir(join(dir, "assets"));
  await writeFile(join(dir, "index.html"), "<!doctype html><title>Trueup UI</title>");
  await writeFile(join(dir, "assets", "index-Dx3_kq9A.js"), "console.log('ui')");
  app = await buildApp({ store: noStore, webRoot: dir });
  bare = await buildApp({ store: noStore, webRoot: join(dir, "missing") });
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the web UI", () => {
  it("is served at /", async () => {
    const response = await app.inject({ url: "/" });
    expect([response.statusCode, response.body]).toEqual([200, expect.stringContaining("Trueup UI")]);
  });

  it("serves its assets, cached for good since their names carry their content's hash", async () => {
    const response = await app.inject({ url: "/assets/index-Dx3_kq9A.js" });
    expect([
      response.statusCode,
      response.headers["content-type"],
      response.headers["cache-control"],
    ]).toEqual([200, expect.stringContaining("javascript"), "public, max-age=31536000, immutable"]);
    expect((await app.inject({ url: "/" })).headers["cache-control"]).toBe("no-cache");
  });

  it("answers 404 for a file that is not there, rather than a page", async () => {
    expect((await app.inject({ url: "/assets/index-Gone1234.js" })).statusCode).toBe(404);
  });

  it("answers a client-side route with index.html", async () => {
    const response = await app.inject({ url: "/clients/cobalt?tab=devices" });
    expect([response.statusCode, response.body]).toEqual([200, expect.stringContaining("Trueup UI")]);
  });

  it("leaves unknown API paths a JSON 404", async () => {
    for (const url of ["/api/nope", "/api"]) {
      const response = await app.inject({ url });
      expect([url, response.statusCode, response.json().error]).toEqual([url, 404, "not_found"]);
    }
  });

  it("says how to build it when web/dist is missing", async () => {
    for (const url of ["/", "/findings"]) {
      const response = await bare.inject({ url });
      expect([response.statusCode, response.body]).toEqual([
        200,
        expect.stringContaining("npm run build:web"),
      ]);
    }
    expect((await bare.inject({ url: "/api/openapi.json" })).statusCode).toBe(200);
  });
});
