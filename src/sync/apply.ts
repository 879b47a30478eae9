import { Decimal } from "decimal.js";
import { ConnectionError } from "../connectors/errors.ts";
import type {
  Connection,
  ConnectorContext,
  Exchange,
  LineTarget,
  PsaConnector,
  PsaLine,
} from "../connectors/types.ts";
import type { Store, SyncChangeView, SyncPlanView } from "../store/store.ts";
import type { Change } from "./plan.ts";

// Apply: each approved change reaches the PSA at most once, whatever fails and whenever the process
// dies. The plan is in the database before anything is sent; every change is read from the PSA
// before it is written: at the target means done, at the planned starting value means write, and
// anything else means someone changed it since the plan (a conflict, never overwritten). A write
// whose answer was lost is not sent again blindly: the next attempt reads first. Autotask's deltas
// are covered by the same rule, because its line is read back through ContractServiceUnits.

export type SyncStore = Pick<Store, "syncPlan" | "updateChange" | "logSyncEvent">;

export interface ApplyDeps {
  store: SyncStore;
  connector: PsaConnector;
  conn: Connection;
  /** A connector context whose exchanges go to `onExchange` (so they land in the change's log). */
  context: (onExchange: (e: Exchange) => void) => ConnectorContext;
  actor: string;
  progress?: (message: string) => void;
  /** Test hook between steps: throwing here is a crash (nothing after it runs). */
  checkpoint?: (point: string) => void | Promise<void>;
}

export interface ApplyResult {
  applied: number;
  /** Already at the target when read (applied earlier, or by someone else). */
  alreadyDone: number;
  conflicts: number;
  failed: number;
  /** Not approved, rejected, or needing an agreement chosen. */
  notApproved: number;
  /** Applied or in conflict before this run. */
  finished: number;
}

const OPEN_STATES = new Set(["planned", "applying", "failed"]);

export async function applyPlan(plan: SyncPlanView, deps: ApplyDeps): Promise<ApplyResult> {
  const result: ApplyResult = {
    applied: 0,
    alreadyDone: 0,
    conflicts: 0,
    failed: 0,
    notApproved: 0,
    finished: 0,
  };
  let sink: ((e: Exchange) => void) | undefined;
  const ctx = deps.context((e) => sink?.(e));
  for (const c of plan.changes) {
    if (!OPEN_STATES.has(c.state)) {
      result.finished += 1;
      continue;
    }
    if (c.decision !== "approved" || c.change.action === "choose") {
      result.notApproved += 1;
      continue;
    }
    deps.progress?.(`change ${c.seq}/${plan.changes.length}: ${describe(c.change)}`);
    const outcome = await applyChange(plan, c, deps, ctx, (s) => {
      sink = s;
    });
    result[outcome] += 1;
  }
  return result;
}

type Outcome = "applied" | "alreadyDone" | "conflicts" | "failed";

async function applyChange(
  plan: SyncPlanView,
  c: SyncChangeView,
  deps: ApplyDeps,
  ctx: ConnectorContext,
  setSink: (s: ((e: Exchange) => void) | undefined) => void,
): Promise<Outcome> {
  const { store, actor } = deps;
  const change = c.change;
  const log = (kind: string, details: Record<string, unknown>) =>
    store.logSyncEvent(plan.id, c.seq, { kind, actor, details });
  const move = (
    state: SyncChangeView["state"],
    kind: string,
    details: Record<string, unknown>,
    attempt = false,
  ) =>
    store.updateChange(
      plan.id,
      c.seq,
      { state, attempt, result: String(details.message ?? "") },
      { kind, actor, details },
    );
  await deps.checkpoint?.("before-attempt");
  await move("applying", "attempt", { message: `attempt ${c.attempts + 1}`, ...summary(change) }, true);
  await deps.checkpoint?.("after-attempt");
  const exchanges: Exchange[] = [];
  setSink((e) => exchanges.push(e));
  const flush = async () => {
    for (const e of exchanges.splice(0)) await log(e.error ? "no-answer" : "exchange", { ...e });
  };
  try {
    const current = await readCurrent(deps, ctx, change, plan.effective);
    await flush();
    await deps.checkpoint?.("after-read");
    const verdict = judge(change, current);
    if (verdict.kind === "done") {
      await move("applied", "verified", {
        message: "already at the target in the PSA: nothing sent",
        found: verdict.found,
      });
      return "alreadyDone";
    }
    if (verdict.kind === "conflict") {
      await move("conflict", "conflict", { message: verdict.message, found: verdict.found });
      return "conflicts";
    }
    await write(deps, ctx, change, plan.effective, verdict.line);
    await flush();
    await deps.checkpoint?.("after-write");
    const after = await readCurrent(deps, ctx, change, plan.effective);
    await flush();
    const check = judge(change, after);
    if (check.kind === "done") {
      await move("applied", "applied", {
        message: `${change.from} -> ${change.to} in the PSA`,
        found: check.found,
      });
      return "applied";
    }
    const found = check.kind === "conflict" ? check.found : check.line ? show(check.line) : undefined;
    await move("failed", "error", {
      message: `the PSA accepted the write but reads ${found ?? "nothing"}`,
      found,
    });
    return "failed";
  } catch (e) {
    if (!(e instanceof ConnectionError)) throw e;
    await flush();
    await move("failed", "error", { message: e.message, unknownOutcome: e.name === "UnknownOutcomeError" });
    return "failed";
  } finally {
    setSink(undefined);
  }
}

