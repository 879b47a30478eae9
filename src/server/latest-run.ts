import type { RunView, Store } from "../store/store.ts";
import { openSummary, type ReportJson, type RunSummary, summarize } from "./summary.ts";

// The latest run's report and summary. Runs are never rewritten, so both are kept per run id: the
// dashboard and the client pages then cost one small query (which run is latest) per request.
// The summary given out is the open one: findings people dismissed are out of its totals and shown
// as their own figure; it is made again when the dismissed findings change.

export interface LatestRun {
  run: RunView;
  report: ReportJson;
  summary: RunSummary;
  /** Changes when the dismissed findings of the run change (keys the answers made from it). */
  dismissedKey: string;
}

const ALL = 1_000_000;

const KEPT = 2;

export class RunReports {
  readonly #loaded = new Map<number, Promise<{ report: ReportJson; summary: RunSummary } | undefined>>();
  #open: { runId: number; key: string; summary: RunSummary } | undefined;

  constructor(private readonly store: Store) {}

  async latest(): Promise<LatestRun | undefined> {
    const run = await this.store.latestRun();
    if (!run) return undefined;
    const loaded = await this.#load(run.id);
    if (!loaded) return undefined;
    // Decided findings are few and held in memory by the store: this costs little per request.
    const dismissed = await this.store.listFindings({
      runId: run.id,
      status: "dismissed",
      limit: ALL,
      offset: 0,
    });
    const key = dismissed.items.map((f) => `${f.key}|${f.evidence[0] ?? ""}`).join("\n");
    if (this.#open?.runId !== run.id || this.#open.key !== key)
      this.#open = { runId: run.id, key, summary: openSummary(loaded.summary, dismissed.items) };
    return { run, report: loaded.report, summary: this.#open.summary, dismissedKey: key };
  }

  #load(runId: number) {
    let loading = this.#loaded.get(runId);
    if (!loading) {
      loading = this.#read(runId);
      // Forget a failed read so that the next request tries again.
      loading.catch(() => this.#loaded.delete(runId));
      this.#loaded.set(runId, loading);
      for (const old of [...this.#loaded.keys()].slice(0, -KEPT)) this.#loaded.delete(old);
    }
    return loading;
  }

  async #read(runId: number) {
    // The store's report is the spec's JSON, written by the core's reportToJson.
    const report = (await this.store.runReport(runId)) as ReportJson | undefined;
    return report && { report, summary: summarize(report) };
  }
}
