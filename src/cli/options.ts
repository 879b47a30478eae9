import { isIsoDate } from "../workspace/reader.ts";
import type { Io } from "./io.ts";

// Options that several commands check alike (kept light: a command's start loads only this).

export function usage(io: Io, message: string): number {
  io.err(`trueup: ${message}\n`);
  return 2;
}

/** The --format asked (default: table on a terminal, else json) when it is one of `formats` and --as-of is a date; else the exit code. */
export function formatAndDate(
  io: Io,
  opts: { format?: string; asOf?: string },
  formats: readonly string[],
): string | number {
  const format = opts.format ?? (io.isTty ? "table" : "json");
  if (!formats.includes(format)) {
    const list = `${formats.slice(0, -1).join(", ")} or ${formats.at(-1)}`;
    return usage(io, `--format must be ${list}, not "${format}"`);
  }
  if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
    return usage(io, `--as-of must be a date as YYYY-MM-DD, not "${opts.asOf}"`);
  return format;
}
