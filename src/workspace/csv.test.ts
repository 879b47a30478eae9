import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvError, type CsvRecord, readCsv } from "./csv.ts";
import { detectDelimiter } from "./decode.ts";

// The synchronous scanner against csv-parse, the reader it replaced: the same records, the same
// lines, and an error wherever csv-parse stops with one.

/**
 * What the streaming csv-parse reader gave: records with the line each starts on (the first with the
 * file's separator), or its error.
 */
function reference(text: string): CsvRecord[] | "error" {
  const { delimiter, sepLine } = detectDelimiter(text);
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, delimiter }) as string[][];
  } catch {
    return "error";
  }
  const out: CsvRecord[] = [];
  let line = 1;
  let skip = sepLine;
  for (const fields of rows) {
    const start = line;
    line += 1;
    for (const f of fields) line += f.split("\n").length - 1;
    if (skip) {
      skip = false;
      continue;
    }
    if (fields.length === 1 && fields[0] === "") continue;
    out.push(out.length === 0 ? { fields, line: start, delimiter } : { fields, line: start });
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "trueup-csv-"));

/** Read from a Buffer, or from a file in chunks of `chunk` bytes (records then span chunks). */
async function scanned(text: string, chunk?: number): Promise<CsvRecord[] | "error"> {
  const out: CsvRecord[] = [];
  let source: string | Buffer = Buffer.from(text, "utf8");
  if (chunk !== undefined) {
    source = join(dir, "f.csv");
    writeFileSync(source, text);
  }
  try {
    for await (const r of readCsv(source, chunk)) out.push(r);
  } catch (e) {
    if (e instanceof CsvError) return "error";
    throw e;
  }
  return out;
}

const pieces = ["a", "bc", ",", ";", "\t", '"', '""', "\r", "\n", "\r\n", " ", "é", "sep=;\n", "x"];
const csvText = fc
  .tuple(fc.constantFrom("\n", "\r\n", "\r", ""), fc.array(fc.constantFrom(...pieces), { maxLength: 40 }))
  .map(([br, p]) => `h1,h2${br}${p.join("")}`);

describe("readCsv", () => {
  it("reads what csv-parse reads, record for record and line for line", async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        expect(await scanned(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads the same from a file read in chunks of a few bytes, records spanning chunks", async () => {
    await fc.assert(
      fc.asyncProperty(csvText, fc.integer({ min: 1, max: 9 }), async (text, chunk) => {
        expect(await scanned(text, chunk)).toEqual(reference(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("finds the separator past a line break inside a quoted header value, a byte at a time", async () => {
    // Found by the property above: the separator was looked for on the header's text up to its
    // first line feed, inside the quotes, and read as a comma.
    const text = 'h1,h2;"\r\n";';
    expect(reference(text)).not.toBe("error");
    for (const chunk of [1, 2, 3, 7]) expect(await scanned(text, chunk)).toEqual(reference(text));
  });

  it.each([
    ["CRLF with a bare LF inside a value", 'a,b\r\n1,x\ny\r\n"2\r\n",3\r\n'],
    ["bare CR line ends", "a,b\r1,2\r3,4\r"],
    ["a quoted line break", 'a,b\n"1\n2",3\n4,5\n'],
    ["no line break at the end", "a,b\n1,2"],
    ["empty lines", "a,b\n\n1,2\n\n\n3,4\n"],
  ])("%s", async (_, text) => {
    expect(await scanned(text)).toEqual(reference(text));
  });

  it("keeps the records before an error and names the error's line", async () => {
    const got: CsvRecord[] = [];
    let error: unknown;
    try {
      for await (const r of readCsv(Buffer.from('a,b\n1,2\n3,"4"x\n5,6\n'))) got.push(r);
    } catch (e) {
      error = e;
    }
    expect(got.map((r) => r.line)).toEqual([1, 2]);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).line).toBe(3);
  });
});
