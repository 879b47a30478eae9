import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/server/app.ts";
import { call, type Harness, signIn, startServer } from "./server-harness.ts";

// Issue #9, item 9, through the real server: the UI cannot be framed and every answer says so; a
// password of spaces is refused; wrong current passwords are throttled as failed logins are.

let h: Harness;
let web: FastifyInstance;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trueup-headers-"));
  await mkdir(join(dir, "assets"));
  await writeFile(join(dir, "index.html"), "<!doctype html><title>Trueup UI</title>");
  await writeFile(join(dir, "assets", "index-Dx3_kq9A.js"), "console.log('ui')");
  h = await startServer({ demo: false });
  web = await buildApp({ store: h.store, webRoot: dir });
});

afterAll(async () => {
  await web?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("security headers", () => {
  it("are on every answer: the UI, its assets, its pages, the API, its errors and its docs", async () => {
    const session = await signIn(web, "viewer");
    const answers = [
      await web.inject({ url: "/" }),
      await web.inject({ url: "/assets/index-Dx3_kq9A.js" }),
      await web.inject({ url: "/clients/acme" }),
      await web.inject({ url: "/assets/gone-Zz9_zz9Z.js" }),
      await web.inject({ url: "/api/auth/me" }),
      await call(web, session, "GET", "/api/auth/me"),
      await call(web, session, "PUT", "/api/catalogue", { yaml: "x" }),
      await web.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: "{",
        headers: { "content-type": "application/json" },
      }),
      await web.inject({ url: "/api/openapi.json" }),
      await web.inject({ url: "/api/docs" }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([
      200,
      200,
      200,
      404,
      401,
      200,
      403,
      400,
      200,
      expect.any(Number),
    ]);
    for (const a of answers) {
      const csp = String(a.headers["content-security-policy"]);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-eval");
      expect(a.headers["x-frame-options"]).toBe("DENY");
      expect(a.headers["x-content-type-options"]).toBe("nosniff");
      expect(a.headers["referrer-policy"]).toBe("no-referrer");
    }
    // The UI runs only its own scripts.
    expect(answers[0]?.headers["content-security-policy"]).toContain("script-src 'self';");
    expect(answers[0]?.headers["content-security-policy"]).not.toContain("unsafe-inline");
  });
});

describe("passwords", () => {
  it("a new password of spaces is refused, whatever its length", async () => {
    const email = "spaces@pw.example";
    const password = "my-first-password-1";
    await h.store.addUser(email, "viewer", { name: "test" }, password);
    const session = await signIn(h.app, { email, password });
    for (const next of [" ".repeat(12), " ".repeat(40), "\t \u00a0".repeat(6)]) {
      const res = await call(h.app, session, "POST", "/api/auth/password", { current: password, next });
      expect(res.statusCode, JSON.stringify(next)).toBe(400);
      expect(res.json().message).toContain("characters other than spaces");
    }
    const ok = await call(h.app, session, "POST", "/api/auth/password", {
      current: password,
      next: "  spaced but real  ",
    });
    expect(ok.statusCode).toBe(204);
    await expect(
      h.store.addUser("spaces2@pw.example", "viewer", { name: "test" }, " ".repeat(10)),
    ).rejects.toThrow("characters other than spaces");
  });

  it("wrong current passwords are throttled like failed logins, and then so is the login", async () => {
    const email = "guess@pw.example";
    const password = "the-right-password-1";
    await h.store.addUser(email, "viewer", { name: "test" }, password);
    const session = await signIn(h.app, { email, password });
    const change = (current: string) =>
      call(h.app, session, "POST", "/api/auth/password", { current, next: "a-new-chosen-password-2" });
    const statuses: number[] = [];
    for (let i = 0; i < 30 && !statuses.includes(429); i++)
      statuses.push((await change(`guess-${i}`)).statusCode);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThanOrEqual(6);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([400]));
    // Blocked even with the right current password; the account's login too.
    const blocked = await change(password);
    expect([blocked.statusCode, blocked.json().error]).toEqual([429, "rate_limited"]);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    const login = await h.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { email, password },
    });
    expect(login.statusCode).toBe(429);
  });
});
