import { writeAudit } from "./audit.ts";
import { type Context, changed, iso, version } from "./context.ts";
import { StoreError } from "./errors.ts";
import {
  DECOY_HASH,
  generatePassword,
  hashPassword,
  newToken,
  tokenHash,
  verifyPassword,
} from "./passwords.ts";
import type { Role, SessionView, Store, UserView } from "./store.ts";

// Local accounts and their sessions. Login is rate limited on failures: at most 5 per email or 20 per
// address in 15 minutes, after which every attempt is refused (and not even checked) until the
// oldest failure leaves the window. A session lasts 12 hours from login. An account created with a
// generated password must choose its own (at least 12 characters) before anything else.

export const ROLES: readonly Role[] = ["admin", "billing", "viewer"];
export const SESSION_HOURS = 12;
export const LIMITS = { windowMinutes: 15, perEmail: 5, perIp: 20 };
export const MIN_PASSWORD = 8;
/** The least length of a password an account chooses for itself (changePassword). */
export const MIN_CHOSEN_PASSWORD = 12;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

interface UserRow {
  id: number;
  email: string;
  role: Role;
  created_at: Date;
}

function toUserView(r: UserRow): UserView {
  return { id: r.id, email: r.email, role: r.role, createdAt: iso(r.created_at) };
}

interface SessionRow extends UserRow {
  csrf: string;
  expires_at: Date;
  must_change_password: boolean;
}

function toSessionView(r: SessionRow): SessionView {
  return {
    user: toUserView(r),
    csrf: r.csrf,
    expiresAt: iso(r.expires_at),
    mustChangePassword: r.must_change_password,
  };
}

/** Why a password an account chooses is refused, or undefined when it will do. */
function weakPassword(next: string, current: string, email: string): string | undefined {
  if ([...next].length < MIN_CHOSEN_PASSWORD)
    return `the new password needs at least ${MIN_CHOSEN_PASSWORD} characters`;
  if (!/\S/u.test(next)) return "the new password needs characters other than spaces";
  if (next === current) return "the new password must differ from the current one";
  if (normalizeEmail(next) === email) return "the new password must not be the account's email address";
  return undefined;
}

/** Sessions kept in memory at most (in an exclusive database); beyond, they are looked up again. */
const KEPT_SESSIONS = 10_000;

const USER_COLUMNS = ["id", "email", "role", "created_at"] as const;

function minutesBefore(d: Date, minutes: number): Date {
  return new Date(d.getTime() - minutes * 60_000);
}

export function accountRepository(
  ctx: Context,
): Pick<
  Store,
  | "countUsers"
  | "addUser"
  | "listUsers"
  | "setRole"
  | "login"
  | "loginBlocked"
  | "session"
  | "logout"
  | "changePassword"
