import { closeSync, openSync, readSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse as csvParseSync } from "csv-parse/sync";
import { countText } from "../core/listing.ts";
import {
  DecodeError,
  type Decoding,
  decodeAll,
  decodeWhole,
  detectDelimiter,
  TextDecoderOfCsv,
} from "./decode.ts";

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
  /** The file's separator, given on its header record (the first a file yields). */
  delimiter?: string;
}

/** A CSV file's records, header first, in batches: one call of the parser per batch, not per record. */
export interface CsvRecords extends AsyncIterable<CsvRecord> {
  batches(): AsyncIterable<CsvRecord[]>;
}

const BATCH = 2048;

/** The records of a CSV file (a path) or of a file's content (a Buffer), header first. */
export function readCsv(file: string | Buffer, chunkSize = 1 << 16): CsvRecords {
  const batches = () => readBatches(file, chunkSize);
  return {
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/** A file's text piece by piece, read in chunks of `size` bytes; an uploaded file's content is one chunk. */
async function* textOf(file: string | Buffer, found: Decoding, size: number): AsyncGenerator<string> {
  const decoder = new TextDecoderOfCsv(found);
  if (typeof file !== "string") {
    yield decoder.push(file);
    yield decoder.end();
    return;
  }
  // Read synchronously: a chunk comes from the page cache in a fraction of a millisecond, less than
  // the trip through the event loop an asynchronous read takes (time the process spent idle).
  // One buffer for every chunk: the decoder keeps none of it (it copies a cut-off character), and a
  // new one per chunk cost a page fault per 4 KiB.
  const buf = Buffer.allocUnsafe(size);
  const fd = openSync(file, "r");
  try {
    for (;;) {
      const bytesRead = readSync(fd, buf, 0, size, null);
      if (bytesRead === 0) break;
      yield decoder.push(buf.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
  yield decoder.end();
}

async function* readBatches(file: string | Buffer, chunkSize: number): AsyncGenerator<CsvRecord[]> {
  const found: Decoding = { encoding: "utf-8" };
  let delimiter = ",";
  try {
    const pieces = textOf(file, found, chunkSize);
    let pending = "";
    let sawText = false;
    let scanner: CsvScanner | undefined;
    let skip = false;
    let named = false;
    // Whether a line feed has been read: looked for in each piece as it comes, not in all the text
    // so far (a header of a million columns spans hundreds of pieces).
    let sawBreak = false;
    let detectAt = 0;
    let rescanAt = 0;
    for (let done = false; !done; ) {
      const next = await pieces.next();
      done = next.done === true;
      if (!done) {
        const t = next.value as string;
        if (!sawText && t.trim() !== "") sawText = true;
        if (!scanner && !sawBreak && t.includes("\n")) sawBreak = true;
        pending += t;
      }
      if (!scanner) {
        // The separator is found on the header line (a whitespace-only file is empty).
        if (!done && !(sawText && sawBreak)) continue;
        if (!sawText) throw new CsvError("the file is empty: expected a header row", 1);
        // A line break inside a quoted header value is no end of the header: wait for the record's
        // end (looked for again once the text has doubled, so that a long header stays linear).
        if (!done && pending.length < detectAt) continue;
        const detected = detectDelimiter(pending);
        if (!done && !detected.complete) {
          detectAt = 2 * pending.length;
          continue;
        }
        delimiter = detected.delimiter;
        // Counted before any record is read, so that a header of a million columns costs nothing.
        if ((detected.columns ?? 0) > MAX_COLUMNS) throw tooManyColumns(detected.columns ?? 0, 1);
        skip = detected.sepLine; // Excel's "sep=;" line names the separator and is no record
        scanner = new CsvScanner(delimiter);
      }
      // A record longer than the text read so far is scanned again only once the text has doubled,
      // so that one of megabytes costs a few scans, not one per piece.
      if (!done && pending.length < rescanAt) continue;
      // Whole records only; the last, cut off by the end of the chunk, waits for the next.
      scanner.feed(pending, done);
      for (;;) {
        const batch = scanner.batch(BATCH);
        if (batch.length === 0) break;
        for (const r of batch)
          if (r.fields.length > MAX_COLUMNS) throw tooManyColumns(r.fields.length, r.line);
        if (skip) {
          batch.shift();
          skip = false;
        }
        if (!named && batch[0]) {
          batch[0].delimiter = delimiter;
          named = true;
        }
        yield batch;
      }
      if (scanner.failed) {
        // The scanner stops where csv-parse finds an error; csv-parse itself then names it.
        const bytes = typeof file === "string" ? await readFile(file) : file;
        const whole = decodeWhole(
          bytes,
          { encoding: "utf-8" },
          typeof file === "string" ? chunkSize : undefined,
        );
        csvParseSync(whole, { relax_column_count: true, delimiter });
        throw new Error("the CSV scanner stopped where csv-parse reads on");
      }
      rescanAt = scanner.consumed === 0 ? 2 * pending.length : 0;
      pending = pending.slice(scanner.consumed);
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

const CR = 13;
const LF = 10;
const QUOTE = 34;

/**
 * RFC 4180 records over a whole text, as csv-parse reads them with `relax_column_count` (the same
 * record and field boundaries: the line break is the first of CRLF, LF or CR met outside quotes, a
 * quote opens a value only at its start, a closing quote is followed by a separator, a line break or
 * the end). Where csv-parse would stop with an error the scanner stops too (`failed`), after the
 * records before it, and csv-parse is run over the text to give the error its exact wording and line.
 * Each record's line is the line it starts on: one line per record plus the line feeds in its values.
 */
class CsvScanner {
  private pos = 0;
  private line = 1;
  /** The line break, once seen: "" until then. */
  private rd = "";
  failed = false;
  private readonly sep: number;
  private readonly delimiter: string;
  private text = "";
  /** Whether the text runs to the end of the file (else a record that reaches its end waits). */
  private final = true;
  /** Where the text's next quote is at or after pos (its length when none; -1: not looked for yet). */
  private quoteAt = -1;

  constructor(delimiter: string) {
    this.delimiter = delimiter;
    this.sep = delimiter.charCodeAt(0);
  }

  /** The text to scan next: what was left of the last one, then the next piece of the file. */
  feed(text: string, final: boolean): void {
    this.text = text;
    this.final = final;
    this.pos = 0;
    this.quoteAt = -1;
  }

  /**
   * The record at pos when it is a plain line: the line break is known (LF or CRLF), the line ends
   * in this text and holds no quote. Its values are then the line split at the separator, as the
   * field by field scan below reads them. Undefined for any other record (the scan reads it).
   */
  private plainLine(): string[] | undefined {
    const rd = this.rd;
    if (rd !== "\n" && rd !== "\r\n") return undefined;
    const text = this.text;
    const i = this.pos;
    const lf = text.indexOf("\n", i);
    if (lf === -1) return undefined;
    let end = lf;
    if (rd === "\r\n") {
      // The first LF ends the record only as the end of a CRLF; a lone LF is part of a value.
      end = lf - 1;
      if (end < i || text.charCodeAt(end) !== CR) return undefined;
    }
    if (this.quoteAt < i) {
      const q = text.indexOf('"', i);
      this.quoteAt = q === -1 ? text.length : q;
    }
    if (this.quoteAt < end) return undefined;
    this.pos = lf + 1;
    this.line++;
    return text.slice(i, end).split(this.delimiter);
  }

  /** How much of the text the records read so far took. */
  get consumed(): number {
    return this.pos;
  }

  /** Up to n records with their lines; none at the end of the text or at an error. */
  batch(n: number): CsvRecord[] {
    const out: CsvRecord[] = [];
    const text = this.text;
    const len = text.length;
    while (out.length < n && !this.failed && this.pos < len) {
      const start = this.line;
      const plain = this.plainLine();
      if (plain !== undefined) {
        if (plain.length === 1 && plain[0] === "") continue; // an empty line
        out.push({ fields: plain, line: start });
        continue;
      }
      const fields: string[] = [];
      let feeds = 0;
      let i = this.pos;
      let ended = false;
      while (!ended) {
        // One field from i.
        if (i < len && text.charCodeAt(i) === QUOTE) {
          let value = "";
          let from = i + 1;
          let j = from;
          for (;;) {
            const q = text.indexOf('"', j);
            if (q === -1) {
              if (this.final) this.failed = true; // never closed
              return out;
            }
            for (let k = text.indexOf("\n", j); k !== -1 && k < q; k = text.indexOf("\n", k + 1)) feeds++;
            const next = q + 1 < len ? text.charCodeAt(q + 1) : -1;
            if (next === -1 && !this.final) return out;
            if (next === QUOTE) {
              value += text.slice(from, q + 1);
              from = q + 2;
              j = from;
              continue;
            }
            value += text.slice(from, q);
            i = q + 1;
            break;
          }
          fields.push(value);
          if (i >= len) {
            if (!this.final) return out;
            ended = true;
            break;
          }
          const c = text.charCodeAt(i);
          if (c === CR && i + 1 >= len && !this.final) return out;
          if (c === this.sep) {
            i++;
            continue;
          }
          const brk = this.lineBreak(i);
          if (brk > 0) {
            i += brk;
            ended = true;
            break;
          }
          this.failed = true; // text after a closing quote
          return out;
        }
        // An unquoted value: up to the separator, the line break or the end; a quote in it is an error.
        let j = i;
        for (;;) {
          if (j >= len) {
            if (!this.final) return out;
            fields.push(text.slice(i, j));
            i = j;
            ended = true;
            break;
          }
          const c = text.charCodeAt(j);
          if (c === this.sep) {
            fields.push(text.slice(i, j));
            i = j + 1;
            break;
          }
          if (c === CR || c === LF) {
            if (c === CR && j + 1 >= len && !this.final) return out; // CR, or the CR of a CRLF?
            const brk = this.lineBreak(j);
            if (brk > 0) {
              fields.push(text.slice(i, j));
              i = j + brk;
              ended = true;
              break;
            }
            if (c === LF) feeds++;
          } else if (c === QUOTE) {
            if (j === i) break; // cannot happen: a value that starts with a quote is quoted
            this.failed = true;
            return out;
          }
          j++;
        }
      }
      this.pos = i;
      this.line += 1 + feeds;
      if (fields.length === 1 && fields[0] === "") continue; // an empty line
      out.push({ fields, line: start });
    }
    return out;
  }

  /** Length of the line break at i (0 when none): the first break seen outside quotes sets which. */
  private lineBreak(i: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (this.rd === "") {
      if (c === CR) this.rd = text.charCodeAt(i + 1) === LF ? "\r\n" : "\r";
      else if (c === LF) this.rd = "\n";
      else return 0;
    }
    if (this.rd === "\n") return c === LF ? 1 : 0;
    if (this.rd === "\r") return c === CR ? 1 : 0;
    return c === CR && text.charCodeAt(i + 1) === LF ? 2 : 0;
  }
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
