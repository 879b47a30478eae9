import { nextTurn } from "./context.ts";
import type { Embedded } from "./embedded.ts";

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
  /** Borrowers holding or waiting for the connection (for /metrics). */
  private borrowers = 0;

  constructor(
    readonly db: Embedded,
    /** Called once the database is closed (releases the data folder's lock). */
    private readonly onEnd?: () => Promise<void>,
  ) {}

  get busy(): boolean {
    return this.borrowers > 0;
  }

  get waiting(): number {
    return Math.max(0, this.borrowers - 1);
  }

  async connect() {
    await nextTurn();
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((r) => {
      release = r;
    });
    this.borrowers += 1;
    await previous;
    const done = () => {
      this.borrowers -= 1;
      release();
    };
    const db = this.db;
    return {
      async query(sql: string, params: unknown[]): Promise<QueryResult> {
        const r = await db.query(sql, params);
        return { command: commandOf(sql), rowCount: r.affectedRows ?? 0, rows: r.rows };
      },
      release() {
        done();
      },
    };
  }

  async end(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      await this.onEnd?.();
    }
  }
}
