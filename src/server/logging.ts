import type { FastifyServerOptions } from "fastify";

type PinoOptions = Exclude<FastifyServerOptions["logger"], boolean | undefined>;

// Structured logs (pino) that never carry a secret: session cookies, CSRF values, authorization
// headers and passwords are censored wherever they appear in a logged object.

export interface LogOptions {
  level?: string;
  /** Where the lines go (default stdout); tests pass a stream to read them back. */
  stream?: { write(line: string): void };
}

export const REDACTED_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "headers.cookie",
  "headers.authorization",
  'headers["x-csrf-token"]',
  "password",
  "*.password",
  "body.password",
  // POST /api/auth/password: the current and the new password.
  "body.current",
  "body.next",
  "csrf",
  "*.csrf",
  "token",
  "*.token",
];

export function loggerOptions(log: LogOptions | false | undefined): Pick<FastifyServerOptions, "logger"> {
  if (!log) return { logger: false };
  const options: PinoOptions = {
    level: log.level ?? "info",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  return { logger: log.stream ? { ...options, stream: log.stream } : options };
}
