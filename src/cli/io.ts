import { fstatSync, writeSync } from "node:fs";

/** Where a command writes: the process's streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (picks the table format by default). */
  isTty: boolean;
  /** Today's date in UTC, YYYY-MM-DD. */
  today(): string;
}

/** How much of a long text is written at a time (a report of thousands of clients is tens of MB). */
export const OUT_PIECE = 1 << 20;

/**
 * Writes `text` in pieces of about `piece` (2 or more) characters, never between the two halves of a surrogate
 * pair (each piece is encoded as UTF-8 on its own). Writing a 15 MB report whole took twice as long:
 * Node makes one buffer of it first.
 */
export function writeInPieces(text: string, write: (piece: string) => void, piece = OUT_PIECE): void {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + piece);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff && end - 1 > at) end--;
    write(text.slice(at, end));
    at = end;
  }
}

/** Writes a text given in pieces, gathered into writes of about `piece` characters. */
export function outPieces(io: Pick<Io, "out">, pieces: Iterable<string>, piece = OUT_PIECE): void {
  let batch: string[] = [];
  let size = 0;
  for (const p of pieces) {
    if (size > 0 && size + p.length > piece) {
      io.out(batch.join(""));
      batch = [];
      size = 0;
    }
    batch.push(p);
    size += p.length;
  }
  if (size > 0) io.out(batch.join(""));
}

export function nodeIo(): Io {
  // `trueup reconcile | head` closes the pipe early: stop quietly rather than with a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  // Standard output to a file is written synchronously either way; written directly, a long text
  // does not pass through the stream's buffer (twice as fast for a report of thousands of clients).
  let toFile: boolean | undefined;
  const isFile = () => {
    if (toFile === undefined) {
      try {
        toFile = fstatSync(1).isFile();
      } catch {
        toFile = false;
      }
    }
    return toFile;
  };
  return {
    out: (t) => {
      if (t.length <= OUT_PIECE) process.stdout.write(t);
      else if (isFile()) writeInPieces(t, (p) => writeSync(1, p));
      else writeInPieces(t, (p) => process.stdout.write(p));
    },
    err: (t) => process.stderr.write(t),
    isTty: process.stdout.isTTY === true,
    today: () => new Date().toISOString().slice(0, 10),
  };
}

export function bufferIo(today = "2026-11-01"): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    isTty: false,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    today: () => today,
  };
  return io;
}
