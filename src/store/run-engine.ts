import { reconcile } from "../core/reconcile.ts";
import { reportToJson } from "../core/report.ts";
import type { ReconcileInput } from "../core/types.ts";
import { margin } from "../margin/margin.ts";
import { marginToJson } from "../margin/render.ts";
import { inputWith, whatIf } from "../margin/whatif.ts";
import { whatIfToJson } from "../margin/whatif-render.ts";
import type { Config } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import { type Issue, WorkspaceError } from "../workspace/issues.ts";
import { buildInput, loadSources, sortIssues } from "../workspace/load.ts";
import { type PackedClientRows, packClientRows } from "./client-rows.ts";
import { findingRows, type ReportJson } from "./findings.ts";
import { chunkRecords } from "./import-rows.ts";
import { addClients, emptyRun, type RunData } from "./run-data.ts";
import type { UnmappedRow } from "./store.ts";
import { unmappedRowsAt } from "./unmapped-rows-at.ts";

// The work of a reconciliation that needs no database: the stored records to the core's input, the
// core's report, its JSON and finding rows, the report indexed for the API. It runs in a worker
// thread (worker.ts, run-worker.ts), so that the server answers other requests meanwhile; the same
// code runs in the calling thread where no worker is wanted (RunEngine used directly).

/** The margin as the API gives it (margin/render.ts). */
export type MarginJson = ReturnType<typeof marginToJson>;
/** A what-if as the API gives it (margin/whatif-render.ts). */
export type WhatIfJson = ReturnType<typeof whatIfToJson>;
/** The part of a configuration a what-if changes. */
export type Catalogue = Pick<ReconcileInput, "rules" | "services" | "bundles" | "clients">;

/** A reconciliation's results, made for the store to write. */
export interface RunResult {
  /** Gives the report to `index` once the run is written. */
  ticket: number;
  reportText: string;
  totalsText: string;
  findings: number;
  /** The finding rows without their run id, FINDINGS_PER_INSERT rows a JSON array (findings.ts findingRows). */
  rowBatches: string[];
}

/**
 * Finding rows per statement (one JSON parameter, about 250 KB): the fewer statements, the fewer times
 * a run waits for its turn in a busy server's event loop; but the embedded database keeps for good the
 * memory its largest statement took (WebAssembly's never shrinks). 38,505 findings written 5,000 to a
 * statement touched 32 MB of it, 1,000 to a statement 12 MB, in the same time (555-566 ms against
 * 532-558 ms, PGlite alone).
 */
const FINDINGS_PER_INSERT = 1_000;

export class RunEngine {
  /** The input being gathered or built: its key (input.ts), configuration, records by source index. */
  private key = "";
  private config: Config | undefined;
  /** As sent: records, or stored chunks as their JSON text, parsed when the input is built. */
  private parts = new Map<number, (CsvRecord[] | string)[]>();
  private input: ReconcileInput | undefined;
  /** The reports made and not indexed yet, by ticket (a few: a run whose write failed leaves one). */
  private made = new Map<number, Record<string, unknown>>();
  private tickets = 0;

  /** True when the records of the input with this key are here (sent or built already). */
  has(key: string): boolean {
    return this.key === key;
  }

  /** Starts gathering the records of another input, made with `config` (the previous one is dropped). */
  begin(key: string, config: Config): void {
    this.key = key;
    this.config = config;
    this.parts = new Map();
    this.input = undefined;
  }

  /**
   * Records of the input `key`, or a stored chunk of them as its JSON text (import-rows.ts): ignored
   * when another input has begun since.
   */
  add(key: string, sourceIndex: number, part: CsvRecord[] | string): void {
    if (key !== this.key) return;
    const list = this.parts.get(sourceIndex);
    if (list) list.push(part);
    else this.parts.set(sourceIndex, [part]);
  }

  /** The core's input from the gathered records, as the workspace loader maps them (input.ts). */
  async build(): Promise<ReconcileInput> {
    if (this.input) return this.input;
    const config = this.config as Config;
    const issues: Issue[] = [];
    const recordsOf = (s: Config["sources"][number]) => replay(this.parts.get(s.index) ?? []);
    const rows = await loadSources(config, recordsOf, issues);
    sortIssues(issues);
    const errors = issues.filter((i) => i.severity === "error");
    // Each import was checked alone; together with the others (two users files listing one UPN for a
    // client, once a mapping joins their accounts) they may still clash.
    if (errors.length > 0) throw new WorkspaceError(errors);
    this.input = buildInput(config, rows, "");
    // The records are read once: the input holds what later runs need.
    this.parts = new Map();
    return this.input;
  }

