import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import { type Embedded, PGLITE_SETTINGS } from "./embedded.ts";
import { lockDataFolder } from "./lock.ts";
import { migrate } from "./migrations.ts";
import type { Schema } from "./schema.ts";

export type Db = Kysely<Schema>;

export interface DbOptions {
  /** postgres://... selects a PostgreSQL server; otherwise the embedded PGlite database. */
  url?: string;
  /** Folder of the embedded database (default ./.trueup). */
  dataDir?: string;
  /**
   * An empty folder of the embedded database is made by a child process (initialiseApart) rather
   * than by this one: what a long-lived process (`trueup serve`) would otherwise keep of it.
   */
  initialiseApart?: boolean;
}

/** Where the data lives, for messages: never includes a password. */
export function describeDb(opts: DbOptions): string {
  if (opts.url) {
    const u = new URL(opts.url);
    return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  }
  return `embedded database in ${resolve(opts.dataDir ?? ".trueup")}`;
}

export function dbOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DbOptions {
  return { url: env.DATABASE_URL || undefined, dataDir: env.TRUEUP_DATA || ".trueup" };
}

/** The embedded databases opened here: this process alone reads and writes them. */
const EXCLUSIVE = new WeakSet<Db>();

/** True for an embedded database: no other process writes it while this one has it open. */
export function isExclusive(db: Db): boolean {
  return EXCLUSIVE.has(db);
}

/** Connections of the database's pool, for /metrics. */
export interface PoolUse {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

const POOLS = new WeakMap<Db, () => PoolUse>();

/** The PGlite instance under an embedded database (backup dumps its data folder). */
const EMBEDDED = new WeakMap<Db, Embedded>();

export function embeddedOf(db: Db): Embedded | undefined {
  return EMBEDDED.get(db);
}

export function poolUse(db: Db): PoolUse | undefined {
  return POOLS.get(db)?.();
}

/** Opens the database and brings its schema up to date. */
export async function openDb(opts: DbOptions): Promise<Db> {
  const db = opts.url
    ? await openPostgres(opts.url)
    : await openEmbedded(resolve(opts.dataDir ?? ".trueup"), opts.initialiseApart === true);
  try {
    // Several processes may start at once on one PostgreSQL database: one migrates, the others wait.
    await withStartLock(db, () => migrate(db as unknown as Kysely<unknown>));
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}

async function openPostgres(url: string): Promise<Db> {
  const pg = await import("pg");
  // numeric stays a string (exact money); int8 counts fit a JS number.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.default.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle connection that the server closes (a restart, a failover) must not end the process: the
  // pool drops it and opens a new one at the next query.
  pool.on("error", () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  POOLS.set(db, () => ({
    max: 10,
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  }));
  return db;
}

async function openEmbedded(dir: string, apart: boolean): Promise<Db> {
  await mkdir(dir, { recursive: true });
  // Before anything reads the folder: another process holding it makes this one refuse.
  const lock = await lockDataFolder(dir);
  try {
    if (apart && !existsSync(join(dir, "PG_VERSION"))) await initialiseApart(dir);
    const { PGlitePool } = await import("./pglite-pool.ts");
    // In a thread of its own (embedded.ts), unless TRUEUP_WORKER=0.
    const lite: Embedded =
      process.env.TRUEUP_WORKER === "0"
        ? await (await import("@electric-sql/pglite")).PGlite.create(dir, PGLITE_SETTINGS)
        : await (await import("./embedded.ts")).openEmbeddedWorker(dir);
    const pool = new PGlitePool(lite, () => lock.release());
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: pool as never }) });
    EXCLUSIVE.add(db);
    EMBEDDED.set(db, lite);
    POOLS.set(db, () => ({ max: 1, total: 1, idle: pool.busy ? 0 : 1, waiting: pool.waiting }));
    return db;
  } catch (e) {
    await lock.release();
    throw e;
  }
}

/**
 * PostgreSQL's initdb of a new data folder, in a child process that exits once it is done. PGlite's
 * first open of an empty folder took the process to 798 MB (an open of the same folder later:
 * 277 MB), and a process keeps much of it: `trueup serve` listened at 424-451 MB after its first
 * start, 321-347 MB on a folder made beforehand. The data folder's lock is held throughout.
 */
async function initialiseApart(dir: string): Promise<void> {
  const pglite = import.meta.resolve("@electric-sql/pglite");
  const script = `try {
  const { PGlite } = await import(${JSON.stringify(pglite)});
  const lite = await PGlite.create(process.argv[1], ${JSON.stringify(PGLITE_SETTINGS)});
  await lite.close();
} catch (e) {
  process.stderr.write(String(e?.name ?? "Error") + (e?.message ? ": " + e.message : "") + (e?.errno === undefined ? "" : " (errno " + e.errno + ")"));
  process.exit(1);
}`;
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("exit", (code, signal) => {
      if (code === 0) done();
      else
        fail(
          new Error(
            `making the database in ${dir} failed (${signal ?? `exit code ${code}`}): ${stderr.trim().slice(-2000)}`,
          ),
        );
    });
  });
}

/** An arbitrary key shared by every Trueup process: the first start and migrations take turns on it. */
const START_LOCK = 7_358_118_190;

/**
 * Runs `f` while holding a PostgreSQL advisory lock that every Trueup process starting on the same
 * database takes: they run it one after the other. The embedded database has one process already.
 */
export async function withStartLock<T>(db: Db, f: () => Promise<T>): Promise<T> {
  if (isExclusive(db)) return f();
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${START_LOCK})`.execute(conn);
    try {
      return await f();
    } finally {
      await sql`select pg_advisory_unlock(${START_LOCK})`.execute(conn);
    }
  });
}
