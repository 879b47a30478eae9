import type { Kysely } from "kysely";
import type { ReconcileInput } from "../core/types.ts";
import type { Config } from "../workspace/config.ts";
import type { Db } from "./db.ts";
import type { Schema } from "./schema.ts";

// What every repository module of the store shares: the database, the clock, and what is worth
// keeping between calls of one process.

/** The database or an open transaction: repository functions take either. */
export type Executor = Kysely<Schema>;

export interface Context {
  db: Db;
  /** The clock (sessions, rate limiting, decisions); tests set it. */
  now(): Date;
  cache: {
    /** The configuration at a revision (see catalogue.ts). */
    config?: { revision: number; config: Config; sourceIds: number[] };
    /** The core's input built from the stored data, by revision and the imports it read. */
    input?: { key: string; input: ReconcileInput; importIds: number[] };
  };
}

export interface StoreOptions {
  now?: () => Date;
}

export function createContext(db: Db, opts: StoreOptions = {}): Context {
  return { db, now: opts.now ?? (() => new Date()), cache: {} };
}

export function iso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

/** Rows inserted per statement, well below PostgreSQL's limit on parameters. */
export const BATCH = 1000;

export function batches<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
