import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../src/connectors/context.ts";
import { HttpClient } from "../src/connectors/http.ts";
import type { Exchange } from "../src/connectors/types.ts";
import { buildApp } from "../src/server/app.ts";
import { createStore, openDb } from "../src/store/index.ts";
import { runBinary, SECRETS, startPullFakes, writeWorkspace } from "./cli-harness.ts";
import { type FakeServer, json, startFake } from "./fakes/server.ts";
import { trueup } from "./fixtures.ts";
import { call, signIn } from "./server-harness.ts";
import { withEnv } from "./store-databases.ts";
import { EFFECTIVE, syncFixture, writeFixture } from "./sync-fixture.ts";
import { PSAS } from "./sync-harness.ts";

// No secret ever reaches an output: the CLI's stdout and stderr, the server's log lines and answers,
// exported workspaces, pulled files, the sync history and the audit log. The secrets have
// distinctive values; the credentials actually sent (Basic tokens, bearer tokens the fakes issued,
// header secrets) are read back from the fakes' request logs and checked too.

const made: string[] = [];
const outputs: { where: string; text: string }[] = [];
const secrets = new Map<string, string>(); // value -> what it is
const KEY = randomBytes(32).toString("base64");
const WRONG = {
  hunt: "hunt-wrong-Zz1LEAK10",
  stored: "hunt-stored-Qw2LEAK11",
  cw: "cw-priv-wrong-Er3LEAK12",
};

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function secret(value: string | undefined, what: string): void {
  if (value && value.length >= 6) secrets.set(value, what);
}

/** Every credential a client sent the fake: auth header tokens and header secrets. */
function sent(fake: FakeServer, name: string): void {
  for (const r of fake.requests) {
    const auth = r.headers.authorization;
    if (auth) secret(auth.split(" ").slice(1).join(" "), `${name} authorization token`);
    for (const h of ["clientid", "username", "secret", "apiintegrationcode"]) {
      const v = r.headers[h];
      if (typeof v === "string") secret(v, `${name} ${h} header`);
    }
  }
}

function record(where: string, run: { stdout: string; stderr: string }): void {
  outputs.push(
    { where: `${where} (stdout)`, text: run.stdout },
    { where: `${where} (stderr)`, text: run.stderr },
  );
}

async function files(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile())
      outputs.push({
        where: join(e.parentPath, e.name),
        text: await readFile(join(e.parentPath, e.name), "utf8"),
      });
}

function leaks(): string[] {
  const found: string[] = [];
  for (const o of outputs)
    for (const [value, what] of secrets) if (o.text.includes(value)) found.push(`${o.where} holds ${what}`);
  return found;
}

afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