> {
  // In an exclusive database a session, once found, is kept until it expires or this process signs
  // someone out, changes a role or a password (every request of a signed-in person looks it up).
  const sessions = new Map<string, { version: string; row: SessionRow }>();

  async function loginBlocked(email: string, ip: string): Promise<boolean> {
    const since = minutesBefore(ctx.now(), LIMITS.windowMinutes);
    const count = (column: "email" | "ip", value: string) =>
      ctx.db
        .selectFrom("login_attempts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(column, "=", value)
        .where("at", ">", since)
        .executeTakeFirstOrThrow();
    const [byEmail, byIp] = await Promise.all([count("email", normalizeEmail(email)), count("ip", ip)]);
    return Number(byEmail.n) >= LIMITS.perEmail || Number(byIp.n) >= LIMITS.perIp;
  }

  async function failed(email: string, ip: string, reason: string): Promise<undefined> {
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      if (reason !== "rate limited")
        await trx.insertInto("login_attempts").values({ email, ip, at: now }).execute();
      // Failures older than the window count no more.
      await trx
        .deleteFrom("login_attempts")
        .where("at", "<", minutesBefore(now, LIMITS.windowMinutes))
        .execute();
      await writeAudit(trx, ctx, email, "login.failed", `user:${email}`, { ip, reason });
    });
    return undefined;
  }

  return {
    loginBlocked,

    async countUsers() {
      const row = await ctx.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async addUser(email, role, actor, password) {
      const address = normalizeEmail(email);
      if (!EMAIL.test(address) || address.length > 320)
        throw new StoreError("invalid", `"${email}" is not an email address`);
      if (!ROLES.includes(role)) throw new StoreError("invalid", `role must be one of ${ROLES.join(", ")}`);
      if (password !== undefined && password.length < MIN_PASSWORD)
        throw new StoreError("invalid", `a password has at least ${MIN_PASSWORD} characters`);
      if (password !== undefined && !/\S/u.test(password))
        throw new StoreError("invalid", "a password needs characters other than spaces");
      const secret = password ?? generatePassword();
      const hash = await hashPassword(secret);
      const user = await ctx.db.transaction().execute(async (trx) => {
        const taken = await trx
          .selectFrom("users")
          .select("id")
          .where("email", "=", address)
          .executeTakeFirst();
        if (taken) throw new StoreError("conflict", `an account for ${address} exists`);
        const row = await trx
          .insertInto("users")
          .values({
            email: address,
            password_hash: hash,
            role,
            created_at: ctx.now(),
            // A generated password is a one-time password: its owner chooses their own at first sign-in.
            must_change_password: password === undefined,
          })
          .returning(USER_COLUMNS)
          .executeTakeFirstOrThrow();
        await writeAudit(trx, ctx, actor, "user.add", `user:${row.id}`, { email: address, role });
        return row;
      });
      return { user: toUserView(user), password: secret };
    },

    async listUsers() {
      const rows = await ctx.db.selectFrom("users").select(USER_COLUMNS).orderBy("id").execute();
      return rows.map(toUserView);
    },

    async setRole(userId, role, actor) {
      if (!ROLES.includes(role)) throw new StoreError("invalid", `role must be one of ${ROLES.join(", ")}`);
      await ctx.db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom("users")
          .select(USER_COLUMNS)
          .where("id", "=", userId)
          .forUpdate()
          .executeTakeFirst();
        if (!user) throw new StoreError("not_found", `no user ${userId}`);
        if (user.role === role) return;
        if (user.role === "admin") {
          const admins = await trx
            .selectFrom("users")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("role", "=", "admin")
            .executeTakeFirstOrThrow();
          if (Number(admins.n) <= 1)
            throw new StoreError("conflict", "the last admin keeps the admin role; make another admin first");
        }
        await trx.updateTable("users").set({ role }).where("id", "=", userId).execute();
        changed(ctx, "sessions");
        await writeAudit(trx, ctx, actor, "user.role", `user:${userId}`, {
          email: user.email,
          from: user.role,
          to: role,
        });
      });
    },

    async login(email, password, ip) {
      const address = normalizeEmail(email);
      if (await loginBlocked(address, ip)) return failed(address, ip, "rate limited");
      const user = await ctx.db
        .selectFrom("users")
        .select([...USER_COLUMNS, "password_hash", "must_change_password"])
        .where("email", "=", address)
        .executeTakeFirst();
      const ok = await verifyPassword(password, user?.password_hash ?? DECOY_HASH);
      if (!user || !ok) return failed(address, ip, user ? "wrong password" : "unknown account");
      const token = newToken();
      const csrf = newToken();
      const now = ctx.now();
      const expires = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
      await ctx.db.transaction().execute(async (trx) => {
        await trx.deleteFrom("sessions").where("expires_at", "<=", now).execute();
        await trx
          .insertInto("sessions")
          .values({
            token_hash: tokenHash(token),
            user_id: user.id,
            csrf,
            expires_at: expires,
            created_at: now,
          })
          .execute();
        await writeAudit(trx, ctx, address, "login", `user:${user.id}`, { ip });
      });
      const session: SessionView = {
        user: toUserView(user),
        csrf,
        expiresAt: iso(expires),
        mustChangePassword: user.must_change_password,
      };
      return { token, session };
    },

    async session(token) {
      const hash = tokenHash(token);
      const seen = version(ctx, "sessions");
      const kept = ctx.exclusive ? sessions.get(hash) : undefined;
      if (kept?.version === seen) {
        if (kept.row.expires_at > ctx.now()) return toSessionView(kept.row);
        sessions.delete(hash);
        return undefined;
      }
      const row = await ctx.db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select([
          "users.id",
          "users.email",
          "users.role",
          "users.created_at",
          "users.must_change_password",
          "sessions.csrf",
          "sessions.expires_at",
        ])
        .where("sessions.token_hash", "=", hash)
        .where("sessions.expires_at", ">", ctx.now())
        .executeTakeFirst();
      if (row && ctx.exclusive && version(ctx, "sessions") === seen) {
        if (sessions.size >= KEPT_SESSIONS) sessions.clear();
        sessions.set(hash, { version: seen, row });
      }
      return row && toSessionView(row);
    },

    async logout(token) {
      const hash = tokenHash(token);
      await ctx.db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom("sessions")
          .where("token_hash", "=", hash)
          .returning("user_id")
          .executeTakeFirst();
        changed(ctx, "sessions");
        if (!row) return;
        const user = await trx
          .selectFrom("users")
          .select("email")
          .where("id", "=", row.user_id)
          .executeTakeFirst();
        await writeAudit(trx, ctx, user?.email ?? "unknown", "logout", `user:${row.user_id}`);
      });
    },

    async changePassword(userId, current, next, keepToken, ip) {
      const user = await ctx.db
        .selectFrom("users")
        .select(["email", "password_hash"])
        .where("id", "=", userId)
        .executeTakeFirst();
      if (!user) throw new StoreError("not_found", `no user ${userId}`);
      const weak = weakPassword(next, current, user.email);
      if (weak) throw new StoreError("invalid", weak);
      if (!(await verifyPassword(current, user.password_hash))) {
        // Counted with failed logins: guessing through a stolen session is throttled as a login is.
        await ctx.db.transaction().execute(async (trx) => {
          if (ip !== undefined)
            await trx.insertInto("login_attempts").values({ email: user.email, ip, at: ctx.now() }).execute();
          await writeAudit(trx, ctx, user.email, "password.failed", `user:${userId}`, {
            reason: "wrong current password",
          });
        });
        throw new StoreError("invalid", "the current password is wrong");
      }
      const hash = await hashPassword(next);
      await ctx.db.transaction().execute(async (trx) => {
        // The hash checked must still be the one stored: two changes at once do not both win.
        const replaced = await trx
          .updateTable("users")
          .set({ password_hash: hash, must_change_password: false })
          .where("id", "=", userId)
          .where("password_hash", "=", user.password_hash)
          .executeTakeFirst();
        if (Number(replaced.numUpdatedRows) !== 1)
          throw new StoreError("conflict", "the password changed meanwhile; sign in again");
        // Whoever holds another session (perhaps whoever learnt the old password) is signed out.
        let ended = trx.deleteFrom("sessions").where("user_id", "=", userId);
        if (keepToken !== undefined) ended = ended.where("token_hash", "!=", tokenHash(keepToken));
        const { numDeletedRows } = await ended.executeTakeFirst();
        changed(ctx, "sessions");
        await writeAudit(trx, ctx, user.email, "user.password", `user:${userId}`, {
          email: user.email,
          sessionsEnded: Number(numDeletedRows),
        });
      });
    },
  };
}
