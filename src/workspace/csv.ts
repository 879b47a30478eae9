import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { countText } from "../core/listing.ts";
import { DecodeError, type Decoding, decodeAll, decodeText, detectDelimiter } from "./decode.ts";

// Streaming CSV (RFC 4180) with the line each record starts on, from a file or from an uploaded
// file's bytes. The encoding (decode.ts) and the separator (`,` `;` or tab, from the header line)
// are detected; bytes that are no text stop the read with their line.

export { firstInvalidUtf8 } from "./decode.ts";

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * The most columns a record may have. Every format reads a dozen; a generous cap stops a file of a
 * million columns (or a binary file read as text) before it costs seconds and megabytes.
 */
export const MAX_COLUMNS = 1000;

export interface CsvRecord {
  fields: string[];
  /** Line the record starts on; the header is line 1. */
  line: number;
}

async function* nonEmpty(text: AsyncIterable<string>): AsyncGenerator<string> {
  let sawText = false;
  for await (const t of text) {
    if (!sawText && t.trim() !== "") sawText = true;
    yield t;
  }
  if (!sawText) throw new CsvError("the file is empty: expected a header row", 1);
}

async function* inMemory(content: Buffer): AsyncGenerator<Buffer> {
  yield content;
}

/** The text up to the end of the header line, and an iterator over the rest. */
async function header(text: AsyncIterator<string>): Promise<string> {
  let head = "";
  while (!head.includes("\n")) {
    const next = await text.next();
    if (next.done) break;
    head += next.value;
  }
  return head;
}

async function* prepend(head: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  if (head !== "") yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** The records of a CSV file (a path) or of a file's content (a Buffer), header first. */
export async function* readCsv(file: string | Buffer): AsyncGenerator<CsvRecord> {
  const chunks =
    typeof file === "string"
      ? (createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
      : inMemory(file);
  const found: Decoding = { encoding: "utf-8" };
  let delimiter = ",";
  try {
    const text = nonEmpty(decodeText(chunks, found))[Symbol.asyncIterator]();
    const head = await header(text);
    const detected = detectDelimiter(head);
    delimiter = detected.delimiter;
    // Counted here because csv-parse takes seconds over a header of a million columns.
    if ((detected.columns ?? 0) > MAX_COLUMNS) throw tooManyColumns(detected.columns ?? 0, 1);
    const source = Readable.from(prepend(head, text));
    // Line numbers are counted here rather than with csv-parse's `info` option, which costs a third
    // of the parse time: a record spans one line plus the line breaks inside its quoted fields.
    const parser = parse({ relax_column_count: true, delimiter });
    source.on("error", (e) => parser.destroy(e));
    source.pipe(parser);
    let line = 1;
    let skip = detected.sepLine; // Excel's "sep=;" line names the separator and is no record
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      if (fields.length > MAX_COLUMNS) throw tooManyColumns(fields.length, start);
      line += 1;
      for (const f of fields) if (f.includes("\n")) line += f.split("\n").length - 1;
      if (skip) {
        skip = false;
        continue;
      }
      if (fields.length === 1 && fields[0] === "") continue; // an empty line
      yield { fields, line: start };
    }
  } catch (e) {
    throw await csvError(e, file, found, delimiter);
  }
}

function tooManyColumns(columns: number, line: number): CsvError {
  const what = line === 1 ? "the header" : "this row";
  return new CsvError(
    `${what} has ${countText(columns)} columns; a file may have at most ${countText(MAX_COLUMNS)} (is it a CSV file with the right separator?)`,
    line,
  );
}

async function csvError(
  e: unknown,
  file: string | Buffer,
  found: Decoding,
  delimiter: string,
): Promise<unknown> {
  if (e instanceof CsvError) return e;
  if (e instanceof DecodeError) return new CsvError(e.message, e.line);
  const err = e as { code?: string; lines?: number; message?: string };
  if (err.code === "ENOENT") return new CsvError("file not found");
  if (err.code === "EISDIR") return new CsvError("is a folder, not a CSV file");
  if (!err.code?.startsWith("CSV_") && err.code !== "INVALID_OPENING_QUOTE") return e;
  // csv-parse reports an unclosed quote at the end of the file: find the line the quote opens on.
  let at = err.lines;
  if (err.code === "CSV_QUOTE_NOT_CLOSED") {
    const bytes = typeof file === "string" ? await readFile(file) : file;
    at = unclosedQuoteLine(decodeAll(bytes, found.encoding), delimiter);
  }
  return new CsvError(csvMessage(err.code, err.message ?? "", delimiter), at);
}

function csvMessage(code: string, message: string, delimiter: string): string {
  const separator = delimiter === "," ? "comma" : delimiter === ";" ? "semicolon" : "tab";
  switch (code) {
    case "CSV_INVALID_CLOSING_QUOTE":
      return `a quoted value is followed by more text before the ${separator} (a stray " inside a field?)`;
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted value is never closed";
    case "INVALID_OPENING_QUOTE":
      return 'a " inside an unquoted value (quote the whole value and double the ": "a ""b"" c")';
    default:
      return message.replace(/ at line \d+.*/, "");
  }
}

/** Line of the quote that opens a value and is never closed (RFC 4180). */
function unclosedQuoteLine(text: string, delimiter: string): number | undefined {
  let line = 1;
  let open: number | undefined;
  let fieldStart = true;
  for (let i = text.startsWith("\ufeff") ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (open !== undefined) {
      if (c === '"' && text[i + 1] === '"') i++;
      else if (c === '"') open = undefined;
    } else if (c === '"' && fieldStart) {
      open = line;
    }
    fieldStart = open === undefined && (c === delimiter || c === "\n" || c === "\r");
  }
  return open;
}
