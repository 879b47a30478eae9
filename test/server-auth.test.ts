import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/server/app.ts";
import { ACCOUNTS, call, type Harness, sessionCookie, signIn, startServer } from "./server-harness.ts";

// Signing in and out, the session cookie, login rate limiting, and logs without secrets.

let h: Harness;

beforeAll(async () => {
  h = await startServer({ demo: false });
});
afterAll(async () => h?.close());

const login = (payload: object, remoteAddress = "127.0.0.1") =>
  h.app.inject({ method: "POST", url: "/api/auth/login", payload, remoteAddress });

describe("signing in", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie for the whole site, and returns the CSRF value", async () => {
    const response = await login(ACCOUNTS.viewer);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      user: expect.objectContaining({ role: "viewer" }),
      csrf: expect.any(String),
    });
    const cookie = sessionCookie(response) ?? "";
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
  });

  it("marks the cookie Secure when asked to, or when a trusted proxy says the request came over TLS", async () => {
    const asked = await buildApp({ store: h.store, secureCookies: true, webRoot: "/nonexistent" });
    const response = await asked.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: ACCOUNTS.billing,
    });
    expect(sessionCookie(response)).toMatch(/; Secure/);
    await asked.close();

    const proxied = await buildApp({ store: h.store, trustProxy: true, webRoot: "/nonexistent" });
    const login = (proto: string) =>
      proxied.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: ACCOUNTS.billing,
        headers: { "x-forwarded-proto": proto },
      });
    expect(sessionCookie(await login("https"))).toMatch(/; Secure/);
    expect(sessionCookie(await login("http"))).not.toMatch(/; Secure/);
    await proxied.close();
  });

  it("refuses a wrong password with 401 and sets no cookie", async () => {
    const response = await login({ email: ACCOUNTS.admin.email, password: "not it" }, "10.0.0.1");
    expect([response.statusCode, response.json().error, sessionCookie(response)]).toEqual([
      401,
      "unauthenticated",
      undefined,
    ]);
  });

  it("answers /api/auth/me with the account and the same CSRF value as login", async () => {
    const session = await signIn(h.app, "billing");
    const me = (await call(h.app, session, "GET", "/api/auth/me")).json();
    expect([me.user.email, me.csrf]).toEqual([ACCOUNTS.billing.email, session.csrf]);
  });

  it("ends the session on logout: the cookie no longer signs anyone in", async () => {
    const session = await signIn(h.app, "admin");
    const out = await call(h.app, session, "POST", "/api/auth/logout");
    expect(out.statusCode).toBe(204);
    expect(sessionCookie(out)).toMatch(/^trueup_session=;/);
    expect((await call(h.app, session, "GET", "/api/auth/me")).statusCode).toBe(401);
  });

  it("answers 401 to a cookie the store does not know", async () => {
    const response = await h.app.inject({
      url: "/api/dashboard",
      headers: { cookie: "trueup_session=forged" },
    });
    expect([response.statusCode, response.json().error]).toEqual([401, "unauthenticated"]);
  });
});

describe("login rate limiting", () => {
  it("answers 429 with Retry-After after repeated failures, even to the right password", async () => {
    const account = { email: "slow@rate.example", password: "right-password-123" };
    await h.store.addUser(account.email, "viewer", { name: "test" }, account.password);
    const statuses: number[] = [];
    for (let i = 0; i < 30 && !statuses.includes(429); i++)
      statuses.push((await login({ email: account.email, password: `wrong-${i}` }, "10.0.0.2")).statusCode);
    expect(statuses.at(-1)).toBe(429);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([401]));
    const blocked = await login(account, "10.0.0.2");
    expect([blocked.statusCode, blocked.json().error]).toEqual([429, "rate_limited"]);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
  });
});

describe("logs", () => {
  it("are JSON lines that never hold a password, a session token or a CSRF value", async () => {
    const session = await signIn(h.app, "admin");
    await login({ email: ACCOUNTS.viewer.email, password: "a-wrong-password-xyz" }, "10.0.0.3");
    const created = await call(h.app, session, "POST", "/api/users", {
      email: "logged@msp.example",
      role: "viewer",
    });
    await call(h.app, session, "GET", "/api/users");
    await h.app.inject({
      method: "POST",
      url: "/api/runs",
      headers: {
        cookie: session.cookie,
        "x-csrf-token": session.csrf,
        authorization: "Bearer sekret-bearer",
      },
      payload: {},
    });
    await call(h.app, session, "POST", "/api/auth/logout");

    const secrets = [
      ...Object.values(ACCOUNTS).map((a) => a.password),
      "a-wrong-password-xyz",
      created.json().password,
      session.token,
      session.csrf,
      "sekret-bearer",
    ];
    expect(h.logs.length).toBeGreaterThan(10);
    for (const line of h.logs) {
      expect(() => JSON.parse(line)).not.toThrow();
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});
