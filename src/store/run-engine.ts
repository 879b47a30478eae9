import { reconcile } from "../core/reconcile.ts";
import { reportToJson } from "../core/report.ts";
import type { ReconcileInput } from "../core/types.ts";
import type { Config } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import { type Issue, WorkspaceError } from "../workspace/issues.ts";
import { buildInput, loadSources, sortIssues } from "../workspace/load.ts";
import { BATCH } from "./context.ts";
import { findingRows, type ReportJson } from "./findings.ts";
import { indexRun, jsonbOrder, type RunData } from "./run-data.ts";

// The work of a reconciliation that needs no database: the stored records to the core's input, the
// core's report, its JSON and finding rows, the report indexed for the API. It runs in a worker
// thread (worker.ts, run-worker.ts), so that the server answers other requests meanwhile; the same
// code runs in the calling thread where no worker is wanted (RunEngine used directly).

/** A reconciliation's results, made for the store to write. */
export interface RunResult {
  /** Gives the report to `index` once the run is written. */
  ticket: number;
  reportText: string;
  totalsText: string;
  findings: number;
  /** The finding rows without their run id, BATCH rows a JSON array (findings.ts findingRows). */
  rowBatches: string[];
}

export class RunEngine {
  /** The records of the input being gathered or built, by source index; its key (input.ts). */
  private key = "";
  private records = new Map<number, CsvRecord[]>();
  private input: ReconcileInput | undefined;
  /** The reports made and not indexed yet, by ticket (a few: a run whose write failed leaves one). */
  private made = new Map<number, Record<string, unknown>>();
  private tickets = 0;

  /** True when the records of the input with this key are here (sent or built already). */
  has(key: string): boolean {
    return this.key === key;
  }

  /** Starts gathering the records of another input (the previous one is dropped). */
  begin(key: string): void {
    this.key = key;
    this.records = new Map();
    this.input = undefined;
  }

  /** Records of the input `key`: ignored when another input has begun since. */
  add(key: string, sourceIndex: number, records: CsvRecord[]): void {
    if (key !== this.key) return;
    const list = this.records.get(sourceIndex);
    if (list) for (const r of records) list.push(r);
    else this.records.set(sourceIndex, records);
  }

  /** The core's input from the gathered records, as the workspace loader maps them (input.ts). */
  async build(config: Config): Promise<ReconcileInput> {
    if (this.input) return this.input;
    const issues: Issue[] = [];
    const recordsOf = (s: Config["sources"][number]) => replay(this.records.get(s.index) ?? []);
    const rows = await loadSources(config, recordsOf, issues);
    sortIssues(issues);
    const errors = issues.filter((i) => i.severity === "error");
    // Each import was checked alone; together with the others (two users files listing one UPN for a
    // client, once a mapping joins their accounts) they may still clash.
    if (errors.length > 0) throw new WorkspaceError(errors);
    this.input = buildInput(config, rows, "");
    // The records are read once: the input holds what later runs need.
    this.records = new Map();
    return this.input;
  }

  /**
   * Reconciles the input `key` as of `asOf`; undefined when another input has begun since (two
   * reconciliations around an import): the caller sends its input again.
   */
  async run(key: string, config: Config, asOf: string): Promise<RunResult | undefined> {
    if (key !== this.key) return undefined;
    const input = await this.build(config);
    const report = reportToJson(reconcile({ ...input, asOf })) as ReportJson & { totals: object };
    const reportText = JSON.stringify(report);
    const ticket = ++this.tickets;
    this.made.set(ticket, report as unknown as Record<string, unknown>);
    for (const old of [...this.made.keys()].slice(0, -2)) this.made.delete(old);
    const rows = findingRows(0, report);
    const rowBatches: string[] = [];
    for (let i = 0; i < rows.length; i += BATCH)
      rowBatches.push(JSON.stringify(rows.slice(i, i + BATCH).map(({ run_id: _, ...row }) => row)));
    return {
      ticket,
      reportText,
      totalsText: JSON.stringify(report.totals),
      findings: rows.length,
      rowBatches,
    };
  }

  /** A report made by `run`, indexed as the run `runId` (as reading it back from the database gives). */
  index(ticket: number, runId: number): RunData | undefined {
    const report = this.made.get(ticket);
    this.made.delete(ticket);
    return report && indexRun(runId, jsonbOrder(report) as Record<string, unknown>);
  }
}

async function* replay(records: readonly CsvRecord[]): AsyncGenerator<CsvRecord> {
  yield* records;
}
