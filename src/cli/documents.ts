import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ReconcileInput } from "../core/types.ts";
import { type Logo, logoMime } from "../statements/render.ts";
import type { Config } from "../workspace/config.ts";
import { formatIssue, type Issue } from "../workspace/issues.ts";
import { loadWorkspace } from "../workspace/load.ts";
import { type Msp, NO_MSP } from "../workspace/msp.ts";
import { isIsoDate } from "../workspace/reader.ts";
import type { Io } from "./io.ts";

// What the document commands (statement, statements, evidence, breakdown) share: the workspace read
// as of the statement's month, the MSP's details and logo.

export interface Documents {
  input: ReconcileInput;
  config: Config;
  msp: Msp;
  logo?: Logo;
  month: string;
}

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * `--month YYYY-MM` without `--as-of`: the workspace's asOf when it falls in that month, else the
 * month's first day. Returns a number (exit code) when it cannot.
 */
export async function loadDocuments(
  io: Io,
  opts: { workspace: string; month?: string; asOf?: string },
): Promise<Documents | number> {
  if (opts.month !== undefined && !MONTH.test(opts.month))
    return usage(io, `--month must be YYYY-MM, not "${opts.month}"`);
  if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
    return usage(io, `--as-of must be a date as YYYY-MM-DD, not "${opts.asOf}"`);
  const loaded = await loadWorkspace(opts.workspace, { asOf: opts.asOf, today: io.today() });
  const errors = loaded.issues.filter((i) => i.severity === "error");
  if (!loaded.input || !loaded.config || errors.length > 0) return workspaceErrors(io, errors);
  for (const w of loaded.issues) io.err(`${formatIssue(w)}\n`);
  const input = loaded.input;
  if (opts.month !== undefined && opts.asOf === undefined && !input.asOf.startsWith(opts.month))
    input.asOf = `${opts.month}-01`;
  const msp = loaded.config.msp ?? NO_MSP;
  let logo: Logo | undefined;
  if (msp.logo) {
    const file = resolve(opts.workspace, msp.logo);
    try {
      logo = { bytes: await readFile(file), mime: logoMime(file) };
    } catch {
      return workspaceErrors(io, [
        {
          severity: "error",
          file: "trueup.yaml",
          field: "msp.logo",
          message: `cannot read the logo ${file}`,
        },
      ]);
    }
  }
  return {
    input,
    config: loaded.config,
    msp,
    ...(logo ? { logo } : {}),
    month: opts.month ?? input.asOf.slice(0, 7),
  };
}

function workspaceErrors(io: Io, errors: Issue[]): number {
  io.err(
    `trueup: the workspace has ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was written\n`,
  );
  for (const i of errors) io.err(`${formatIssue(i)}\n`);
  return 2;
}

export function usage(io: Io, message: string): number {
  io.err(`trueup: ${message}\n`);
  return 2;
}

/** Writes to a file, or to stdout when there is none (text formats only). */
export async function writeOut(
  io: Io,
  out: string | undefined,
  bytes: Buffer,
  binary: boolean,
): Promise<number> {
  if (out === undefined || out === "-") {
    if (binary) return usage(io, "a PDF or XLSX needs --out FILE");
    io.out(bytes.toString("utf8"));
    return 0;
  }
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, bytes);
  return 0;
}
