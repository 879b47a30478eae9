import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { InjectOptions } from "fastify";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/store/store.ts";
import { planInApp } from "../src/sync/app.ts";
import { setUpSandbox } from "../src/sync/sandbox.ts";
import { type CwFake, startConnectwiseFake } from "./fakes/connectwise.ts";
import { repoRoot } from "./fixtures.ts";
import {
  ACCOUNTS,
  call,
  demoDir,
  type Harness,
  ROLES,
  type Session,
  signIn,
  startServer,
} from "./server-harness.ts";

// Every route of docs/api.md, called as nobody and as each role: 401 without a session, 403 below
// the route's role, an answer at or above it. The table in the docs is the source of truth.

type Need = "nobody" | "any" | Role;
type Method = NonNullable<InjectOptions["method"]>;

interface DocRoute {
  method: Method;
  path: string;
  need: Need;
}

function documentedRoutes(): DocRoute[] {
  const text = readFileSync(join(repoRoot, "docs", "api.md"), "utf8");
  const rows = [...text.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) (\/api\/\S+) \| (\w+) \|/gm)];
  return rows.map(([, method, path, need]) => ({
    method: method as Method,
    path: path as string,
    need: need as Need,
  }));
}

const RANK: Record<Need, number> = { nobody: 0, any: 0, viewer: 1, billing: 2, admin: 3 };

interface Fixture {
  clientId: string;
  runId: number;
  findingKey: string;
  sourceId: number;
  fileName: string;
  content: string;
  targetUserId: number;
  yaml: string;
  planId: number;
  linkId: number;
  sendLinkId: number;
  smtpPort: number;
}

let serial = 0;

/** The password the walk gives each role's account (POST /api/auth/password); it changes it back after. */
const changed = (role: Role) => `${ACCOUNTS[role].password}-changed`;

