import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Db, type DbOptions, openDb } from "../src/store/db.ts";

// The databases the storage tests run on: the embedded PGlite always, and a real PostgreSQL server
// when TRUEUP_TEST_DATABASE_URL is set (.ci/pg-start starts one). Each test file gets a database of
// its own: a temp folder for PGlite, a uniquely named database on the server, dropped at the end.

export interface TestDatabase {
  name: "pglite" | "postgresql";
  /** Creates the database (once) and opens it; migrations run on open. */
  open(): Promise<Db>;
  /** Where the database is, as openDb and the CLI's environment take it. */
  options(): DbOptions;
  env(): Record<string, string | undefined>;
  drop(): Promise<void>;
}

function pglite(): TestDatabase {
  let dir: string | undefined;
  return {
    name: "pglite",
    async open() {
      dir ??= await mkdtemp(join(tmpdir(), "trueup-store-"));
      return openDb({ dataDir: dir });
    },
    options: () => ({ dataDir: dir }),
    env: () => ({ DATABASE_URL: undefined, TRUEUP_DATA: dir }),
    async drop() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresql(serverUrl: string): TestDatabase {
  const name = `trueup_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let created = false;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgresql",
    async open() {
      if (!created) await admin(`CREATE DATABASE "${name}"`);
      created = true;
      return openDb({ url: url.toString() });
    },
    options: () => ({ url: url.toString() }),
    env: () => ({ DATABASE_URL: url.toString(), TRUEUP_DATA: undefined }),
    async drop() {
      if (created) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** The databases to run a suite on, for describe.each. */
export function testDatabases(): TestDatabase[] {
  const url = process.env.TRUEUP_TEST_DATABASE_URL;
  return url ? [pglite(), postgresql(url)] : [pglite()];
}

/** Sets environment variables for the duration of `f` (the CLI reads the database from them). */
export async function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return await f();
  } finally {
    set(saved);
  }
}

/** A clock the tests move by hand. */
export function testClock(start = "2026-11-01T09:00:00.000Z") {
  let now = new Date(start);
  return {
    now: () => now,
    advance(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}
