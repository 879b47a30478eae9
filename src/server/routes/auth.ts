import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { LIMITS } from "../../store/accounts.ts";
import { clearSessionCookie, setSessionCookie, signedIn } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { ErrorSchema, NoContent, text, UserViewSchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Sign in, sign out, who am I, and choose one's own password. Failed logins are counted by the store,
// per email and address. An account on a generated one-time password gets `mustChangePassword` and
// may use only these three routes until it has chosen its own (see auth.ts).

/** The store says only whether a login is blocked; a block ends at the latest when its window does. */
export const RETRY_AFTER_SECONDS = LIMITS.windowMinutes * 60;

const LoginBody = z.object({
  email: text().trim().min(1).max(320),
  password: text().min(1).max(1024),
});
const SessionAnswer = z.object({
  user: UserViewSchema,
  csrf: z.string(),
  mustChangePassword: z
    .boolean()
    .describe("true until an account created with a one-time password has chosen its own"),
  currency: z.string().describe("the workspace's currency (trueup.yaml `currency`): every amount is in it"),
});
const PasswordBody = z.object({
  current: text().max(1024),
  next: text()
    .max(1024)
    .describe("at least 12 characters; neither the current password nor the account's email"),
});

function rateLimited(reply: FastifyReply) {
  return reply
    .code(429)
    .header("retry-after", String(RETRY_AFTER_SECONDS))
    .send({ error: "rate_limited", message: "too many failed logins or password checks; try again later" });
}

export const authRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, secureCookies }) => {
  app.post(
    "/api/auth/login",
    {
      config: { access: "nobody" },
      schema: {
        tags: ["auth"],
        summary: "Sign in: sets the session cookie and returns the CSRF value",
        body: LoginBody,
        response: { 200: SessionAnswer, 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      if (await store.loginBlocked(email, request.ip)) return rateLimited(reply);
      const opened = await store.login(email, password, request.ip);
      if (!opened) {
        request.log.info({ email }, "login failed");
        throw new ApiError(401, "unauthenticated", "wrong email or password");
      }
      const { token, session } = opened;
      setSessionCookie(request, reply, token, session.expiresAt, secureCookies);
      request.log.info({ email: session.user.email }, "signed in");
      const { currency } = await store.loadConfig();
      const { user, csrf, mustChangePassword } = session;
      return { user, csrf, mustChangePassword, currency };
    },
  );

  app.post(
    "/api/auth/logout",
    {
      config: { access: "any", beforePasswordChange: true },
      schema: { tags: ["auth"], summary: "Sign out", response: { 204: NoContent } },
    },
    async (request, reply) => {
      const { session, token } = signedIn(request);
      await store.logout(token);
      clearSessionCookie(reply);
      request.log.info({ email: session.user.email }, "signed out");
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/auth/me",
    {
      config: { access: "any", beforePasswordChange: true },
      schema: { tags: ["auth"], summary: "The signed-in account", response: { 200: SessionAnswer } },
    },
    async (request) => {
      const { session } = signedIn(request);
      const { currency } = await store.loadConfig();
      const { user, csrf, mustChangePassword } = session;
      return { user, csrf, mustChangePassword, currency };
    },
  );

  app.post(
    "/api/auth/password",
    {
      config: { access: "any", beforePasswordChange: true },
      schema: {
        tags: ["auth"],
        summary: "Change one's own password: ends the account's other sessions, keeps this one",
        body: PasswordBody,
        response: { 204: NoContent, 400: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { session, token } = signedIn(request);
      const { current, next } = request.body;
      // Wrong current passwords count as failed logins of the account: a stolen session cannot guess on.
      if (await store.loginBlocked(session.user.email, request.ip)) return rateLimited(reply);
      await store.changePassword(session.user.id, current, next, token, request.ip);
      request.log.info({ email: session.user.email }, "password changed");
      return reply.code(204).send();
    },
  );
};
