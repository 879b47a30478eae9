import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// Accounts and sessions: scrypt hashes, generated passwords, tokens kept only as hashes, a CSRF value
// per session, sessions of 12 hours, login rate limiting, one-time passwords changed at first
// sign-in, and an audit entry for each of them.

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

  it("makes a generated password one to change at first sign-in, but not a given one", async () => {
    clock.advance(60);
    const flags = await db
      .selectFrom("users")
      .select(["email", "must_change_password"])
      .orderBy("id")
      .execute();
    expect(flags.map((r) => [r.email, r.must_change_password])).toEqual([
      ["ada@example.com", true],
      ["bill@example.com", true],
      ["vi@example.com", false],
      ["vo@example.com", false],
    ]);
    const ada = await store.login("ada@example.com", secrets[0] as string, IP);
    expect(ada?.session.mustChangePassword).toBe(true);
    expect((await store.session(ada?.token ?? ""))?.mustChangePassword).toBe(true);
    const vi = await store.login("vi@example.com", "correct horse battery", IP);
    expect(vi?.session.mustChangePassword).toBe(false);
    expect((await store.session(vi?.token ?? ""))?.mustChangePassword).toBe(false);
  });

  it("refuses a password change with a wrong current password, or a new one too short, the same or the email", async () => {
    const ada = (await store.listUsers()).find((u) => u.email === "ada@example.com");
    if (!ada) throw new Error("ada is missing");
    const current = secrets[0] as string;
    const refusals = [
      ["not-the-current-password", "a-brand-new-password-1", /current password is wrong/],
      [current, "short-pw-11", /at least 12 characters/],
      [current, current, /differ from the current one/],
      [current, " ADA@example.com", /email address/],
    ] as const;
    for (const [given, next, message] of refusals) {
      const refused = store.changePassword(ada.id, given, next);
      await expect(refused, next).rejects.toMatchObject({ code: "invalid", statusCode: 400 });
      await expect(refused, next).rejects.toThrow(message);
    }
    await expect(store.changePassword(9999, current, "a-brand-new-password-1")).rejects.toMatchObject({
      code: "not_found",
    });
    // Nothing changed: the one-time password still signs in, and must still be changed.
    expect((await store.login("ada@example.com", current, IP))?.session.mustChangePassword).toBe(true);
  });

  it("changes a password: the flag clears, the asking session stays, the account's other sessions end", async () => {
    const ada = (await store.listUsers()).find((u) => u.email === "ada@example.com");
    if (!ada) throw new Error("ada is missing");
    const old = secrets[0] as string;
    const asking = await store.login("ada@example.com", old, IP);
    const other = await store.login("ada@example.com", old, IP);
    const someoneElse = await store.login("vo@example.com", "correct horse battery", IP);
    if (!asking || !other || !someoneElse) throw new Error("login failed");
    const before = await db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", ada.id)
      .executeTakeFirstOrThrow();

    const chosen = "ada's very own password";
    secrets.push(chosen);
    await store.changePassword(ada.id, old, chosen, asking.token);

    expect(await store.session(asking.token)).toMatchObject({
      user: { email: "ada@example.com" },
      mustChangePassword: false,
    });
    expect(await store.session(other.token)).toBeUndefined();
    expect(await store.session(someoneElse.token)).toBeDefined();
    const after = await db
      .selectFrom("users")
      .select(["password_hash", "must_change_password"])
      .where("id", "=", ada.id)
      .executeTakeFirstOrThrow();
    expect(after.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.must_change_password).toBe(false);
    expect(await store.login("ada@example.com", old, IP)).toBeUndefined();
    expect((await store.login("ada@example.com", chosen, IP))?.session.mustChangePassword).toBe(false);

    // Without a session to keep (the CLI, say), every session of the account ends.
    const next = "ada's second own password";
    secrets.push(next);
    await store.changePassword(ada.id, chosen, next);
    expect(await store.session(asking.token)).toBeUndefined();
    expect(await store.login("ada@example.com", next, IP)).toBeDefined();
  });

  it("audits accounts, roles, logins and failures, with no password, token or CSRF value anywhere", async () => {
    const { items, total } = await store.audit({ limit: 500, offset: 0 });
    expect(total).toBe(items.length);
    const actions = new Set(items.map((e) => e.action));
    expect([...actions].sort()).toEqual([
      "login",
      "login.failed",
      "logout",
      "password.failed",
      "user.add",
      "user.password",
      "user.role",
    ]);
    // Newest first: the change without a session to keep, then the one that kept the asking session.
    expect(items.filter((e) => e.action === "user.password")).toMatchObject([
      { actor: "ada@example.com", details: { email: "ada@example.com", sessionsEnded: 2 } },
      { actor: "ada@example.com", details: { email: "ada@example.com", sessionsEnded: 4 } },
    ]);
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
    for (const secret of [...secrets, "not-my-password-123", "guess 1", "not-the-current-password"])
      expect(text).not.toContain(secret);
  });
});
