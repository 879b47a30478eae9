import { type Db, dbOptionsFromEnv, describeDb, openDb } from "../store/db.ts";
import { StoreError } from "../store/errors.ts";
import { createStore } from "../store/index.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Io } from "./io.ts";

// The commands that work on the database: it is DATABASE_URL's PostgreSQL server, else the embedded
// database in TRUEUP_DATA (default ./.trueup).

export const CLI: Actor = { name: "cli" };

export const DATABASE_HELP =
  "\nThe data lives in the PostgreSQL database of DATABASE_URL when set, else in the embedded database in\n" +
  "the folder TRUEUP_DATA (default ./.trueup).\n";

/**
 * Opens the store, runs `f`, closes the store; a store refusal (the data folder in use by another
 * process, a database newer than this version, a refused change) is a usage error (exit 2).
 */
export function withStore(io: Io, f: (store: Store, where: string) => Promise<number>): Promise<number> {
  return withDb(io, (db, where) => f(createStore(db), where));
}

/** withStore for the commands that work on the database itself (backup, secrets rotate). */
export async function withDb(io: Io, f: (db: Db, where: string) => Promise<number>): Promise<number> {
  const opts = dbOptionsFromEnv();
  let db: Db | undefined;
  try {
    db = await openDb(opts);
    return await f(db, describeDb(opts));
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    io.err(`trueup: ${e.message}\n`);
    return 2;
  } finally {
    await db?.destroy();
  }
}