  /**
   * Reconciles the input `key` as of `asOf`; undefined when another input has begun since (two
   * reconciliations around an import): the caller sends its input again.
   */
  async run(key: string, asOf: string): Promise<RunResult | undefined> {
    if (key !== this.key) return undefined;
    const input = await this.build();
    const report = reportToJson(reconcile({ ...input, asOf })) as ReportJson & { totals: object };
    const reportText = JSON.stringify(report);
    const ticket = ++this.tickets;
    this.made.set(ticket, report as unknown as Record<string, unknown>);
    for (const old of [...this.made.keys()].slice(0, -2)) this.made.delete(old);
    const rows = findingRows(0, report);
    const rowBatches: string[] = [];
    for (let i = 0; i < rows.length; i += FINDINGS_PER_INSERT)
      rowBatches.push(
        JSON.stringify(rows.slice(i, i + FINDINGS_PER_INSERT).map(({ run_id: _, ...row }) => row)),
      );
    return {
      ticket,
      reportText,
      totalsText: JSON.stringify(report.totals),
      findings: rows.length,
      rowBatches,
    };
  }

  /** The margin of the input `key` as of `asOf` (margin.ts), as the API gives it; undefined when another input has begun. */
  async margin(key: string, asOf: string): Promise<MarginJson | undefined> {
    if (key !== this.key) return undefined;
    return marginToJson(margin({ ...(await this.build()), asOf }));
  }

  /** Each client's rows of the input `key`, packed (client-rows.ts); undefined when another input has begun. */
  async clientRows(key: string): Promise<PackedClientRows | undefined> {
    if (key !== this.key) return undefined;
    return packClientRows(await this.build());
  }

  /** The rows of the input `key` with these refs, for the unmapped items (unmapped-rows.ts); undefined when another input has begun. */
  async rowsAt(key: string, refs: string[]): Promise<[string, UnmappedRow][] | undefined> {
    if (key !== this.key) return undefined;
    return unmappedRowsAt(await this.build(), refs);
  }

  /**
   * What a catalogue change would do to the input `key` as of `asOf` (whatif.ts), as the API gives
   * it: `before` and `after` are the catalogues compared.
   */
  async whatIf(
    key: string,
    asOf: string,
    before: Catalogue,
    after: Catalogue,
  ): Promise<WhatIfJson | undefined> {
    if (key !== this.key) return undefined;
    const input = { ...(await this.build()), asOf };
    return whatIfToJson(whatIf(inputWith(input, before), inputWith(input, after)));
  }

  /**
   * Part of a report made by `run`: its clients from `start` (at most `count`), and with the first
   * part the report without its clients.
   * The thread that answers requests rebuilds the report from the parts (receiveRun): one clone of the
   * whole report (9 MB of JSON with 2,000 clients) held it up for up to a second.
   */
  reportPart(ticket: number, start: number, count: number): ReportPart | undefined {
    const report = this.made.get(ticket) as unknown as ReportJson | undefined;
    if (!report) return undefined;
    const done = start + count >= report.clients.length;
    if (done) this.made.delete(ticket);
    return {
      head: start === 0 ? { ...report, clients: [] } : undefined,
      clients: report.clients.slice(start, start + count),
      done,
    };
  }
}

/** A part of a report made by the engine (RunEngine.reportPart). */
export interface ReportPart {
  head: Record<string, unknown> | undefined;
  clients: ReportJson["clients"];
  done: boolean;
}

/** Clients per part of a report sent by the engine: each part is cloned in some 10-20 milliseconds. */
const PART_CLIENTS = 250;

/**
 * A report made by the engine, received a part at a time and indexed as the run `runId`: the
 * thread answers other requests between two parts. Undefined: the engine no longer has it.
 */
export async function receiveRun(
  part: (start: number, count: number) => Promise<ReportPart | undefined>,
  runId: number,
): Promise<RunData | undefined> {
  const first = await part(0, PART_CLIENTS);
  if (!first?.head) return undefined;
  const clients: ReportJson["clients"] = [];
  first.head.clients = clients;
  const data = emptyRun(runId, first.head);
  let received = first;
  for (;;) {
    for (const c of received.clients) clients.push(c);
    addClients(data, received.clients);
    if (received.done) return data;
    const next = await part(clients.length, PART_CLIENTS);
    if (!next) return undefined;
    received = next;
  }
}

async function* replay(parts: readonly (CsvRecord[] | string)[]): AsyncGenerator<CsvRecord> {
  for (const part of parts) yield* typeof part === "string" ? chunkRecords(part) : part;
}
