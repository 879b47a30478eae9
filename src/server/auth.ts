import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Actor, Role, SessionView, Store } from "../store/store.ts";
import { ApiError } from "./errors.ts";

// Who may call a route: every API route declares `config.access`. Sessions live in the store; the
// browser holds the token in an HttpOnly cookie and echoes the session's CSRF value in a header.
// An account still on its generated one-time password may only see who it is, sign out and choose its
// own password: every other route answers 403 `password_change_required`.

export const SESSION_COOKIE = "trueup_session";
export const CSRF_HEADER = "x-csrf-token";

/** `nobody`: no session needed (login); `any`: any signed-in account; a role: that role or above. */
export type Access = "nobody" | "any" | Role;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /** Open to a session that must change its password first (me, logout, the change itself). */
    beforePasswordChange?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in account's session, set for routes that need one. */
    auth: { session: SessionView; token: string } | null;
  }
}

const RANK: Record<Role, number> = { viewer: 1, billing: 2, admin: 3 };
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function mayAct(role: Role, access: Access): boolean {
  if (access === "nobody" || access === "any") return true;
  return RANK[role] >= RANK[access];
}

/** Compares fixed-length digests so that neither the length nor a prefix of the secret leaks. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The session of a route that needs one (the onRequest hook has checked it). */
export function signedIn(request: FastifyRequest): { session: SessionView; token: string } {
  if (!request.auth) throw new Error(`${request.url}: a route without a session asked for one`);
  return request.auth;
}

export function actorOf(request: FastifyRequest): Actor {
  return { name: signedIn(request).session.user.email };
}

async function authenticate(
  store: Store,
  request: FastifyRequest,
  access: Access,
  beforePasswordChange: boolean,
): Promise<void> {
  const token = request.cookies[SESSION_COOKIE];
  const session = token ? await store.session(token) : undefined;
  if (!token || !session) throw new ApiError(401, "unauthenticated", "sign in first");
  if (STATE_CHANGING.has(request.method)) {
    const csrf = request.headers[CSRF_HEADER];
    if (typeof csrf !== "string" || !sameSecret(csrf, session.csrf))
      throw new ApiError(403, "csrf", `missing or wrong ${CSRF_HEADER} header`);
  }
  if (session.mustChangePassword && !beforePasswordChange)
    throw new ApiError(
      403,
      "password_change_required",
      "choose your own password first (POST /api/auth/password)",
    );
  if (!mayAct(session.user.role, access)) throw new ApiError(403, "forbidden", `needs the ${access} role`);
  request.auth = { session, token };
}

/** Runs before the body is read or validated: nobody learns a route's shape without the right. */
export function registerAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request) => {
    const { access, beforePasswordChange } = request.routeOptions.config;
    if (access === undefined || access === "nobody") return;
    await authenticate(store, request, access, beforePasswordChange === true);
  });
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: string,
  secureCookies: boolean,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: secureCookies || request.protocol === "https",
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "lax" });
}
