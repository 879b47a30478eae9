import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { parse } from "csv-parse";

// Streaming CSV (RFC 4180) with the line each record starts on, from a file or from an uploaded
// file's bytes. The bytes must be UTF-8: anything else stops the read with the line of the first bad
// byte, before a wrong character can slip in.

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export interface CsvRecord {
  fields: string[];
  /** Line the record starts on; the header is line 1. */
  line: number;
}

async function* decodeUtf8(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lines = 1;
  let first = true;
  let sawText = false;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        throw new CsvError('the file is UTF-16 (as Excel saves "Unicode text"); save it as CSV UTF-8', 1);
      }
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      const bad = firstInvalidUtf8(chunk);
      throw new CsvError("the file is not UTF-8 (save it as CSV UTF-8)", lines + countNewlines(chunk, bad));
    }
    lines += countNewlines(chunk, chunk.length);
    if (!sawText && text.trim() !== "") sawText = true;
    yield text;
  }
  const rest = decoder.decode();
  if (rest.trim() !== "") sawText = true;
  if (!sawText) throw new CsvError("the file is empty: expected a header row", 1);
  yield rest;
}

function countNewlines(buf: Buffer, end: number): number {
  let n = 0;
  let i = buf.indexOf(10);
  while (i !== -1 && i < end) {
    n++;
    i = buf.indexOf(10, i + 1);
  }
  return n;
}

/** Offset of the first byte that cannot start or continue a UTF-8 sequence here. */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && ((buf[i] as number) & 0xc0) === 0x80) i++; // tail of a previous chunk
  while (i < buf.length) {
    const b = buf[i] as number;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) {
      if (i + k >= buf.length) return buf.length;
      if (((buf[i + k] as number) & 0xc0) !== 0x80) return i;
    }
    i += len;
  }
  return buf.length;
}

async function* inMemory(content: Buffer): AsyncGenerator<Buffer> {
  yield content;
}

/** The records of a CSV file (a path) or of a file's content (a Buffer), header first. */
export async function* readCsv(file: string | Buffer): AsyncGenerator<CsvRecord> {
  const chunks =
    typeof file === "string"
      ? (createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
      : inMemory(file);
  const source = Readable.from(decodeUtf8(chunks));
  // Line numbers are counted here rather than with csv-parse's `info` option, which costs a third
  // of the parse time: a record spans one line plus the line breaks inside its quoted fields.
  const parser = parse({ relax_column_count: true });
  source.on("error", (e) => parser.destroy(e));
  source.pipe(parser);
  let line = 1;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      line += 1;
      for (const f of fields) if (f.includes("\n")) line += f.split("\n").length - 1;
      if (fields.length === 1 && fields[0] === "") continue; // an empty line
      yield { fields, line: start };
    }
  } catch (e) {
    if (e instanceof CsvError) throw e;
    const err = e as { code?: string; lines?: number; message?: string };
    if (err.code === "ENOENT") throw new CsvError("file not found");
    if (err.code === "EISDIR") throw new CsvError("is a folder, not a CSV file");
    // csv-parse reports an unclosed quote at the end of the file: find the line the quote opens on.
    const at =
      err.code === "CSV_QUOTE_NOT_CLOSED"
        ? unclosedQuoteLine(typeof file === "string" ? await readFile(file, "utf8") : file.toString("utf8"))
        : err.lines;
    if (err.code?.startsWith("CSV_") || err.code === "INVALID_OPENING_QUOTE")
      throw new CsvError(csvMessage(err.code, err.message ?? ""), at);
    throw e;
  }
}

function csvMessage(code: string, message: string): string {
  switch (code) {
    case "CSV_INVALID_CLOSING_QUOTE":
      return 'a quoted value is followed by more text before the comma (a stray " inside a field?)';
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted value is never closed";
    case "INVALID_OPENING_QUOTE":
      return 'a " inside an unquoted value (quote the whole value and double the ": "a ""b"" c")';
    default:
      return message.replace(/ at line \d+.*/, "");
  }
}

/** Line of the quote that opens a value and is never closed (RFC 4180). */
function unclosedQuoteLine(text: string): number | undefined {
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
    fieldStart = open === undefined && (c === "," || c === "\n" || c === "\r");
  }
  return open;
}
