import { resolve } from "node:path";
import { type CsvRecord, type CsvRecords, readCsv } from "../workspace/csv.ts";
import type { Issue } from "../workspace/issues.ts";
import { loadWorkspace, sortIssues } from "../workspace/load.ts";
import { pack } from "./clone.ts";
import { ChunkMaker, type ImportChunk } from "./import-rows.ts";

// A workspace folder read for an import (imports.ts), in the store's worker thread: nothing here
// touches the database.

const hasErrors = (issues: readonly Issue[]) => issues.some((i) => i.severity === "error");

/**
 * PostgreSQL text cannot hold the NUL character: such a record is refused with its line, rather than
 * failing the whole transaction later.
 */
function unstorableRecord(record: CsvRecord, file: string): Issue | undefined {
  if (!record.fields.some((f) => f.includes("\u0000"))) return undefined;
  return {
    severity: "error",
    file,
    line: record.line,
    message: "contains a NUL character (is the file really text?), which cannot be stored",
  };
}

/** The records PostgreSQL cannot store (unstorableRecord), as issues. */
export function unstorable(records: readonly CsvRecord[], file: string): Issue[] {
  return records.flatMap((r) => unstorableRecord(r, file) ?? []);
}

/** What is kept of a source's file as it is read: its header, its records as chunks, NUL characters. */
class Captured {
  header?: CsvRecord;
  readonly chunks = new ChunkMaker();
  readonly issues: Issue[] = [];

  constructor(private readonly file: string) {}

  add(record: CsvRecord): void {
    if (!this.header) {
      this.header = record;
      return;
    }
    const issue = unstorableRecord(record, this.file);
    if (issue) this.issues.push(issue);
    this.chunks.add(record);
  }
}

/** Wraps a source's records, keeping each (as a chunk's JSON text) as it is read. */
function capturing(records: CsvRecords, into: Captured): CsvRecords {
  const batches = async function* () {
    for await (const batch of records.batches()) {
      for (const r of batch) into.add(r);
      yield batch;
    }
  };
  return {
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/** A workspace folder read and checked (readWorkspace), ready to be written. */
export interface ReadWorkspace {
  /** The configuration, packed (clone.ts): it may come from the store's worker thread. */
  config: unknown;
  yamlText: string | undefined;
  issues: Issue[];
  /** Each source's file, by source index: its header, rows and the rows as insertImport batches. */
  files: { index: number; header: string[]; delimiter?: string; rows: number; batches: ImportChunk[] }[];
}

/**
 * Reads and checks a workspace folder as the loader does, each source's records made into the JSON
 * batches insertImport writes. It runs in the store's worker thread (run-worker.ts), so that reading
 * 400,000 rows does not hold up the server's requests; nothing is written.
 */
export async function readWorkspace(dir: string): Promise<ReadWorkspace> {
  const captured = new Map<number, Captured>();
  const loaded = await loadWorkspace(dir, { today: "1970-01-01" }, (s) => {
    const into = new Captured(s.file);
    captured.set(s.index, into);
    return capturing(readCsv(resolve(dir, s.file)), into);
  });
  const { config, yamlText } = loaded;
  const issues = [...loaded.issues];
  for (const s of config?.sources ?? []) issues.push(...(captured.get(s.index)?.issues ?? []));
  sortIssues(issues);
  const failed = !config || yamlText === undefined || hasErrors(issues);
  const files = failed
    ? []
    : config.sources.map((s) => {
        const file = captured.get(s.index);
        return {
          index: s.index,
          header: file?.header?.fields ?? [],
          delimiter: file?.header?.delimiter,
          rows: file?.chunks.rows ?? 0,
          batches: file?.chunks.done() ?? [],
        };
      });
  return { config: config && pack(config), yamlText, issues, files };
}
