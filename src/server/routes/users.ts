import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Role, Store, UserView } from "../../store/store.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { IdParam, NoContent, RoleSchema, UserViewSchema } from "../schemas.ts";
import type { RouteDeps } from "./deps.ts";

// Accounts (admin only). A new account gets a one-time password, shown once to the admin.

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The last admin keeping the role is what keeps the accounts manageable at all. */
function checkRoleChange(users: UserView[], target: UserView, role: Role): void {
  const admins = users.filter((u) => u.role === "admin");
  if (target.role === "admin" && role !== "admin" && admins.length === 1)
    throw new ApiError(409, "conflict", "the last admin keeps the admin role; make another admin first");
}

async function userById(store: Store, id: number) {
  const users = await store.listUsers();
  const user = users.find((u) => u.id === id);
  if (!user) throw notFound(`user ${id}`);
  return { users, user };
}

export const userRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    "/api/users",
    {
      config: { access: "admin" },
      schema: { tags: ["users"], summary: "Every account", response: { 200: z.array(UserViewSchema) } },
    },
    async () => store.listUsers(),
  );

  app.post(
    "/api/users",
    {
      config: { access: "admin" },
      schema: {
        tags: ["users"],
        summary: "Create an account; the answer holds its one-time password",
        body: z.object({ email: z.email().max(320), role: RoleSchema }),
        response: { 200: z.object({ user: UserViewSchema, password: z.string() }) },
      },
    },
    async (request) => {
      const { email, role } = request.body;
      if ((await store.listUsers()).some((u) => sameEmail(u.email, email)))
        throw new ApiError(409, "conflict", `an account for ${email} exists`);
      return store.addUser(email, role, actorOf(request));
    },
  );

  app.patch(
    "/api/users/:id",
    {
      config: { access: "admin" },
      schema: {
        tags: ["users"],
        summary: "Change an account's role",
        params: IdParam,
        body: z.object({ role: RoleSchema }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { users, user } = await userById(store, request.params.id);
      checkRoleChange(users, user, request.body.role);
      await store.setRole(user.id, request.body.role, actorOf(request));
      return reply.code(204).send();
    },
  );
};
