import { dbOptionsFromEnv, describeDb, openDb } from "../store/db.ts";
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

/** Opens the store, runs `f`, closes the store; a store refusal is a usage error (exit 2). */
export async function withStore(
  io: Io,
  f: (store: Store, where: string) => Promise<number>,
): Promise<number> {
  const opts = dbOptionsFromEnv();
  const store = createStore(await openDb(opts));
  try {
    return await f(store, describeDb(opts));
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    io.err(`trueup: ${e.message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}
