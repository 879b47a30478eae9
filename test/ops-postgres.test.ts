import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./fixtures.ts";
import { eventually, type Served, serve, trueupBinary } from "./ops-harness.ts";

// Trueup on PostgreSQL as an operator runs it: several processes starting at once on an empty
// database (one loads the demo and makes the admin, all come up), and /readyz following the database
// as it stops and comes back (a throwaway server of .ci/pg-start, stopped and started with pg_ctl).

const SERVER = process.env.TRUEUP_TEST_DATABASE_URL;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function count(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`select count(*)::int as n from ${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

const status = async (url: string) => (await fetch(url)).status;

describe.skipIf(!SERVER)("several processes on one empty PostgreSQL database", () => {
  const name = `trueup_ops_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(SERVER ?? "postgres://x@localhost/x");
  url.pathname = `/${name}`;
  afterAll(() => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

  it("three servers started at once: one demo, one admin, three healthy processes", async () => {
    await admin(`CREATE DATABASE "${name}"`);
    const env = { DATABASE_URL: url.toString() };
    const started = await Promise.allSettled([serve(env), serve(env), serve(env)]);
    const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    try {
      expect(started.map((s) => (s.status === "rejected" ? String(s.reason) : "up"))).toEqual([
        "up",
        "up",
        "up",
      ]);
      expect(servers.filter((s) => /one-time password/.test(s.stdout))).toHaveLength(1);
      expect(servers.filter((s) => /Loaded the demo workspace/.test(s.stderr))).toHaveLength(1);
      expect(await count(url.toString(), "users")).toBe(1);
      // The demo's October (history/2026-10) and then November: two runs, two imports per source,
      // and one more of the billing source: November's PSA lines pulled from the sandbox PSA.
      expect(await count(url.toString(), "runs")).toBe(2);
      expect(await count(url.toString(), "sources")).toBe(7);
      expect(await count(url.toString(), "imports")).toBe(15);
      for (const s of servers) {
        expect(await status(`${s.url}healthz`)).toBe(200);
        expect(await (await fetch(`${s.url}readyz`)).json()).toEqual({
          status: "ready",
          ready: true,
          database: "ok",
          migrations: "current",
          scheduler: "running",
        });
      }
    } finally {
      expect(await Promise.all(servers.map((s) => s.stop()))).toEqual(servers.map(() => 0));
    }
  }, 300_000);
});

const PG_BIN = readdirSync("/usr/lib/postgresql", { withFileTypes: true })
  .map((d) => join("/usr/lib/postgresql", d.name, "bin"))
  .find((d) => existsSync(join(d, "pg_ctl")));

describe.skipIf(!PG_BIN)("/readyz while the database stops and comes back", () => {
  let cluster: { url: string; data: string } | undefined;
  afterAll(() => {
    if (cluster)
      execFileSync(join(repoRoot, ".ci", "pg-start"), ["--stop"], {
        env: { ...process.env, TRUEUP_TEST_PGDATA: cluster.data },
        stdio: "ignore",
      });
  });
  const pgCtl = (...args: string[]) => {
    const asRoot = process.getuid?.() === 0;
    const cmd = [join(PG_BIN as string, "pg_ctl"), "-D", join(cluster?.data as string, "db"), "-w", ...args];
    execFileSync(
      asRoot ? "runuser" : (cmd[0] as string),
      asRoot ? ["-u", "postgres", "--", ...cmd] : cmd.slice(1),
      {
        stdio: "ignore",
      },
    );
  };

  it("answers 503 while PostgreSQL is down and 200 once it is back", async () => {
    const out = execFileSync(join(repoRoot, ".ci", "pg-start"), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const url = /TRUEUP_TEST_DATABASE_URL='([^']+)'/.exec(out)?.[1] as string;
    const data = /TRUEUP_TEST_PGDATA='([^']+)'/.exec(out)?.[1] as string;
    cluster = { url, data };
    const env = { DATABASE_URL: url };
    // An account first: the server starts without loading the demo.
    expect((await trueupBinary(["user", "add", "ops@msp.example", "--role", "admin"], env)).code).toBe(0);
    let server: Served | undefined = await serve(env);
    try {
      const readyz = `${server.url}readyz`;
      expect(await status(readyz)).toBe(200);
      pgCtl("-m", "fast", "stop");
      expect(await eventually(async () => (await status(readyz)) === 503)).toBe(true);
      const down = await (await fetch(readyz)).json();
      expect(down).toMatchObject({ status: "unready", ready: false, database: "unreachable" });
      expect(await status(`${server.url}healthz`)).toBe(200);
      const port = new URL(url).port;
      pgCtl(
        "-l",
        join(data, "server.log"),
        "-o",
        `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${data} -c fsync=off`,
        "start",
      );
      expect(await eventually(async () => (await status(readyz)) === 200, 60_000)).toBe(true);
      expect(await (await fetch(readyz)).json()).toMatchObject({ database: "ok", migrations: "current" });
      expect(await server.stop()).toBe(0);
      server = undefined;
    } finally {
      await server?.stop();
    }
  }, 300_000);
});
