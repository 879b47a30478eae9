import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// Accounts and sessions: scrypt hashes, generated passwords, tokens kept only as hashes, a CSRF value
// per session, sessions of 12 hours, login rate limiting, and an audit entry for each of them.

const ADMIN = { name: "system" };
const IP = "203.0.113.7";

describe.each(testDatabases())("accounts on $name", (target) => {
  let db: Db;
  let store: Store;
  const clock = testClock();
  const secrets: string[] = [];

  beforeAll(async () => {
    db = await target.open();
    store = createStore(db, { now: clock.now });
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("creates an account with a generated one-time password of 16 or more random characters", async () => {
    expect(await store.countUsers()).toBe(0);
    const { user, password } = await store.addUser(" Ada@Example.COM ", "admin", ADMIN);
    secrets.push(password);
    expect(user).toEqual({
      id: expect.any(Number),
      email: "ada@example.com",
      role: "admin",
      createdAt: clock.now().toISOString(),
    });
    expect(password).toMatch(/^[A-Za-z0-9]{16,}$/);
    const other = await store.addUser("bill@example.com", "billing", ADMIN);
    secrets.push(other.password);
    expect(other.password).not.toBe(password);
    expect(await store.countUsers()).toBe(2);
  });

  it("keeps a salted scrypt hash, never the password", async () => {
    const given = await store.addUser("vi@example.com", "viewer", ADMIN, "correct horse battery");
    expect(given.password).toBe("correct horse battery");
    secrets.push(given.password);
    const same = await store.addUser("vo@example.com", "viewer", ADMIN, "correct horse battery");
    const rows = await db.selectFrom("users").select(["email", "password_hash"]).execute();
    const hashes = rows.map((r) => r.password_hash);
    for (const h of hashes) expect(h).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{86}==$/);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(same.password).toBe(given.password);
  });

  it("lists accounts, and refuses a second account for an email, a bad email, role or short password", async () => {
    expect((await store.listUsers()).map((u) => [u.email, u.role])).toEqual([
      ["ada@example.com", "admin"],
      ["bill@example.com", "billing"],
      ["vi@example.com", "viewer"],
      ["vo@example.com", "viewer"],
    ]);
    await expect(store.addUser("ADA@example.com", "viewer", ADMIN)).rejects.toMatchObject({
      code: "conflict",
      statusCode: 409,
    });
    await expect(store.addUser("not-an-email", "viewer", ADMIN)).rejects.toMatchObject({ code: "invalid" });
    await expect(store.addUser("x@example.com", "owner" as "admin", ADMIN)).rejects.toMatchObject({
      code: "invalid",
    });
    await expect(store.addUser("x@example.com", "viewer", ADMIN, "short")).rejects.toMatchObject({
      code: "invalid",
    });
    expect(await store.countUsers()).toBe(4);
  });

  it("logs in with the right password: a random token kept only as its SHA-256, a CSRF value, 12 hours", async () => {
    const result = await store.login("ADA@example.com", secrets[0] as string, IP);
    if (!result) throw new Error("login failed");
    const { token, session } = result;
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(session.user.email).toBe("ada@example.com");
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(new Date(clock.now().getTime() + 12 * 3600_000).toISOString());
    const stored = await db.selectFrom("sessions").selectAll().execute();
    expect(stored.map((s) => s.token_hash)).toEqual([createHash("sha256").update(token).digest("hex")]);
    expect(await store.session(token)).toEqual(session);
    expect(await store.session(`${token}x`)).toBeUndefined();
    expect(await store.session("")).toBeUndefined();
    const again = await store.login("ada@example.com", secrets[0] as string, IP);
    expect(again?.token).not.toBe(token);
    expect(again?.session.csrf).not.toBe(session.csrf);
  });

  it("a session ends after 12 hours, or at logout", async () => {
    const { token } = (await store.login("bill@example.com", secrets[1] as string, IP)) ?? { token: "" };
    clock.advance(12 * 60 - 1);
    expect(await store.session(token)).toBeDefined();
    clock.advance(1);
    expect(await store.session(token)).toBeUndefined();
    const next = await store.login("bill@example.com", secrets[1] as string, IP);
    await store.logout(next?.token ?? "");
    expect(await store.session(next?.token ?? "")).toBeUndefined();
    await store.logout("no-such-token");
  });

  it("refuses a wrong password or an unknown account", async () => {
    expect(await store.login("ada@example.com", "not-my-password-123", IP)).toBeUndefined();
    expect(await store.login("nobody@example.com", secrets[0] as string, IP)).toBeUndefined();
  });

  it("blocks an email after 5 failures in 15 minutes, even with the right password, then lets it in", async () => {
    clock.advance(60);
    for (let i = 0; i < 4; i++) expect(await store.login("vi@example.com", `guess ${i}`, IP)).toBeUndefined();
    expect(await store.loginBlocked("vi@example.com", IP)).toBe(false);
    expect(await store.login("vi@example.com", "guess 4", "198.51.100.1")).toBeUndefined();
    expect(await store.loginBlocked("VI@example.com", "192.0.2.1")).toBe(true);
    expect(await store.login("vi@example.com", "correct horse battery", "192.0.2.1")).toBeUndefined();
    // Another account from the same address is not blocked.
    expect(await store.loginBlocked("vo@example.com", IP)).toBe(false);
    clock.advance(15);
    expect(await store.loginBlocked("vi@example.com", IP)).toBe(false);
    expect(await store.login("vi@example.com", "correct horse battery", IP)).toBeDefined();
  });

  it("blocks an address after 20 failures in 15 minutes, whatever the emails", async () => {
    clock.advance(60);
    const attacker = "198.51.100.66";
    for (let i = 0; i < 20; i++) await store.login(`user${i}@example.com`, "password1", attacker);
    expect(await store.loginBlocked("vo@example.com", attacker)).toBe(true);
    expect(await store.login("vo@example.com", "correct horse battery", attacker)).toBeUndefined();
    expect(await store.login("vo@example.com", "correct horse battery", IP)).toBeDefined();
    clock.advance(16);
    expect(await store.loginBlocked("vo@example.com", attacker)).toBe(false);
  });

  it("changes a role, but never the last admin's", async () => {
    const users = await store.listUsers();
    const ada = users.find((u) => u.email === "ada@example.com");
    const bill = users.find((u) => u.email === "bill@example.com");
    if (!ada || !bill) throw new Error("accounts missing");
    await expect(store.setRole(ada.id, "viewer", ADMIN)).rejects.toMatchObject({ code: "conflict" });
    await store.setRole(bill.id, "admin", ADMIN);
    await store.setRole(ada.id, "billing", ADMIN);
    expect((await store.listUsers()).find((u) => u.id === ada.id)?.role).toBe("billing");
    await expect(store.setRole(9999, "viewer", ADMIN)).rejects.toMatchObject({
      code: "not_found",
      statusCode: 404,
    });
    // The role of a signed-in account changes at once.
    const signedIn = await store.login("ada@example.com", secrets[0] as string, IP);
    expect(signedIn?.session.user.role).toBe("billing");
    await store.setRole(ada.id, "viewer", ADMIN);
    expect((await store.session(signedIn?.token ?? ""))?.user.role).toBe("viewer");
  });

  it("audits accounts, roles, logins and failures, with no password, token or CSRF value anywhere", async () => {
    const { items, total } = await store.audit({ limit: 500, offset: 0 });
    expect(total).toBe(items.length);
    const actions = new Set(items.map((e) => e.action));
    expect([...actions].sort()).toEqual(["login", "login.failed", "logout", "user.add", "user.role"]);
    expect(items.find((e) => e.action === "user.add")).toMatchObject({
      actor: "system",
      details: { role: "viewer" },
    });
    expect(
      items.find((e) => e.action === "login.failed" && e.details.reason === "rate limited"),
    ).toBeDefined();
    expect(items[0]?.id).toBeGreaterThan(items[1]?.id ?? 0);
    const page = await store.audit({ limit: 2, offset: 1 });
    expect(page.items.map((e) => e.id)).toEqual(items.slice(1, 3).map((e) => e.id));
    // Nothing in the database holds a password in clear, nor a session token.
    const dump = await sql<{ t: string }>`select (
      (select coalesce(string_agg(row_to_json(a)::text, ' '), '') from audit_log a) ||
      (select coalesce(string_agg(row_to_json(u)::text, ' '), '') from users u) ||
      (select coalesce(string_agg(row_to_json(s)::text, ' '), '') from sessions s)) as t`.execute(db);
    const text = dump.rows[0]?.t ?? "";
    for (const secret of [...secrets, "not-my-password-123", "guess 1"]) expect(text).not.toContain(secret);
  });
});
