import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { buildApp } from "../src/server/app.ts";
import { CSRF_HEADER, SESSION_COOKIE } from "../src/server/auth.ts";
import { openDb } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { Actor, Role, Store } from "../src/store/store.ts";
import { repoRoot } from "./fixtures.ts";

// A server over the real store (embedded PGlite in a temp folder) holding the demo workspace, one
// run of it, and an account per role. PGlite takes seconds to start: one server per test file.

export const demoDir = join(repoRoot, "examples", "demo");
export const TODAY = "2026-11-01";
export const ROLES: Role[] = ["viewer", "billing", "admin"];
export const ACCOUNTS: Record<Role, { email: string; password: string }> = {
  viewer: { email: "viola@viewer.example", password: "viewer-secret-pw-1" },
  billing: { email: "bill@billing.example", password: "billing-secret-pw-2" },
  admin: { email: "ada@admin.example", password: "admin-secret-pw-3" },
};
const SYSTEM: Actor = { name: "test" };

export interface Harness {
  app: FastifyInstance;
  store: Store;
  /** Every log line the server wrote, as JSON text. */
  logs: string[];
  /** The server's data folder (its embedded database). */
  dataDir: string;
  close(): Promise<void>;
}

export interface Session {
  cookie: string;
  csrf: string;
  token: string;
}

export async function startServer(
  opts: {
    demo?: boolean;
    secureCookies?: boolean;
    prepareClientPages?: boolean;
    collectWhenIdleMs?: number;
    releaseWhenIdleMs?: number;
    /** The store the app is given, from the real one (a test's spy). */
    wrap?: (store: Store) => Store;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "trueup-server-"));
  const store = createStore(await openDb({ dataDir: join(dir, "db") }));
  if (opts.demo ?? true) {
    const loaded = await store.importWorkspace(demoDir, SYSTEM);
    if (loaded.issues.some((i) => i.severity === "error")) throw new Error("the demo did not load");
    await store.reconcile({ today: TODAY }, SYSTEM);
  }
  for (const role of ROLES) await store.addUser(ACCOUNTS[role].email, role, SYSTEM, ACCOUNTS[role].password);
  const logs: string[] = [];
  const app = await buildApp({
    store: opts.wrap ? opts.wrap(store) : store,
    prepareClientPages: opts.prepareClientPages,
    collectWhenIdleMs: opts.collectWhenIdleMs,
    releaseWhenIdleMs: opts.releaseWhenIdleMs,
    logger: { level: "trace", stream: { write: (line) => logs.push(line) } },
    webRoot: join(dir, "no-web-ui"),
    secureCookies: opts.secureCookies,
    today: () => TODAY,
  });
  return {
    app,
    store,
    logs,
    dataDir: join(dir, "db"),
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sessionCookie(response: LightMyRequestResponse): string | undefined {
  const header = response.headers["set-cookie"];
  const cookies = Array.isArray(header) ? header : header ? [header] : [];
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

export async function signIn(
  app: FastifyInstance,
  who: Role | { email: string; password: string },
): Promise<Session> {
  const account = typeof who === "string" ? ACCOUNTS[who] : who;
  const response = await app.inject({ method: "POST", url: "/api/auth/login", payload: account });
  const setCookie = sessionCookie(response);
  if (response.statusCode !== 200 || !setCookie) throw new Error(`login failed: ${response.body}`);
  const cookie = setCookie.split(";")[0] as string;
  return { cookie, csrf: response.json().csrf, token: cookie.slice(SESSION_COOKIE.length + 1) };
}

/** A request as a browser of this session sends it: the cookie, and the CSRF header on changes. */
export function call(
  app: FastifyInstance,
  session: Session | null,
  method: InjectOptions["method"],
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (session) {
    headers.cookie = session.cookie;
    if (method !== "GET") headers[CSRF_HEADER] = session.csrf;
  }
  // A file's bytes, as the app's import page sends a chosen file.
  if (Buffer.isBuffer(payload)) headers["content-type"] = "application/octet-stream";
  return app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}
