import type { Config, SourceConfig } from "../workspace/config.ts";
import { type CsvRecord, readCsv } from "../workspace/csv.ts";
import type { Issue } from "../workspace/issues.ts";
import { loadSources, sortIssues } from "../workspace/load.ts";
import { unpack } from "./clone.ts";
import { chunkRecords, type ImportChunk, importBatches } from "./import-rows.ts";
import { unstorable } from "./read-workspace.ts";

// A file uploaded for one source, read and checked in the store's worker thread (run-worker.ts), so
// that parsing a 50 MB file does not hold up the server's other requests: nothing here touches the
// database; the thread that asked writes what this gives (imports.ts).

/** The rows of a preview. */
const PREVIEW_ROWS = 20;

/** A stored import of another source, as its chunks' text (import-rows.ts storedChunks). */
export interface StoredFile {
  index: number;
  header: CsvRecord;
  chunks: string[];
}

export interface UploadRequest {
  /** The configuration, packed (clone.ts). */
  config: unknown;
  sourceIndex: number;
  fileName: string;
  content: Uint8Array;
  /** The latest imports of the other users sources: a UPN listed twice for one client across them is an error. */
  others: StoredFile[];
  /** Whether the records are wanted as chunks to store (an import) or only checked (a preview). */
  store: boolean;
}

/** An uploaded file read and checked: every issue naming the file, its first rows, its chunks. */
export interface CheckedUpload {
  issues: Issue[];
  header: string[];
  delimiter?: string;
  rows: number;
  preview: string[][];
  /** The records after the header as insertImportBatches stores them; none for a preview or a file with errors. */
  batches: ImportChunk[];
}

/** Every record of a file, and the read error that stopped it if any (raised again by `replay`). */
async function readAll(content: Buffer): Promise<{ records: CsvRecord[]; error?: unknown }> {
  const records: CsvRecord[] = [];
  try {
    for await (const batch of readCsv(content).batches()) for (const r of batch) records.push(r);
    return { records };
  } catch (error) {
    return { records, error };
  }
}

async function* replay(records: readonly CsvRecord[], error?: unknown): AsyncGenerator<CsvRecord> {
  yield* records;
  if (error !== undefined) throw error;
}

async function* storedFile(file: StoredFile): AsyncGenerator<CsvRecord> {
  yield file.header;
  for (const chunk of file.chunks) yield* chunkRecords(chunk);
}

/**
 * Checks an uploaded file as the loader checks the source's file, issues naming the uploaded file.
 * A users file is read after the other users sources' latest imports, so that a UPN it lists twice
 * for one client across them is reported on its own line.
 */
export async function checkUpload(request: UploadRequest): Promise<CheckedUpload> {
  const config = unpack<Config>(request.config);
  const source = config.sources[request.sourceIndex] as SourceConfig;
  const { fileName } = request;
  const content = Buffer.from(request.content.buffer, request.content.byteOffset, request.content.byteLength);
  const { records, error } = await readAll(content);
  const uploaded: SourceConfig = { ...source, file: fileName };
  const others = new Map(request.others.map((o) => [o.index, o]));
  const check: Config = {
    ...config,
    sources: [...config.sources.filter((s) => others.has(s.index)), uploaded],
  };
  const issues: Issue[] = [];
  await loadSources(
    check,
    (s) => (s === uploaded ? replay(records, error) : storedFile(others.get(s.index) as StoredFile)),
    issues,
  );
  const own = [...issues.filter((i) => i.file === fileName), ...unstorable(records, fileName)];
  sortIssues(own);
  const [header, ...rows] = records;
  const failed = own.some((i) => i.severity === "error");
  return {
    issues: own,
    header: header?.fields ?? [],
    delimiter: header?.delimiter,
    rows: rows.length,
    preview: rows.slice(0, PREVIEW_ROWS).map((r) => r.fields),
    batches: request.store && !failed ? importBatches(rows) : [],
  };
}
