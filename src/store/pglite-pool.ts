import type { PGlite } from "@electric-sql/pglite";
import { nextTurn } from "./context.ts";

// PGlite is one embedded connection. Kysely's Postgres driver wants a pg-style pool: this one hands
// out that connection to one borrower at a time, so transactions never interleave.
//
// PGlite also runs in this thread, and its queries finish without waiting on anything: a loop of
// queries (a snapshot read a page at a time) would run to its end before the process reads another
// request. So a borrower first lets the event loop turn: requests that have arrived meanwhile get in
// line, and take the connection between two pages of a long read.

interface QueryResult {
  command?: string;
  rowCount: number;
  rows: unknown[];
}

function commandOf(sql: string): string | undefined {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  return word === "INSERT" || word === "UPDATE" || word === "DELETE" || word === "MERGE" || word === "COMMIT"
    ? word
    : undefined;
}

export class PGlitePool {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly db: PGlite) {}

  async connect() {
    await nextTurn();
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((r) => {
      release = r;
    });
    await previous;
    const db = this.db;
    return {
      async query(sql: string, params: unknown[]): Promise<QueryResult> {
        const r = await db.query(sql, params);
        return { command: commandOf(sql), rowCount: r.affectedRows ?? 0, rows: r.rows };
      },
      release() {
        release();
      },
    };
  }

  async end(): Promise<void> {
    await this.db.close();
  }
}