describe("no secret leaves Trueup", () => {
  beforeAll(() => {
    for (const [name, value] of Object.entries(SECRETS)) secret(value, name);
    for (const [name, value] of Object.entries(WRONG)) secret(value, `wrong ${name} secret`);
    secret(KEY, "TRUEUP_SECRET_KEY");
    const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString("base64");
    secret(basic(SECRETS.TRUEUP_CONN_T_HUNT_KEY, SECRETS.TRUEUP_CONN_T_HUNT_SECRET), "Huntress Basic token");
    secret(basic(SECRETS.TRUEUP_CONN_T_HUNT_KEY, WRONG.hunt), "wrong Huntress Basic token");
    secret(
      basic(`trueup_test+${SECRETS.TRUEUP_CONN_T_CW_PUBLIC}`, SECRETS.TRUEUP_CONN_T_CW_PRIVATE),
      "ConnectWise Basic token",
    );
  });

  it("in the CLI's output, pulled and exported files, the sync history and the app's logs and answers", async () => {
    const fakes = await startPullFakes();
    try {
      const dir = await writeWorkspace(fakes.yaml(), await temp("trueup-leak-ws-"));
      const data = await temp("trueup-leak-data-");
      const env = { ...fakes.env, DATABASE_URL: undefined, TRUEUP_DATA: data, TRUEUP_SECRET_KEY: KEY };
      const cli = async (e: Record<string, string | undefined>, ...args: string[]) => {
        const run = await withEnv({ ...env, ...e }, () => trueup(...args));
        record(`trueup ${args.join(" ")}`, run);
        return run;
      };
      // A token server that echoes the credentials it refuses.
      const echo = `unknown client ${SECRETS.TRUEUP_CONN_T_NINJA_ID} (secret ${SECRETS.TRUEUP_CONN_T_NINJA_SECRET})`;
      fakes.ninja.inject({
        match: (r) => r.path === "/ws/oauth/token",
        answer: json({ error: "invalid_client", error_description: echo }, 401),
        times: 1,
      });
      // The real binary, for whatever a process prints beyond the command's own output.
      const failing = await runBinary(["pull", "--workspace", dir], {
        ...env,
        TRUEUP_CONN_T_HUNT_SECRET: WRONG.hunt,
      });
      record("trueup pull (Huntress refused)", failing);
      expect(failing.code).toBe(3);
      expect(failing.stderr).toContain("ninja (NinjaOne) failed");
      expect(failing.stderr).toContain("unknown client *** (secret ***)");
      expect(failing.stderr).toContain("hunt (Huntress) failed");
      expect((await cli({}, "pull", "--workspace", dir)).code).toBe(0);
      const ws = ["--workspace", dir, "--connection", "cw"];
      expect((await cli({}, "sync", "plan", ...ws, "--format", "table")).code).toBe(0);
      expect(
        (await cli({ TRUEUP_CONN_T_CW_PRIVATE: WRONG.cw }, "sync", "plan", ...ws, "--format", "json")).code,
      ).toBe(3);
      expect((await cli({}, "sync", "plan", ...ws, "--format", "json")).code).toBe(0);
      const applied = await runBinary(["sync", "apply", ...ws, "--yes"], env);
      record("trueup sync apply --yes", applied);
      expect(applied.code).toBe(0);
      expect((await cli({}, "import", "--workspace", dir)).code).toBe(0);
      expect((await cli({}, "pull", "--connection", "ninja")).code).toBe(0);
      expect(
        (await cli({ TRUEUP_CONN_T_HUNT_SECRET: WRONG.hunt }, "pull", "--connection", "hunt")).code,
      ).toBe(3);

      // The app over the same database, its log lines kept.
      const logs: string[] = [];
      const store = createStore(await openDb({ dataDir: data }));
      const admin = { email: "ada@leak.example", password: "admin-leak-pw-1" };
      await store.addUser(admin.email, "admin", { name: "test" }, admin.password);
      const app = await buildApp({
        store,
        logger: { level: "trace", stream: { write: (line) => logs.push(line) } },
        webRoot: join(data, "no-web-ui"),
        today: () => "2026-11-01",
      });
      try {
        const session = await signIn(app, admin);
        const api = async (method: "GET" | "PUT" | "POST", url: string, payload?: unknown) => {
          const res = await call(app, session, method, url, payload);
          outputs.push({ where: `${method} ${url} -> ${res.statusCode}`, text: res.body });
          return res;
        };
        const put = (conn: string, name: string, value: string) =>
          api("PUT", `/api/connections/${conn}/secrets/${name}`, { value });
        await withEnv({ ...env, TRUEUP_SECRET_KEY: undefined }, async () => {
          expect((await put("ninja", "clientSecret", SECRETS.TRUEUP_CONN_T_NINJA_SECRET)).statusCode).toBe(
            400,
          );
        });
        await withEnv(
          { ...env, TRUEUP_CONN_T_NINJA_ID: undefined, TRUEUP_CONN_T_NINJA_SECRET: undefined },
          async () => {
            expect((await put("ninja", "clientId", SECRETS.TRUEUP_CONN_T_NINJA_ID)).statusCode).toBe(204);
            expect((await put("ninja", "clientSecret", SECRETS.TRUEUP_CONN_T_NINJA_SECRET)).statusCode).toBe(
              204,
            );
            expect((await put("ninja", "noSuchSecret", SECRETS.TRUEUP_CONN_T_NINJA_SECRET)).statusCode).toBe(
              404,
            );
            expect((await put("hunt", "apiSecret", WRONG.stored)).statusCode).toBe(204);
            expect((await api("POST", "/api/connections/ninja/pull")).json()).toMatchObject({ ok: true });
            expect((await api("POST", "/api/connections/hunt/pull")).json()).toMatchObject({ ok: false });
            await withEnv({ TRUEUP_CONN_T_CW_PRIVATE: WRONG.cw }, async () => {
              const refused = await api("POST", "/api/sync/plans", {
                connection: "cw",
                effective: EFFECTIVE,
              });
              expect(refused.statusCode).toBe(502);
            });
            fakes.cw.setQuantity("9001", 2); // a person undid the CLI's apply: the app has a change to send
            const plan = (
              await api("POST", "/api/sync/plans", { connection: "cw", effective: EFFECTIVE })
            ).json();
            await api("POST", `/api/sync/plans/${plan.id}/decisions`, { seqs: "all", decision: "approved" });
            expect((await api("POST", `/api/sync/plans/${plan.id}/apply`)).json()).toMatchObject({
              applied: 1,
            });
            for (const url of ["/api/connections", "/api/sync/history?limit=500", "/api/audit?limit=500"])
              expect((await api("GET", url)).statusCode).toBe(200);
            expect((await api("GET", `/api/sync/plans/${plan.id}`)).statusCode).toBe(200);
          },
        );
      } finally {
        await app.close();
        await store.close();
      }
      outputs.push({ where: "server log", text: logs.join("") });
      expect(logs.length).toBeGreaterThan(10);

      expect((await cli({}, "sync", "history", "--format", "json")).code).toBe(0);
      expect((await cli({}, "sync", "history", "--format", "table")).code).toBe(0);
      const exported = await temp("trueup-leak-export-");
      expect((await cli({}, "export", "--workspace", exported)).code).toBe(0);
      await files(exported);
      await files(dir);
      for (const f of [fakes.ninja, fakes.hunt, fakes.s1, fakes.cw]) sent(f, "sent");
      for (const t of fakes.ninja.tokens) secret(t, "NinjaOne bearer token");
      expect(secrets.size).toBeGreaterThan(15);
      // The check finds what it looks for (a Basic token as a proxy would log it).
      outputs.push({ where: "canary", text: `Authorization: Basic ${[...secrets.keys()].at(-1)}` });
      expect(leaks()).toHaveLength(1);
      outputs.pop();
      expect(leaks()).toEqual([]);
    } finally {
      await fakes.close();
    }
  });

  it.each(PSAS)("in the pulls, plans, applies and history of $name", async (psa) => {
    const fixture = syncFixture(31, 3);
    const fake = await psa.start(fixture.psa);
    const before = outputs.length;
    try {
      const conn = fake.connection(`${psa.name}-leak`);
      const dir = await writeFixture(fixture, conn, await temp("trueup-leak-psa-"));
      const env = { ...fake.env, DATABASE_URL: undefined, TRUEUP_DATA: await temp("trueup-leak-psa-data-") };
      for (const [name, value] of Object.entries(fake.env)) secret(value, `${psa.name} ${name}`);
      const cli = async (e: Record<string, string>, ...args: string[]) => {
        const run = await withEnv({ ...env, ...e }, () => trueup(...args));
        record(`${psa.name}: trueup ${args.join(" ")}`, run);
        return run.code;
      };
      const at = ["--workspace", dir, "--connection", conn.name];
      // A wrong secret (not a wrong user: Autotask answers an unknown user's zone lookup 500, retried).
      const key = Object.keys(fake.env).find((k) => /PRIVATE|SECRET$/.test(k)) as string;
      const wrong = { [key]: `${key.toLowerCase()}-wrong-LEAK13` };
      for (const v of Object.values(wrong)) secret(v, `${psa.name} wrong secret`);
      expect(await cli(wrong, "pull", ...at)).toBe(3);
      expect(await cli({}, "pull", ...at)).toBe(0);
      expect(await cli(wrong, "sync", "plan", ...at, "--format", "json")).toBe(3);
      expect(await cli({}, "sync", "plan", ...at, "--format", "table")).toBe(0);
      expect(await cli({}, "sync", "apply", ...at, "--yes")).toBe(0);
      expect(await cli({}, "sync", "history", "--format", "json")).toBe(0);
      await files(dir);
      sent(fake, psa.name);
      expect(outputs.length).toBeGreaterThan(before);
      expect(leaks()).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it("an echoed Bearer token, and a secret URL-, form- or base64-encoded, are masked in errors and exchanges", async () => {
    const token = "tok/en+Bearer=LEAK15";
    const value = "sec ret&Form/LEAK16";
    const echo = await startFake((req) =>
      json(
        {
          message: `no: ${req.headers.authorization} ${encodeURIComponent(value)} ${new URLSearchParams({ v: value }).toString()} ${Buffer.from(value).toString("base64")}`,
        },
        401,
      ),
    );
    try {
      const conn = { name: "e", kind: "pax8" as const, settings: {}, secretEnv: { s: "TRUEUP_CONN_E_S" } };
      const logged: Exchange[] = [];
      const ctx = createContext(conn, { env: { TRUEUP_CONN_E_S: value }, onExchange: (e) => logged.push(e) });
      ctx.secret("s");
      const http = new HttpClient({
        name: "e",
        baseUrl: echo.url,
        ctx,
        headers: () => ({ authorization: `Bearer ${token}` }),
      });
      const error = await http.get("/x").then(
        () => "no error",
        (e: Error) => e.message,
      );
      expect(error).toContain("answered 401: no: *** ");
      const text = `${error} ${JSON.stringify(logged)}`;
      for (const form of [token, value, encodeURIComponent(value), Buffer.from(value).toString("base64")])
        expect(text).not.toContain(form);
      expect(text).not.toContain(new URLSearchParams({ v: value }).toString().slice(2));
    } finally {
      await echo.close();
    }
  });

  it("an echoed secret holding quotes or backslashes is scrubbed from the exchange log", () => {
    const value = 'Pa"ss\\w0rd,"x":-LEAK14';
    const conn = {
      name: "at",
      kind: "autotask" as const,
      settings: {},
      secretEnv: { secret: "TRUEUP_CONN_AT_S" },
    };
    const logged: Exchange[] = [];
    const ctx = createContext(conn, { env: { TRUEUP_CONN_AT_S: value }, onExchange: (e) => logged.push(e) });
    ctx.secret("secret");
    const body = { message: `bad secret ${value}`, [value]: [value, 12], when: new Date(0) };
    ctx.exchange({
      method: "POST",
      path: "/x",
      requestBody: body,
      responseBody: body,
      status: 401,
      ms: 1,
      attempt: 1,
    });
    const text = JSON.stringify(logged);
    expect(text).not.toContain(value);
    expect(text).not.toContain(JSON.stringify(value).slice(1, -1));
    expect(logged[0]?.responseBody).toEqual({
      message: "bad secret ***",
      "***": ["***", 12],
      when: "1970-01-01T00:00:00.000Z",
    });
  });
});
