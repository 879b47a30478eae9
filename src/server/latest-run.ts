import type { RunView, Store } from "../store/store.ts";
import { type ReportJson, type RunSummary, summarize } from "./summary.ts";

// The latest run's report and summary. Runs are never rewritten, so both are kept per run id: the
// dashboard and the client pages then cost one small query (which run is latest) per request.

export interface LatestRun {
  run: RunView;
  report: ReportJson;
  summary: RunSummary;
}

const KEPT = 2;

export class RunReports {
  readonly #loaded = new Map<number, Promise<{ report: ReportJson; summary: RunSummary } | undefined>>();

  constructor(private readonly store: Store) {}

  async latest(): Promise<LatestRun | undefined> {
    const run = await this.store.latestRun();
    if (!run) return undefined;
    const loaded = await this.#load(run.id);
    return loaded && { run, ...loaded };
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
