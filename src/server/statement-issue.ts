import { type Logo, previousMonth } from "../statements/render.ts";
import { buildStatement, type Statement } from "../statements/statement.ts";
import type { Store } from "../store/store.ts";
import { NO_MSP } from "../workspace/msp.ts";
import { ApiError, notFound } from "./errors.ts";

// A client's statement in the app: from the latest run of the month (or the latest run), compared
// with the latest run of the month before, both rebuilt from the imports each run read.

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export async function appStatement(store: Store, clientId: string, month?: string): Promise<Statement> {
  if (month !== undefined && !MONTH.test(month))
    throw new ApiError(400, "invalid", `month must be YYYY-MM, not "${month}"`);
  const run = await store.runInput(month);
  if (!run) throw notFound(month ? `run in ${month}` : "run: no reconciliation has run yet");
  const msp = run.config.msp ?? NO_MSP;
  const thisMonth = run.input.asOf.slice(0, 7);
  const before = await store.runInput(previousMonth(thisMonth));
  const previous = before && buildStatement(before.input, clientId, { msp });
  const statement = buildStatement(run.input, clientId, { msp, ...(previous ? { previous } : {}) });
  if (!statement) throw notFound("client");
  return statement;
}

/** The logo uploaded in the app, printed on its statements, evidence and shared links. */
export async function appLogo(store: Store): Promise<Logo | undefined> {
  const l = await store.mspLogo();
  return l && { bytes: l.bytes, mime: l.mime };
}
