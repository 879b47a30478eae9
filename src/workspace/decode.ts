import { isAscii, isUtf8 } from "node:buffer";

// Bytes of a CSV export -> text, whatever the tool that wrote it: UTF-8 (with or without a BOM),
// UTF-16 LE/BE with a BOM (Excel's "Unicode text"), or Windows-1252 when the bytes are not UTF-8 (an
// older Excel's "CSV"). Streaming: a chunk is decoded as it comes, so memory stays flat.

export type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

/** A problem with the bytes themselves, with the line it is on (the header is line 1). */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const NOT_TEXT =
  "the file is not text (it holds a NUL byte): is it a spreadsheet or another binary file? Save it as CSV";

/** What the decoder found, filled in as it reads. */
export interface Decoding {
  encoding: Encoding;
}

// Windows-1252's characters at 0x80-0x9f (the rest of its range is Latin-1). Node 20's
// TextDecoder("windows-1252") decodes these bytes as Latin-1's control characters instead.
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Windows-1252 bytes as text. */
export function decodeCp1252(buf: Buffer): string {
  const text = buf.toString("latin1");
  return /[\x80-\x9f]/.test(text)
    ? text.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string)
    : text;
}

function startsWith(buf: Buffer, ...bytes: number[]): boolean {
  return bytes.every((b, i) => buf[i] === b);
}

/** Offset where an unfinished UTF-8 sequence starts at the end of `buf` (buf.length when none). */
function incompleteTail(buf: Buffer): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 4); i--) {
    const b = buf[i] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + len > buf.length ? i : buf.length;
  }
  return buf.length;
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

export function countNewlines(buf: Buffer, end: number): number {
  let n = 0;
  let i = buf.indexOf(10);
  while (i !== -1 && i < end) {
    n++;
    i = buf.indexOf(10, i + 1);
  }
  return n;
}

/**
 * The text of a CSV file's bytes, chunk by chunk. A file is UTF-16 when it starts with a UTF-16 BOM;
 * else UTF-8 while its bytes are; Windows-1252 from the first byte that is not, when everything
 * before it was plain ASCII (the two agree on ASCII, so the switch loses nothing). A file with UTF-8
 * characters before that byte mixes two encodings: that, and a NUL byte, stop the read with their line.
 */
export class TextDecoderOfCsv {
  /** Line breaks counted so far (+1): the line the next chunk starts on. */
  private counted = 1;
  private first = true;
  private nonAscii = false;
  private carry: Buffer | undefined;
  private utf16: TextDecoder | undefined;
  private cp1252 = false;

  constructor(private readonly found: Decoding) {}

  /** The line the next chunk starts on. */
  private get lines(): number {
    return this.counted;
  }

  /** A chunk's text, its line breaks counted (in the text: V8 finds them faster than in the bytes). */
  private read(text: string): string {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.counted++;
    return text;
  }

  /** The text of the next chunk. */
  push(chunk: Buffer): string {
    if (this.first) {
      this.first = false;
      if (startsWith(chunk, 0x50, 0x4b, 0x03, 0x04))
        throw new DecodeError(
          "the file is an Excel workbook (or another zip file), not CSV: save it as CSV",
          1,
        );
      if (startsWith(chunk, 0xff, 0xfe) || startsWith(chunk, 0xfe, 0xff)) {
        this.found.encoding = chunk[0] === 0xff ? "utf-16le" : "utf-16be";
        this.utf16 = new TextDecoder(this.found.encoding, { fatal: true });
      } else if (startsWith(chunk, 0xef, 0xbb, 0xbf)) {
        chunk = chunk.subarray(3);
      }
    }
    if (this.utf16) {
      return this.read(decodeUtf16(this.utf16, chunk, this.lines));
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) throw new DecodeError(NOT_TEXT, this.lines + countNewlines(chunk, nul));
    if (this.cp1252) {
      return this.read(decodeCp1252(chunk));
    }
    const carry = this.carry;
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const end = incompleteTail(buf);
    // A copy: the reader reuses its buffer for the next chunk.
    this.carry = end < buf.length ? Buffer.from(buf.subarray(end)) : undefined;
    buf = buf.subarray(0, end);
    if (!isUtf8(buf)) {
      const bad = ((buf[0] as number) & 0xc0) === 0x80 ? 0 : firstInvalidUtf8(buf);
      if (this.nonAscii || !isAscii(buf.subarray(0, bad))) {
        throw new DecodeError(
          "the file mixes encodings: this line is not UTF-8 but earlier ones are; save it again as CSV UTF-8",
          this.lines + countNewlines(buf, bad),
        );
      }
      this.found.encoding = "windows-1252";
      this.cp1252 = true;
      const text = decodeCp1252(this.carry ? Buffer.concat([buf, this.carry]) : buf);
      this.carry = undefined;
      return this.read(text);
    }
    // ASCII reads the same as Latin-1, which Node copies as it is (UTF-8 is decoded byte by byte).
    if (isAscii(buf)) return this.read(buf.toString("latin1"));
    this.nonAscii = true;
    return this.read(buf.toString("utf8"));
  }

