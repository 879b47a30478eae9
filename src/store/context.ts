import type { Kysely } from "kysely";
import type { Config } from "../workspace/config.ts";
import type { ClientRows } from "./client-rows.ts";
import { type Db, isExclusive } from "./db.ts";
import type { Schema } from "./schema.ts";

// What every repository module of the store shares: the database, the clock, and what is worth
// keeping between calls of one process.

/** The database or an open transaction: repository functions take either. */
export type Executor = Kysely<Schema>;

/** What a write may change, for the caches that hold it. */
export type Topic = "config" | "imports" | "runs" | "decisions" | "sessions";

export interface Context {
  db: Db;
  /** The clock (sessions, rate limiting, decisions); tests set it. */
  now(): Date;
  /**
   * True when no other process writes the database (the embedded PGlite belongs to this process):
   * what no store over it has changed has not changed, so a cache holds while the version of what it
   * read (`version`) has not moved, without asking the database. On a PostgreSQL server other
   * processes may write, and caches are checked against the database itself.
   */
  exclusive: boolean;
  cache: {
    /** The configuration at a revision (see catalogue.ts). */
    config?: { revision: number; config: Config; sourceIds: number[]; version?: string };
    /** Each client's rows of the input with this key, packed, for the client pages (client-rows.ts). */
    clientRows?: { key: string; rows: ClientRows };
  };
}

/**
 * Versions of what the stores over one database have changed, bumped by every write of a topic
 * inside its transaction. The embedded database runs one statement at a time, and a transaction holds
 * it to the end: a reader that saw the new version reads once the write has committed or rolled back.
 */
const VERSIONS = new WeakMap<Db, Record<Topic, number>>();

function versionsOf(db: Db): Record<Topic, number> {
  let v = VERSIONS.get(db);
  if (!v) {
    v = { config: 0, imports: 0, runs: 0, decisions: 0, sessions: 0 };
    VERSIONS.set(db, v);
  }
  return v;
}

/** The version of what a cache read, by topic: "3.1" for config and imports. */
export function version(ctx: Context, ...topics: Topic[]): string {
  const v = versionsOf(ctx.db);
  return topics.map((t) => v[t]).join(".");
}

/** Marks a topic changed: called inside the transaction that changes it. */
export function changed(ctx: Context, topic: Topic): void {
  versionsOf(ctx.db)[topic] += 1;
}

export interface StoreOptions {
  now?: () => Date;
}

export function createContext(db: Db, opts: StoreOptions = {}): Context {
  return { db, now: opts.now ?? (() => new Date()), exclusive: isExclusive(db), cache: {} };
}

export function iso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

/**
 * Lets the event loop turn. The embedded database runs in this thread: a long transaction (an import,
 * the findings of a run) yields between its statements, so that requests answered from memory meanwhile
 * are not held up behind it.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Rows inserted per statement, well below PostgreSQL's limit on parameters. */
export const BATCH = 1000;

export function batches<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
