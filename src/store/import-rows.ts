import type { CsvRecord } from "../workspace/csv.ts";
import { type Context, changed, type Executor, iso, nextTurn } from "./context.ts";
import type { ImportView } from "./store.ts";

// Imports as stored: a snapshot of one source's file, its header and each record's fields with the
// line the record starts on. Read back, they are the same records the CSV reader gave, so that the
// loader maps them exactly as it maps the file.

export interface ImportRow {
  id: number;
  source_id: number;
  file_name: string;
  format: string;
  header: string[];
  delimiter: string;
  row_count: number;
  imported_by: string;
  imported_at: Date;
}

export function toImportView(r: ImportRow): ImportView {
  return {
    id: r.id,
    sourceId: r.source_id,
    fileName: r.file_name,
    format: r.format,
    rowCount: r.row_count,
    importedBy: r.imported_by,
    importedAt: iso(r.imported_at),
  };
}

/** The latest import of each listed source, by source id. */
export async function latestImports(ex: Executor): Promise<Map<number, ImportRow>> {
  const rows = await ex
    .selectFrom("imports")
    .innerJoin("sources", "sources.id", "imports.source_id")
    .selectAll("imports")
    .where("sources.position", ">=", 0)
    .distinctOn("imports.source_id")
    .orderBy("imports.source_id")
    .orderBy("imports.id", "desc")
    .execute();
  return new Map(rows.map((r) => [r.source_id, r]));
}

/** Records per stored chunk (about 1 MB of JSON text): one statement writes one chunk. */
const ROWS_PER_CHUNK = 5000;

/** Some records of an import, stored as one row: the JSON text of their `[line, fields]` pairs. */
export interface ImportChunk {
  firstLine: number;
  records: string;
}

/** Stores a file's records (header first) as a new import of a source. */
export async function insertImport(
  ex: Executor,
  ctx: Context,
  imp: { sourceId: number; fileName: string; format: string; actor: string },
  records: readonly CsvRecord[],
): Promise<ImportRow> {
  const [header, ...rows] = records;
  return insertImportBatches(ex, ctx, imp, {
    header: header?.fields ?? [],
    delimiter: header?.delimiter,
    rows: rows.length,
    batches: importBatches(rows),
  });
}

/**
 * The chunks of a file made as its records are read (the same as importBatches gives): a chunk's
 * records are written as JSON text once it is full, so that a file's records are not all held.
 */
export class ChunkMaker {
  readonly chunks: ImportChunk[] = [];
  private part: CsvRecord[] = [];
  rows = 0;

  add(record: CsvRecord): void {
    this.part.push(record);
    this.rows++;
    if (this.part.length === ROWS_PER_CHUNK) this.flush();
  }

  /** The chunks, the last one closed. */
  done(): ImportChunk[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    const part = this.part;
    if (part.length === 0) return;
    this.part = [];
    this.chunks.push({
      firstLine: part[0]?.line ?? 0,
      records: JSON.stringify(part.map((r) => [r.line, r.fields])),
    });
  }
}

/** A file's records after its header as the chunks insertImportBatches writes. */
export function importBatches(rows: readonly CsvRecord[]): ImportChunk[] {
  const maker = new ChunkMaker();
  for (const r of rows) maker.add(r);
  return maker.done();
}

/** Stores a file (its header, its rows as importBatches made them) as a new import of a source. */
export async function insertImportBatches(
  ex: Executor,
  ctx: Context,
  imp: { sourceId: number; fileName: string; format: string; actor: string },
  file: { header: string[]; delimiter?: string; rows: number; batches: readonly ImportChunk[] },
): Promise<ImportRow> {
  const row = await ex
    .insertInto("imports")
    .values({
      source_id: imp.sourceId,
      file_name: imp.fileName,
      format: imp.format,
      header: JSON.stringify(file.header),
      delimiter: file.delimiter ?? ",",
      row_count: file.rows,
      imported_by: imp.actor,
      imported_at: ctx.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const chunk of file.batches) {
    await ex
      .insertInto("import_chunks")
      .values({ import_id: row.id, first_line: chunk.firstLine, records: chunk.records })
      .execute();
    await nextTurn();
  }
  // Once the records are written: until then the caches answer from the previous imports rather
  // than queue behind the transaction (runs.ts does the same).
  changed(ctx, "imports");
  return row;
}

/**
 * Chunks per read: one read holds the embedded database (one connection) for some milliseconds, and
 * a reader in the thread that answers requests maps its 5,000 records before the next: between two
 * reads, other requests get their turn.
 */
const CHUNKS_PER_READ = 1;

/** An import's chunks as stored (JSON text), in line order, a few at a time. */
export async function* storedChunks(ex: Executor, imp: ImportRow): AsyncGenerator<string> {
  let after = -1;
  for (;;) {
    const page = await ex
      .selectFrom("import_chunks")
      .select(["first_line", "records"])
      .where("import_id", "=", imp.id)
      .where("first_line", ">", after)
      .orderBy("first_line")
      .limit(CHUNKS_PER_READ)
      .execute();
    for (const c of page) yield c.records;
    const last = page.at(-1);
    if (!last || page.length < CHUNKS_PER_READ) return;
    after = last.first_line;
  }
}

/** The records of a stored chunk (storedChunks). */
export function chunkRecords(text: string): CsvRecord[] {
  return (JSON.parse(text) as [number, string[]][]).map(([line, fields]) => ({ fields, line }));
}

/** The header of an import as a record: line 1, with the file's separator. */
export function headerRecord(imp: ImportRow): CsvRecord {
  return { fields: imp.header, line: 1, delimiter: imp.delimiter };
}

/** An import's records, header first, read a few chunks at a time. */
export async function* storedRecords(ex: Executor, imp: ImportRow): AsyncGenerator<CsvRecord> {
  yield headerRecord(imp);
  for await (const text of storedChunks(ex, imp)) yield* chunkRecords(text);
}

function csvField(value: string, delimiter: string): string {
  return /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The file again, each record on the line it was read from (blank lines fill the gaps), so that the
 * evidence of a report read from the export (`data/psa.csv:17`) is the evidence of the original.
 */
export async function* csvText(records: AsyncIterable<CsvRecord>): AsyncGenerator<string> {
  let line = 1;
  let first = true;
  let delimiter = ",";
  for await (const r of records) {
    // A `;` file is written back with `;`, so that its decimal commas read as they did.
    if (first) delimiter = r.delimiter ?? ",";
    const text = r.fields.map((f) => csvField(f, delimiter)).join(delimiter);
    // The header is written on line 1 whichever line it was read from.
    const gap = first ? 0 : Math.max(0, r.line - line);
    const out = "\n".repeat(gap);
    line += gap;
    first = false;
    line += 1 + (text.match(/\n/g)?.length ?? 0);
    yield `${out}${text}\n`;
  }
}
