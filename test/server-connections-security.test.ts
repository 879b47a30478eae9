import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHuntressFake } from "./fakes/huntress.ts";
import { json, startFake } from "./fakes/server.ts";
import { call, type Harness, type Session, signIn, startServer } from "./server-harness.ts";
import { withEnv } from "./store-databases.ts";

// Issue #9, items 1 and 2, through the real server: who may point a connection somewhere, which
// variables it may read, where it may call, that a stored secret follows its address, and that a
// credential an API echoes back (raw, Basic base64(key:secret), URL-encoded) never reaches a viewer,
// an answer, the log or the data folder.

const KEY = randomBytes(32).toString("base64");
let h: Harness;
let saved: string | undefined;

beforeAll(async () => {
  saved = process.env.TRUEUP_SECRET_KEY;
  process.env.TRUEUP_SECRET_KEY = KEY;
  h = await startServer();
});

afterAll(async () => {
  await h?.close();
  if (saved === undefined) delete process.env.TRUEUP_SECRET_KEY;
  else process.env.TRUEUP_SECRET_KEY = saved;
});

/** A bare listener: counts every connection made to it, whatever is sent. */
async function listener() {
  const hits: { url: string; authorization?: string }[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    hits.push({ url: req.url ?? "", authorization: req.headers.authorization });
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** trueup.yaml with a connection NAME (given as YAML keys) that a deployments source reads. */
function withConnection(yaml: string, name: string, conn: Record<string, string>): string {
  const body = Object.entries(conn)
    .map(([k, v]) => `    ${k}: '${v}'`)
    .join("\n");
  const base = yaml
    .replace(/\nconnections:\n[\s\S]*$/, "\n")
    .replace(/\n {2}- \{ kind: deployments, connection: .*\}/g, "");
  const sources = base.replace(
    /\nsources:\n/,
    `\nsources:\n  - { kind: deployments, connection: ${name}, deployment: edr }\n`,
  );
  return `${sources.trimEnd()}\nconnections:\n  ${name}:\n${body}\n`;
}

async function catalogue(session: Session): Promise<string> {
  return (await call(h.app, session, "GET", "/api/catalogue")).json().yaml;
}

async function demoYaml(): Promise<string> {
  return (await catalogue(await signIn(h.app, "admin"))).replace(/\nconnections:\n[\s\S]*$/, "\n");
}

async function secretsOf(session: Session, name: string) {
  const all = (await call(h.app, session, "GET", "/api/connections")).json();
  return all.find((c: { name: string }) => c.name === name).secrets as { name: string; source: string }[];
}

describe("connections are the admin's, and read only what the operator allowed", () => {
  it("the issue's attack: a billing user's catalogue edit pointing Trueup's own variables at a listener", async () => {
    const probe = await listener();
    try {
      const billing = await signIn(h.app, "billing");
      const attack = withConnection(await catalogue(billing), "probe", {
        kind: "huntress",
        url: `${probe.url}/env`,
        apiKeyEnv: "TRUEUP_SECRET_KEY",
        apiSecretEnv: "TRUEUP_DATA",
      });
      const put = await call(h.app, billing, "PUT", "/api/catalogue", { yaml: attack });
      expect(put.statusCode).toBe(403);
      expect(put.json().error).toBe("forbidden");
      expect(put.json().message).toContain("connections.probe");
      expect(put.json().message).toContain("only an admin may change connections");
      expect((await call(h.app, billing, "POST", "/api/connections/probe/pull")).statusCode).toBe(404);
      // Not even an admin may name Trueup's own variables.
      const admin = await signIn(h.app, "admin");
      const asAdmin = await call(h.app, admin, "PUT", "/api/catalogue", { yaml: attack });
      expect(asAdmin.statusCode).toBe(400);
      const messages = asAdmin
        .json()
        .issues.map((i: { message: string }) => i.message)
        .join("\n");
      expect(messages).toContain("the variable TRUEUP_SECRET_KEY is refused");
      expect(messages).toContain("the variable TRUEUP_DATA is refused");
      expect((await call(h.app, billing, "POST", "/api/connections/probe/pull")).statusCode).toBe(404);
      expect(probe.connections()).toBe(0);
    } finally {
      await probe.close();
    }
  });

  it("a billing user may edit the catalogue but not a connection's url, kind or variables", async () => {
    const admin = await signIn(h.app, "admin");
    const billing = await signIn(h.app, "billing");
    const base = withConnection(await demoYaml(), "edr", {
      kind: "huntress",
      url: "http://127.0.0.1:9/",
      apiKeyEnv: "TRUEUP_CONN_EDR_KEY",
    });
    expect((await call(h.app, admin, "PUT", "/api/catalogue", { yaml: base })).statusCode).toBe(200);
    const edits: [string, string, string][] = [
      ["url: 'http://127.0.0.1:9/'", "url: 'http://127.0.0.1:10/'", "connections.edr.url"],
      ["apiKeyEnv: 'TRUEUP_CONN_EDR_KEY'", "apiKeyEnv: 'TRUEUP_CONN_OTHER'", "connections.edr.apiKeyEnv"],
      ["kind: 'huntress'", "kind: 'sentinelone'", "connections.edr.kind"],
      [
        "kind: 'huntress'",
        "kind: 'huntress'\n    apiSecretEnv: 'TRUEUP_CONN_X'",
        "connections.edr.apiSecretEnv",
      ],
    ];
    for (const [from, to, key] of edits) {
      const res = await call(h.app, billing, "PUT", "/api/catalogue", { yaml: base.replace(from, to) });
      expect(res.statusCode, key).toBe(403);
      expect(res.json().message).toContain(key);
    }
    // Anything else is still the billing user's to change; so is a connection's comment or layout.
    const renamed = base.replace("# ", "# edited by billing: ").replace(/\n$/, "\n# the end\n");
    const ok = await call(h.app, billing, "PUT", "/api/catalogue", { yaml: renamed });
    expect(ok.statusCode).toBe(200);
  });

  it("a stored secret follows its connection's url: changed by an admin, it is unusable until entered again", async () => {
    const hunt = await startHuntressFake({
      key: "hunt-key-Bound01",
      secret: "hunt-secret-Bound02",
      organizations: [{ id: 7, name: "Acme" }],
      agents: [
        {
          id: 1,
          organization_id: 7,
          hostname: "PC-1",
          serial_number: "SN1",
          last_callback_at: "2026-10-30T10:00:00Z",
        },
      ],
    });
    const probe = await listener();
    try {
      const admin = await signIn(h.app, "admin");
      const billing = await signIn(h.app, "billing");
      const yaml = withConnection(await demoYaml(), "hunt", { kind: "huntress", url: hunt.url });
      const saved = await call(h.app, admin, "PUT", "/api/catalogue", { yaml });
      expect(saved.statusCode, saved.body).toBe(200);
      const store = (name: string, value: string) =>
        call(h.app, admin, "PUT", `/api/connections/hunt/secrets/${name}`, { value });
      expect((await store("apiKey", "hunt-key-Bound01")).statusCode).toBe(204);
      expect((await store("apiSecret", "hunt-secret-Bound02")).statusCode).toBe(204);
      const pulled = await call(h.app, billing, "POST", "/api/connections/hunt/pull");
      expect(pulled.json()).toMatchObject({ ok: true });

      // The billing user cannot move it; an admin can, and the stored secrets stay behind.
      const moved = yaml.replace(hunt.url, probe.url);
      expect((await call(h.app, billing, "PUT", "/api/catalogue", { yaml: moved })).statusCode).toBe(403);
      expect((await call(h.app, admin, "PUT", "/api/catalogue", { yaml: moved })).statusCode).toBe(200);
      expect((await secretsOf(billing, "hunt")).map((s) => s.source)).toEqual(["unbound", "unbound"]);
      const refused = (await call(h.app, billing, "POST", "/api/connections/hunt/pull")).json();
      expect(refused.ok).toBe(false);
      expect(refused.error).toContain("no apiKey given");
      expect(probe.connections()).toBe(0);

      // Entered again by an admin, they go to the new address.
      expect((await store("apiKey", "hunt-key-Bound01")).statusCode).toBe(204);
      expect((await store("apiSecret", "hunt-secret-Bound02")).statusCode).toBe(204);
      expect((await secretsOf(billing, "hunt")).map((s) => s.source)).toEqual(["stored", "stored"]);
      await call(h.app, billing, "POST", "/api/connections/hunt/pull");
      const basic = Buffer.from("hunt-key-Bound01:hunt-secret-Bound02").toString("base64");
      expect(probe.hits[0]?.authorization).toBe(`Basic ${basic}`);
    } finally {
      await probe.close();
      await hunt.close();
    }
  });

  it("calls go to https:// only, unless the operator allows a host: refused on save and at the pull", async () => {
    const probe = await listener();
    try {
      const admin = await signIn(h.app, "admin");
      const yaml = withConnection(await demoYaml(), "plain", {
        kind: "huntress",
        url: probe.url,
        apiKeyEnv: "TRUEUP_CONN_PLAIN_KEY",
        apiSecretEnv: "TRUEUP_CONN_PLAIN_SECRET",
      });
      const env = { TRUEUP_CONN_PLAIN_KEY: "plain-key-0001", TRUEUP_CONN_PLAIN_SECRET: "plain-secret-0002" };
      await withEnv({ ...env, TRUEUP_ALLOW_HTTP_HOSTS: undefined }, async () => {
        const res = await call(h.app, admin, "PUT", "/api/catalogue", { yaml });
        expect(res.statusCode).toBe(400);
        expect(res.json().issues).toContainEqual(
          expect.objectContaining({
            field: "connections.plain.url",
            message: expect.stringContaining(
              "is not https:// (allow plain http to this host with TRUEUP_ALLOW_HTTP_HOSTS=127.0.0.1)",
            ),
          }),
        );
      });
      // Saved while the host was allowed, then the allowance withdrawn: the pull sends nothing.
      expect((await call(h.app, admin, "PUT", "/api/catalogue", { yaml })).statusCode).toBe(200);
      await withEnv({ ...env, TRUEUP_ALLOW_HTTP_HOSTS: undefined }, async () => {
        const pull = (await call(h.app, admin, "POST", "/api/connections/plain/pull")).json();
        expect(pull.ok).toBe(false);
        expect(pull.error).toContain(`refused to call ${probe.url}`);
      });
      expect(probe.connections()).toBe(0);
      await withEnv({ ...env, TRUEUP_ALLOW_HTTP_HOSTS: "127.0.0.1" }, async () => {
        await call(h.app, admin, "POST", "/api/connections/plain/pull");
      });
      expect(probe.connections()).toBeGreaterThan(0);
    } finally {
      await probe.close();
    }
  });

  it("a variable outside the allowance is never read, also from a catalogue saved under another allowance", async () => {
    const probe = await listener();
    try {
      const admin = await signIn(h.app, "admin");
      const yaml = withConnection(await demoYaml(), "odd", {
        kind: "huntress",
        url: probe.url,
        apiKeyEnv: "PROBE_KEY",
        apiSecretEnv: "PROBE_SECRET",
      });
      const env = { PROBE_KEY: "probe-key-0003", PROBE_SECRET: "probe-secret-0004" };
      await withEnv(env, async () => {
        const res = await call(h.app, admin, "PUT", "/api/catalogue", { yaml });
        expect(res.statusCode).toBe(400);
        expect(res.json().issues).toContainEqual(
          expect.objectContaining({
            field: "connections.odd.apiKeyEnv",
            message: expect.stringContaining("may only read variables starting with TRUEUP_CONN_"),
          }),
        );
      });
      await withEnv({ ...env, TRUEUP_CONN_ENV_PREFIX: "PROBE_" }, async () => {
        expect((await call(h.app, admin, "PUT", "/api/catalogue", { yaml })).statusCode).toBe(200);
      });
      await withEnv(env, async () => {
        expect((await secretsOf(admin, "odd")).map((s) => s.source)).toEqual(["refused", "refused"]);
        const pull = (await call(h.app, admin, "POST", "/api/connections/odd/pull")).json();
        expect(pull.ok).toBe(false);
        expect(pull.error).toContain("apiKeyEnv PROBE_KEY is refused");
      });
      expect(probe.connections()).toBe(0);
    } finally {
      await probe.close();
    }
  });
});

async function dataFolderText(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(await readFile(join(e.parentPath, e.name)));
  return out;
}

describe("a credential an API echoes back is masked in every form", () => {
  it("raw, Basic base64(key:secret) and URL-encoded: not in the answer, lastError, the log or the data folder", async () => {
    const key = "echo-key/Ab+1LEAK21";
    const secret = "echo-secret=Cd&2LEAK22";
    const basic = Buffer.from(`${key}:${secret}`).toString("base64");
    const echo = await startFake((req) =>
      json(
        {
          message: `refused ${req.headers.authorization} (key=${encodeURIComponent(key)}&secret=${encodeURIComponent(secret)}) ${"detail ".repeat(400)}`,
        },
        401,
      ),
    );
    try {
      const admin = await signIn(h.app, "admin");
      const viewer = await signIn(h.app, "viewer");
      const yaml = withConnection(await demoYaml(), "echo", {
        kind: "huntress",
        url: echo.url,
        apiKeyEnv: "TRUEUP_CONN_ECHO_KEY",
        apiSecretEnv: "TRUEUP_CONN_ECHO_SECRET",
      });
      expect((await call(h.app, admin, "PUT", "/api/catalogue", { yaml })).statusCode).toBe(200);
      const answers: string[] = [];
      await withEnv({ TRUEUP_CONN_ECHO_KEY: key, TRUEUP_CONN_ECHO_SECRET: secret }, async () => {
        const pull = await call(h.app, admin, "POST", "/api/connections/echo/pull");
        answers.push(pull.body);
        expect(pull.json().ok).toBe(false);
        expect(pull.json().error).toContain("refused ***");
      });
      expect(echo.requests[0]?.headers.authorization).toBe(`Basic ${basic}`);
      const view = await call(h.app, viewer, "GET", "/api/connections");
      answers.push(view.body);
      const lastError = view.json().find((c: { name: string }) => c.name === "echo").lastError as string;
      expect(lastError.length).toBeLessThanOrEqual(300);
      expect(lastError).toContain("answered 401");
      const forms = [key, secret, basic, encodeURIComponent(key), encodeURIComponent(secret)];
      const where = [
        ...answers.map((text, i) => ({ where: `answer ${i}`, text: Buffer.from(text) })),
        { where: "server log", text: Buffer.from(h.logs.join("")) },
        ...(await dataFolderText(h.dataDir)).map((text, i) => ({ where: `data file ${i}`, text })),
      ];
      const leaks = where.flatMap((w) =>
        forms.filter((f) => w.text.includes(f)).map((f) => `${w.where}: ${f}`),
      );
      expect(leaks).toEqual([]);
      // The check finds what it looks for.
      expect(Buffer.from(`x ${basic} x`).includes(basic)).toBe(true);
    } finally {
      await echo.close();
    }
  });
});