  /** The text left at the end of the file. */
  end(): string {
    if (this.utf16) {
      try {
        return this.utf16.decode();
      } catch {
        throw new DecodeError("the file ends inside a UTF-16 character: it is cut short", this.lines);
      }
    }
    const carry = this.carry;
    if (!carry) return "";
    if (this.nonAscii)
      throw new DecodeError(
        "the file ends inside a character: it is cut short or not UTF-8 throughout",
        this.lines,
      );
    this.found.encoding = "windows-1252";
    return decodeCp1252(carry);
  }
}

/** decodeText over a stream of chunks. */
export async function* decodeText(chunks: AsyncIterable<Buffer>, found: Decoding): AsyncGenerator<string> {
  const decoder = new TextDecoderOfCsv(found);
  for await (const chunk of chunks) yield decoder.push(chunk);
  const rest = decoder.end();
  if (rest !== "") yield rest;
}

/** The whole text of a file's bytes, decoded in the chunks a file is read in (1 MiB) or in one piece. */
export function decodeWhole(bytes: Buffer, found: Decoding, chunkSize = bytes.length): string {
  const decoder = new TextDecoderOfCsv(found);
  const parts: string[] = [];
  const step = Math.max(1, chunkSize);
  for (let at = 0; at < bytes.length; at += step) parts.push(decoder.push(bytes.subarray(at, at + step)));
  parts.push(decoder.end());
  return parts.length === 1 ? (parts[0] as string) : parts.join("");
}

function decodeUtf16(decoder: TextDecoder, chunk: Buffer, line: number): string {
  try {
    return decoder.decode(chunk, { stream: true });
  } catch {
    throw new DecodeError("the file starts as UTF-16 but holds bytes that are not UTF-16 text", line);
  }
}

/** The whole of a file's bytes as text in an encoding found before (for error messages only). */
export function decodeAll(content: Buffer, encoding: Encoding): string {
  if (encoding === "utf-8") return content.toString("utf8");
  return encoding === "windows-1252" ? decodeCp1252(content) : new TextDecoder(encoding).decode(content);
}

export type Delimiter = "," | ";" | "\t";

/**
 * The separator of a CSV file from its header line: the one of `,` `;` and tab that occurs most often
 * outside quotes (a comma on a tie). Excel's `sep=;` first line names it outright; PowerShell's
 * `#TYPE` first line is skipped like it. `complete`: the header record ends in `head` (a line break
 * outside quotes); when it does not, the rest of the file may change the answer.
 */
export function detectDelimiter(head: string): {
  delimiter: Delimiter;
  sepLine: boolean;
  columns?: number;
  complete: boolean;
} {
  const sep = /^sep=([,;\t])\r?\n/i.exec(head);
  if (sep) return { delimiter: sep[1] as Delimiter, sepLine: true, complete: true };
  // Windows PowerShell's Export-Csv starts with "#TYPE <class>" unless told not to: no record.
  const type = /^#TYPE [^\r\n]*\r?\n/.exec(head);
  if (type) return { ...detectDelimiter(head.slice(type[0].length)), sepLine: true };
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let quoted = false;
  let complete = false;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === "\n" || c === "\r") {
      complete = true;
      break;
    } else if (c === ",") comma++;
    else if (c === ";") semicolon++;
    else if (c === "\t") tab++;
  }
  const delimiter = semicolon > comma && semicolon >= tab ? ";" : tab > comma && tab > semicolon ? "\t" : ",";
  const columns = 1 + (delimiter === ";" ? semicolon : delimiter === "\t" ? tab : comma);
  return { delimiter, sepLine: false, columns, complete };
}
