import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/server/app.ts";
import { repoRoot } from "./fixtures.ts";
import { ACCOUNTS, call, type Harness, sessionCookie, signIn, startServer } from "./server-harness.ts";

// Signing in and out, the session cookie, login rate limiting, one-time passwords changed at first
// sign-in, changing one's password, and logs without secrets.

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
      mustChangePassword: false,
      // The workspace's currency, for the app's amounts (no workspace loaded: trueup.yaml's default).
      currency: "USD",
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

/** Every route of docs/api.md's table, its parameters filled in with anything (auth comes first). */
function documentedRoutes(): { method: NonNullable<InjectOptions["method"]>; url: string }[] {
  const text = readFileSync(join(repoRoot, "docs", "api.md"), "utf8");
  return [...text.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) (\/api\/\S+) \|/gm)].map(([, method, path]) => ({
    method: method as NonNullable<InjectOptions["method"]>,
    url: (path as string).replace(/:\w+/g, "1"),
  }));
}

describe("a one-time password", () => {
  const email = "first.time@msp.example";
  const chosen = "my-own-chosen-password";
  let oneTime: string;

  it("signs in, but must be changed before anything but me, logout and the change itself", async () => {
    const admin = await signIn(h.app, "admin");
    const created = await call(h.app, admin, "POST", "/api/users", { email, role: "admin" });
    oneTime = created.json().password;
    const response = await login({ email, password: oneTime });
    expect([response.statusCode, response.json().mustChangePassword]).toEqual([200, true]);
    const session = await signIn(h.app, { email, password: oneTime });
    const me = await call(h.app, session, "GET", "/api/auth/me");
    expect([me.statusCode, me.json().user.email, me.json().mustChangePassword]).toEqual([200, email, true]);

    const open = [
      "POST /api/auth/login",
      "GET /api/auth/me",
      "POST /api/auth/logout",
      "POST /api/auth/password",
    ];
    const routes = documentedRoutes().filter((r) => !open.includes(`${r.method} ${r.url}`));
    expect(routes.length).toBeGreaterThan(20);
    for (const { method, url } of routes) {
      const refused = await call(h.app, session, method, url, method === "GET" ? undefined : {});
      expect([method, url, refused.statusCode, refused.json().error]).toEqual([
        method,
        url,
        403,
        "password_change_required",
      ]);
    }
    // Still a state change: the CSRF header comes first.
    const noCsrf = await h.app.inject({
      method: "POST",
      url: "/api/auth/password",
      headers: { cookie: session.cookie },
      payload: { current: oneTime, next: chosen },
    });
    expect([noCsrf.statusCode, noCsrf.json().error]).toEqual([403, "csrf"]);
  });

  it("refuses a wrong current password, and a new one too short, the same or the email, with a message", async () => {
    const session = await signIn(h.app, { email, password: oneTime });
    for (const [current, next, message] of [
      ["not-the-one-time-password", chosen, /current password is wrong/],
      [oneTime, "too-short", /at least 12 characters/],
      [oneTime, oneTime, /differ from the current one/],
      [oneTime, email.toUpperCase(), /email address/],
    ] as const) {
      const refused = await call(h.app, session, "POST", "/api/auth/password", { current, next });
      expect([refused.statusCode, refused.json().error]).toEqual([400, "invalid"]);
      expect(refused.json().message).toMatch(message);
    }
    const missing = await call(h.app, session, "POST", "/api/auth/password", { current: oneTime });
    expect([missing.statusCode, missing.json().error]).toEqual([400, "bad_request"]);
    expect((await call(h.app, session, "GET", "/api/auth/me")).json().mustChangePassword).toBe(true);
    expect((await call(h.app, session, "GET", "/api/dashboard")).statusCode).toBe(403);
  });

  it("once changed, opens every route to the session that changed it and ends the account's others", async () => {
    const other = await signIn(h.app, { email, password: oneTime });
    const session = await signIn(h.app, { email, password: oneTime });
    const changed = await call(h.app, session, "POST", "/api/auth/password", {
      current: oneTime,
      next: chosen,
    });
    expect(changed.statusCode).toBe(204);
    const me = (await call(h.app, session, "GET", "/api/auth/me")).json();
    expect([me.user.email, me.csrf, me.mustChangePassword]).toEqual([email, session.csrf, false]);
    expect((await call(h.app, session, "GET", "/api/dashboard")).statusCode).toBe(200);
    expect((await call(h.app, session, "GET", "/api/users")).statusCode).toBe(200);
    expect((await call(h.app, other, "GET", "/api/auth/me")).statusCode).toBe(401);
    // Someone else's session is not touched.
    const admin = await signIn(h.app, "admin");
    await call(h.app, session, "POST", "/api/auth/password", { current: chosen, next: `${chosen}-2` });
    expect((await call(h.app, admin, "GET", "/api/auth/me")).statusCode).toBe(200);
    expect((await login({ email, password: oneTime })).statusCode).toBe(401);
    const again = await login({ email, password: `${chosen}-2` });
    expect([again.statusCode, again.json().mustChangePassword]).toEqual([200, false]);
  });

  it("is not asked of an account given a password, which may change it all the same", async () => {
    const account = { email: "given@msp.example", password: "a-given-password" };
    await h.store.addUser(account.email, "viewer", { name: "test" }, account.password);
    const response = await login(account);
    expect(response.json().mustChangePassword).toBe(false);
    const session = await signIn(h.app, account);
    expect((await call(h.app, session, "GET", "/api/dashboard")).statusCode).toBe(200);
    const changed = await call(h.app, session, "POST", "/api/auth/password", {
      current: account.password,
      next: "a-password-of-my-choosing",
    });
    expect(changed.statusCode).toBe(204);
    expect((await login(account)).statusCode).toBe(401);
    expect((await login({ ...account, password: "a-password-of-my-choosing" })).statusCode).toBe(200);
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
    const newcomer = await signIn(h.app, { email: "logged@msp.example", password: created.json().password });
    const own = "logged-own-password-xyz";
    const change = { current: created.json().password, next: own };
    expect((await call(h.app, newcomer, "POST", "/api/auth/password", change)).statusCode).toBe(204);
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
      own,
      newcomer.token,
      newcomer.csrf,
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