/** A valid request for each route, so that an allowed caller (of `role`, when it matters) gets a real answer. */
const REQUESTS: Record<string, (f: Fixture, role: Role) => { url?: string; payload?: unknown }> = {
  "POST /api/auth/logout": () => ({}),
  "GET /api/auth/me": () => ({}),
  "POST /api/auth/password": (_f, role) => ({
    payload: { current: ACCOUNTS[role].password, next: changed(role) },
  }),
  "GET /api/dashboard": () => ({}),
  "GET /api/renewals": () => ({ url: "/api/renewals?asOf=2026-11-01" }),
  "GET /api/changes": () => ({}),
  "GET /api/clients": () => ({ url: "/api/clients?limit=5" }),
  "GET /api/clients/:id": (f) => ({ url: `/api/clients/${f.clientId}` }),
  "GET /api/findings": () => ({ url: "/api/findings?limit=5" }),
  "GET /api/findings/totals": () => ({ url: "/api/findings/totals" }),
  "GET /api/findings/evidence": (f) => ({
    url: `/api/findings/evidence?key=${encodeURIComponent(f.findingKey)}`,
  }),
  "GET /api/findings.csv": () => ({}),
  "POST /api/findings/decision": (f) => ({ payload: { key: f.findingKey, status: "accepted" } }),
  "GET /api/catalogue": () => ({}),
  "PUT /api/catalogue": (f) => ({ payload: { yaml: f.yaml } }),
  "POST /api/catalogue/check": (f) => ({ payload: { yaml: f.yaml } }),
  "GET /api/mappings": () => ({}),
  "POST /api/mappings": () => ({
    payload: { kind: "ignore", item: "product", system: "psa", value: `NO-SUCH-PRODUCT-${++serial}` },
  }),
  "GET /api/sources": () => ({}),
  "POST /api/imports/preview": (f) => ({
    payload: { sourceId: f.sourceId, fileName: f.fileName, content: f.content },
  }),
  "POST /api/imports": (f) => ({
    payload: { sourceId: f.sourceId, fileName: f.fileName, content: f.content },
  }),
  "GET /api/imports": () => ({}),
  "POST /api/imports/file/preview": (f) => ({
    url: `/api/imports/file/preview?sourceId=${f.sourceId}&fileName=${encodeURIComponent(f.fileName)}`,
    payload: Buffer.from(f.content, "utf8"),
  }),
  "POST /api/imports/file": (f) => ({
    url: `/api/imports/file?sourceId=${f.sourceId}&fileName=${encodeURIComponent(f.fileName)}`,
    payload: Buffer.from(f.content, "utf8"),
  }),
  "POST /api/runs": () => ({ payload: {} }),
  "GET /api/runs": () => ({}),
  "GET /api/runs/:id": (f) => ({ url: `/api/runs/${f.runId}` }),
  "GET /api/runs/diff": (f) => ({ url: `/api/runs/diff?from=${f.runId}&to=${f.runId}` }),
  "GET /api/users": () => ({}),
  "POST /api/users": () => ({ payload: { email: `new${++serial}@accounts.example`, role: "viewer" } }),
  "PATCH /api/users/:id": (f) => ({ url: `/api/users/${f.targetUserId}`, payload: { role: "viewer" } }),
  "GET /api/audit": () => ({}),
  "GET /api/connections": () => ({}),
  "PUT /api/connections/:name/secrets/:secret": () => ({
    url: "/api/connections/cw/secrets/privateKey",
    payload: { value: "a-private-key" },
  }),
  "POST /api/connections/:name/pull": () => ({ url: "/api/connections/cw/pull" }),
  // Plans of another connection, so that the fixture's plan stays open for the routes below.
  "POST /api/sync/plans": () => ({ payload: { connection: "cw2" } }),
  "GET /api/sync/plans": () => ({}),
  "GET /api/sync/plans/:id": (f) => ({ url: `/api/sync/plans/${f.planId}` }),
  "POST /api/sync/plans/:id/decisions": (f) => ({
    url: `/api/sync/plans/${f.planId}/decisions`,
    payload: { seqs: "all", decision: "pending" },
  }),
  "POST /api/sync/plans/:id/apply": (f) => ({ url: `/api/sync/plans/${f.planId}/apply` }),
  "GET /api/sync/history": () => ({}),
  "GET /api/pricing/plan": () => ({}),
  "GET /api/pricing/letters/:clientId": () => ({ url: "/api/pricing/letters/birchwood" }),
  "POST /api/pricing/apply": () => ({ payload: {} }),
  "POST /api/sync/sandbox/:name/reset": () => ({ url: "/api/sync/sandbox/sbx/reset" }),
  "GET /api/clients/:id/statement": (f) => ({ url: `/api/clients/${f.clientId}/statement?format=json` }),
  "GET /api/clients/:id/evidence": (f) => ({ url: `/api/clients/${f.clientId}/evidence?format=csv` }),
  "GET /api/reports/breakdown": () => ({}),
  "GET /api/margin": () => ({}),
  "POST /api/margin/whatif": () => ({
    payload: { yaml: "bundles:\n  - { id: gold-user, price: '175.00' }\n" },
  }),
  "GET /api/clients/:id/statement-links": (f) => ({ url: `/api/clients/${f.clientId}/statement-links` }),
  "POST /api/clients/:id/statement-links": (f) => ({
    url: `/api/clients/${f.clientId}/statement-links`,
    payload: {},
  }),
  "DELETE /api/statement-links/:id": (f) => ({ url: `/api/statement-links/${f.linkId}` }),
  "POST /api/statement-links/:id/send": (f) => ({
    url: `/api/statement-links/${f.sendLinkId}/send`,
    payload: { to: "office@cobalt.example", url: "http://localhost/s/x" },
  }),
  "GET /api/settings/mail": () => ({}),
  "PUT /api/settings/mail": (f) => ({
    payload: { host: "127.0.0.1", port: f.smtpPort, secure: false, from: "billing@msp.example" },
  }),
  "GET /api/settings/msp": () => ({}),
  "PUT /api/settings/msp": () => ({ payload: { name: "Roles MSP", address: ["1 Road"], paper: "A4" } }),
  // A logo is stored before the walk (the GET answers 404 without one); the admin's DELETE removes it.
  "GET /api/settings/msp/logo": () => ({}),
  "PUT /api/settings/msp/logo": () => ({
    payload: { logo: readFileSync(join(demoDir, "logo.png")).toString("base64") },
  }),
  "DELETE /api/settings/msp/logo": () => ({}),
};

