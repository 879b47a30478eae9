import { sql } from "kysely";
import { type Context, changed, type Executor, version } from "./context.ts";
import type { RunData } from "./run-data.ts";
import type { FindingStatus, FindingView } from "./store.ts";

// The status of the findings of a run: a decision holds for the finding with its key while the
// finding's figures are those it was taken on; an unmapped item ignored in the mappings shows as
// dismissed. Decisions and ignores are few: they are read whole and kept, and laid over a run's
// findings in memory. In an exclusive database they are kept until this process changes one; on a
// server, while the stamp that every change of them moves (settings "decisions") has not moved.

export interface Decision {
  status: "accepted" | "dismissed";
  reason: string | null;
  figures: string;
  decidedBy: string;
  /** A dismissal holds until this date (exclusive): from that day on, the finding is open again. */
  until: string | null;
}

/** Today (UTC) as the decisions see it: a dismissal until this day or earlier has expired. */
export const todayOf = (ctx: Context) => ctx.now().toISOString().slice(0, 10);

/** A decision holds today: it has no expiry, or its expiry is still to come. */
export const holds = (d: { until: string | null }, today: string) => d.until === null || today < d.until;

export interface Overlay {
  decisions: Map<string, Decision>;
  /** "kind:value" (as an UNMAPPED finding's subject, in lower case) -> who ignored it. */
  ignored: Map<string, string>;
}

const STAMP = "decisions";

/** Marks the decisions and ignores changed: called inside the transaction that changes them. */
export async function decisionsChanged(trx: Executor, ctx: Context): Promise<void> {
  changed(ctx, "decisions");
  await sql`insert into settings (key, value) values (${STAMP}, '{"n": 1}'::jsonb)
    on conflict (key) do update set value = jsonb_build_object('n', (settings.value->>'n')::int + 1)`.execute(
    trx,
  );
}

const KEPT = new WeakMap<Context, { version: string; stamp: string; overlay: Promise<Overlay> }>();

async function stampOf(ctx: Context): Promise<string> {
  const row = await ctx.db.selectFrom("settings").select("value").where("key", "=", STAMP).executeTakeFirst();
  return JSON.stringify(row?.value ?? null);
}

async function readOverlay(ctx: Context): Promise<Overlay> {
  const [decisions, ignored] = await Promise.all([
    ctx.db
      .selectFrom("decisions")
      .select(["key", "status", "reason", "figures", "decided_by", "until"])
      .execute(),
    ctx.db.selectFrom("ignored").select(["kind", "value", "ignored_by"]).execute(),
  ]);
  return {
    decisions: new Map(
      decisions.map((d) => [
        d.key,
        { status: d.status, reason: d.reason, figures: d.figures, decidedBy: d.decided_by, until: d.until },
      ]),
    ),
    ignored: new Map(ignored.map((i) => [`${i.kind}:${i.value}`, i.ignored_by])),
  };
}

/** The decisions and ignores now stored. */
export async function overlay(ctx: Context): Promise<Overlay> {
  const seen = version(ctx, "decisions");
  const kept = KEPT.get(ctx);
  if (ctx.exclusive && kept?.version === seen) return kept.overlay;
  // The stamp is read first: what is read after it is at least as new.
  const stamp = ctx.exclusive ? "" : await stampOf(ctx);
  if (!ctx.exclusive && kept?.stamp === stamp) return kept.overlay;
  // Kept with the version seen before the read: a change during the read makes it stale at once.
  const reading = readOverlay(ctx);
  const entry = { version: seen, stamp, overlay: reading };
  KEPT.set(ctx, entry);
  reading.catch(() => {
    if (KEPT.get(ctx) === entry) KEPT.delete(ctx);
  });
  return reading;
}

interface Status {
  status: Exclude<FindingStatus, "open">;
  reason?: string;
  decidedBy: string;
  until?: string;
}

/** The findings of a run with their status under one overlay, each made once. */
export class RunStatus {
  /** The findings that are not open, by position. */
  readonly decided = new Map<number, Status>();
  readonly #views: (FindingView | undefined)[] = [];

  constructor(
    readonly run: RunData,
    readonly overlay: Overlay,
    readonly today: string,
  ) {
    for (const [key, d] of overlay.decisions) {
      // An expired dismissal reopens its finding by itself (the decision stays, for the record).
      if (!holds(d, today)) continue;
      for (const p of run.byKey.get(key) ?? []) {
        if (run.findings[p]?.figures !== d.figures) continue;
        const status: Status = { status: d.status, decidedBy: d.decidedBy };
        if (d.reason !== null) status.reason = d.reason;
        if (d.until !== null) status.until = d.until;
        this.decided.set(p, status);
      }
    }
    for (const [subject, by] of overlay.ignored) {
      for (const p of run.bySubject.get(subject) ?? []) {
        if (!this.decided.has(p))
          this.decided.set(p, { status: "dismissed", reason: "ignored in the mappings", decidedBy: by });
      }
    }
  }

  statusOf(position: number): FindingStatus {
    return this.decided.get(position)?.status ?? "open";
  }

  /** The finding at a position, with its status (the same object each time: read-only). */
  view(position: number): FindingView {
    const made = this.#views[position];
    if (made) return made;
    const f = this.run.findings[position] as RunData["findings"][number];
    const decided = this.decided.get(position);
    // Written out rather than spread from the finding less its figures: a rest pattern makes a
    // dictionary object, and each view of one then had a hidden class of its own (12 MB of them
    // once the pages of 2,000 clients were seen).
    const view: FindingView = {
      runId: f.runId,
      clientId: f.clientId,
      clientName: f.clientName,
      type: f.type,
      subject: f.subject,
      expected: f.expected,
      actual: f.actual,
      monthlyImpact: f.monthlyImpact,
      evidence: Object.freeze([...f.evidence]) as string[],
      key: f.key,
      status: "open",
    };
    if (decided) {
      view.status = decided.status;
      if (decided.reason !== undefined) view.reason = decided.reason;
      view.decidedBy = decided.decidedBy;
      if (decided.until !== undefined) view.until = decided.until;
    }
    Object.freeze(view);
    this.#views[position] = view;
    return view;
  }
}

const STATUSES = new WeakMap<RunData, RunStatus>();

/** The run's findings with the status the current decisions and ignores give them. */
export async function runStatus(ctx: Context, run: RunData): Promise<RunStatus> {
  const current = await overlay(ctx);
  const today = todayOf(ctx);
  const made = STATUSES.get(run);
  if (made?.overlay === current && made.today === today) return made;
  const status = new RunStatus(run, current, today);
  STATUSES.set(run, status);
  return status;
}
