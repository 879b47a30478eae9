/** Where a command writes: the process's streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (picks the table format by default). */
  isTty: boolean;
  /** Today's date in UTC, YYYY-MM-DD. */
  today(): string;
}

export function nodeIo(): Io {
  // `trueup reconcile | head` closes the pipe early: stop quietly rather than with a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  return {
    out: (t) => process.stdout.write(t),
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