/** The demo with two ConnectWise connections (one fake PSA) read by billing sources, and one plan. */
async function withPsa(h: Harness): Promise<{ fake: CwFake; planId: number }> {
  const fake = await startConnectwiseFake({
    companies: [{ id: "19300", name: "Cobalt" }],
    agreements: [{ id: "7", company: "19300", name: "Managed", active: true }],
    lines: [
      {
        id: "70",
        agreement: "7",
        product: "M365-BP",
        quantity: 3,
        unitPrice: "26.40",
        startDate: "2026-01-01",
        active: true,
      },
    ],
  });
  Object.assign(process.env, fake.env, { TRUEUP_SECRET_KEY: randomBytes(32).toString("base64") });
  const conn = (name: string) => {
    const c = fake.connection(name);
    const secrets = Object.entries(c.secretEnv).map(([k, v]) => `${k}Env: ${v}`);
    const settings = Object.entries(c.settings).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    return `  ${name}: { kind: connectwise, url: ${c.url}, ${[...settings, ...secrets].join(", ")} }\n`;
  };
  const yaml = (await h.store.configYaml())
    .replace(
      /^sources:\n/m,
      "sources:\n  - { kind: billing, connection: cw }\n  - { kind: billing, connection: cw2 }\n",
    )
    .concat(`connections:\n${conn("cw")}${conn("cw2")}`);
  const saved = await h.store.saveConfigYaml(yaml, { name: "test" });
  if (saved.issues.some((i) => i.severity === "error")) throw new Error(JSON.stringify(saved.issues));
  const plan = await planInApp(
    h.store,
    "cw",
    { effective: "2026-12-01", includePrices: false, today: "2026-11-25" },
    { name: "test" },
  );
  return { fake, planId: plan.id };
}

const routes = documentedRoutes();
let h: Harness;
let fixture: Fixture;
let psa: CwFake;
let smtp: SMTPServer;
const sessions = {} as Record<Role, Session>;