type Current = { kind: "line"; line: PsaLine | undefined } | { kind: "lines"; lines: PsaLine[] };

async function readCurrent(
  deps: ApplyDeps,
  ctx: ConnectorContext,
  c: Change,
  effective: string,
): Promise<Current> {
  if (c.action === "set" && c.line) {
    return { kind: "line", line: await deps.connector.readLine(deps.conn, ctx, c.line, effective) };
  }
  const lines = await deps.connector.findLines(deps.conn, ctx, c.agreement ?? "", c.product, effective);
  return { kind: "lines", lines };
}

type Verdict =
  | { kind: "done"; found?: string }
  | { kind: "write"; line?: PsaLine }
  | { kind: "conflict"; message: string; found?: string };

/** Read-before-write: the whole exactly-once rule. */
export function judge(c: Change, current: Current): Verdict {
  if (current.kind === "lines") {
    if (current.lines.length === 0) return { kind: "write" };
    const [only, ...more] = current.lines;
    const found = current.lines.map(show).join(", ");
    if (only && more.length === 0 && atTarget(c, only)) return { kind: "done", found };
    return {
      kind: "conflict",
      message: `the agreement already has a ${c.product} line (${found}): plan again`,
      found,
    };
  }
  const line = current.line;
  if (!line)
    return { kind: "conflict", message: `line ${c.line?.id} is no longer active in the PSA: plan again` };
  if (atTarget(c, line)) return { kind: "done", found: show(line) };
  if (atStart(c, line)) return { kind: "write", line };
  return {
    kind: "conflict",
    message: `line ${line.id} changed in the PSA since the plan (planned from ${c.from}${c.fromPrice ? ` at ${c.fromPrice}` : ""}, now ${show(line)}): not overwritten`,
    found: show(line),
  };
}

function atTarget(c: Change, l: PsaLine): boolean {
  return same(l.quantity, c.to) && (c.toPrice === undefined || same(l.unitPrice, c.toPrice));
}

function atStart(c: Change, l: PsaLine): boolean {
  return same(l.quantity, c.from) && (c.fromPrice === undefined || same(l.unitPrice, c.fromPrice));
}

function same(a: string, b: string): boolean {
  try {
    return new Decimal(a).equals(new Decimal(b));
  } catch {
    return false;
  }
}

async function write(
  deps: ApplyDeps,
  ctx: ConnectorContext,
  c: Change,
  effective: string,
  line: PsaLine | undefined,
): Promise<void> {
  if (c.action === "set" && line) {
    const target: LineTarget = { quantity: c.to, effective, ...(c.toPrice ? { unitPrice: c.toPrice } : {}) };
    await deps.connector.writeLine(deps.conn, ctx, line, line, target);
    return;
  }
  await deps.connector.createLine(deps.conn, ctx, {
    account: c.account,
    agreement: c.agreement ?? "",
    product: c.product,
    quantity: c.to,
    unitPrice: c.toPrice ?? c.unitPrice,
    effective,
  });
}

function show(l: PsaLine): string {
  return `line ${l.id}: ${l.quantity} at ${l.unitPrice}`;
}

function summary(c: Change): Record<string, unknown> {
  return {
    client: c.client,
    agreement: c.agreement,
    product: c.product,
    line: c.line?.id,
    from: c.from,
    to: c.to,
    ...(c.toPrice ? { fromPrice: c.fromPrice, toPrice: c.toPrice } : {}),
  };
}

export function describe(c: Change): string {
  const where = c.line ? `line ${c.line.id}` : `new line in agreement ${c.agreement ?? "?"}`;
  const price = c.toPrice ? `, price ${c.fromPrice} -> ${c.toPrice}` : "";
  return `${c.client} ${c.product} ${where}: ${c.from} -> ${c.to}${price}`;
}
