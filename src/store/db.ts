import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import { migrate } from "./migrations.ts";
import type { Schema } from "./schema.ts";

export type Db = Kysely<Schema>;

export interface DbOptions {
  /** postgres://... selects a PostgreSQL server; otherwise the embedded PGlite database. */
  url?: string;
  /** Folder of the embedded database (default ./.trueup). */
  dataDir?: string;
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

/** Opens the database and brings its schema up to date. */
export async function openDb(opts: DbOptions): Promise<Db> {
  let db: Db;
  if (opts.url) {
    const pg = await import("pg");
    // numeric stays a string (exact money); int8 counts fit a JS number.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    db = new Kysely<Schema>({
      dialect: new PostgresDialect({ pool: new pg.default.Pool({ connectionString: opts.url, max: 10 }) }),
    });
  } else {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PGlitePool } = await import("./pglite-pool.ts");
    const dir = resolve(opts.dataDir ?? ".trueup");
    await mkdir(dir, { recursive: true });
    const lite = await PGlite.create(dir);
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) as never }) });
    EXCLUSIVE.add(db);
  }
  await migrate(db as unknown as Kysely<unknown>);
  return db;
}