beforeAll(async () => {
  h = await startServer();
  for (const role of ROLES) sessions[role] = await signIn(h.app, role);
  const run = await h.store.latestRun();
  const findings = await h.store.listFindings({ limit: 1, offset: 0 });
  const source = (await h.store.listSources()).find((s) => s.kind === "users");
  const target = await h.store.addUser("target@accounts.example", "viewer", { name: "test" });
  if (!run || !findings.items[0] || !source) throw new Error("the demo has no run, finding or users source");
  const withConnections = await withPsa(h);
  // The demo's PSA file as a sandbox PSA (its reset route).
  await setUpSandbox(h.store, "sbx", { name: "test" }, "2026-11-25");
  // A real SMTP server for sending statements (it takes every message).
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData: (st, _s, cb) => st.resume().on("end", () => cb()),
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  await h.store.saveMailSettings(
    { host: "127.0.0.1", port: smtpPort, secure: false, from: "billing@msp.example" },
    { name: "test" },
  );
  const share = async () =>
    (await call(h.app, sessions.admin, "POST", "/api/clients/cobalt/statement-links", {})).json().link
      .id as number;
  const [linkId, sendLinkId] = [await share(), await share()];
  await h.store.setMspLogo(readFileSync(join(demoDir, "logo.png")), { name: "test" });
  psa = withConnections.fake;
  fixture = {
    planId: withConnections.planId,
    linkId,
    sendLinkId,
    smtpPort,
    clientId: "cobalt",
    runId: run.id,
    findingKey: findings.items[0].key,
    sourceId: source.id,
    fileName: "users.csv",
    content: readFileSync(join(demoDir, source.file), "utf8"),
    targetUserId: target.user.id,
    yaml: await h.store.configYaml(),
  };
});
afterAll(async () => {
  await h?.close();
  await psa?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

function requestFor(route: DocRoute, role: Role = "admin") {
  const build = REQUESTS[`${route.method} ${route.path}`];
  if (!build) throw new Error(`no request for ${route.method} ${route.path}`);
  const { url, payload } = build(fixture, role);
  return { url: url ?? route.path, payload };
}

describe("the role matrix of docs/api.md", () => {
  it("documents every route this test walks, and the test walks every documented route", () => {
    const documented = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(documented).toEqual([...Object.keys(REQUESTS), "POST /api/auth/login"].sort());
  });

  it("answers 401 unauthenticated to nobody on every route but login", async () => {
    for (const route of routes.filter((r) => r.need !== "nobody")) {
      const { url, payload } = requestFor(route);
      const response = await call(h.app, null, route.method, url, payload);
      expect([route.path, response.statusCode, response.json()]).toEqual([
        route.path,
        401,
        expect.objectContaining({ error: "unauthenticated" }),
      ]);
    }
  });

  for (const role of ROLES) {
    it(`lets a ${role} do what the role allows and answers 403 forbidden to the rest`, async () => {
      for (const route of routes.filter((r) => r.need !== "nobody" && r.path !== "/api/auth/logout")) {
        const { url, payload } = requestFor(route, role);
        const response = await call(h.app, sessions[role], route.method, url, payload);
        const allowed = RANK[role] >= RANK[route.need];
        const outcome = allowed ? response.statusCode < 300 : response.json().error;
        expect([route.method, route.path, outcome, response.body.slice(0, 300)]).toEqual([
          route.method,
          route.path,
          allowed ? true : "forbidden",
          expect.any(String),
        ]);
      }
      // The walk changed the account's password: back to the one the other tests sign in with.
      const back = { current: changed(role), next: ACCOUNTS[role].password };
      expect((await call(h.app, sessions[role], "POST", "/api/auth/password", back)).statusCode).toBe(204);
    });
  }

  it("lets anyone log in and every role log out", async () => {
    for (const role of ROLES) {
      const session = await signIn(h.app, role);
      expect((await call(h.app, session, "POST", "/api/auth/logout")).statusCode).toBe(204);
      expect((await call(h.app, session, "GET", "/api/auth/me")).statusCode).toBe(401);
    }
  });
});

describe("CSRF", () => {
  const changing = () => routes.filter((r) => r.method !== "GET" && r.need !== "nobody");

  it("refuses every state-changing request without the X-CSRF-Token header, even an admin's", async () => {
    for (const route of changing()) {
      const { url, payload } = requestFor(route);
      const response = await h.app.inject({
        method: route.method,
        url,
        headers: { cookie: sessions.admin.cookie },
        payload: payload as object,
      });
      expect([route.path, response.statusCode, response.json().error]).toEqual([route.path, 403, "csrf"]);
    }
  });

  it("refuses a wrong token and another session's token", async () => {
    const other = await signIn(h.app, "admin");
    for (const csrf of ["wrong", `${sessions.admin.csrf}x`, "", other.csrf]) {
      const response = await h.app.inject({
        method: "POST",
        url: "/api/runs",
        headers: { cookie: sessions.admin.cookie, "x-csrf-token": csrf },
        payload: {},
      });
      expect([csrf, response.statusCode, response.json().error]).toEqual([csrf, 403, "csrf"]);
    }
  });

  it("does not ask for the token on reads", async () => {
    const response = await h.app.inject({
      url: "/api/dashboard",
      headers: { cookie: sessions.viewer.cookie },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe("the OpenAPI document", () => {
  it("lists every documented route with its method", async () => {
    const response = await h.app.inject({ url: "/api/openapi.json" });
    expect(response.statusCode).toBe(200);
    const paths = response.json().paths as Record<string, Record<string, unknown>>;
    const listed = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(listed.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("serves a docs page", async () => {
    const response = await h.app.inject({ url: "/api/docs/" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/html");
  });
});
