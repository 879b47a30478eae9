import { describe, expect, it } from "vitest";
import { DecodeError, type Decoding, decodeText, detectDelimiter } from "./decode.ts";

// The bytes of a CSV file to text, whichever chunks they arrive in.

async function decode(...chunks: Buffer[]): Promise<{ text: string; found: Decoding }> {
  const found: Decoding = { encoding: "utf-8" };
  async function* source() {
    yield* chunks;
  }
  let text = "";
  for await (const t of decodeText(source(), found)) text += t;
  return { text, found };
}

async function failure(...chunks: Buffer[]): Promise<DecodeError> {
  try {
    await decode(...chunks);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error("decoded without an error");
}

// Windows-1252 bytes: Latin-1 but for the few characters it puts at 0x80-0x9f.
const SPECIAL: Record<string, number> = { "€": 0x80, "–": 0x96, "’": 0x92 };
const cp1252 = (s: string) => Buffer.from([...s].map((c) => SPECIAL[c] ?? c.charCodeAt(0)));

describe("decodeText", () => {
  it("reads UTF-8 whose characters are cut between two chunks", async () => {
    const bytes = Buffer.from("a,b\nZoë,Ærø,日本\n");
    for (let cut = 1; cut < bytes.length; cut++) {
      const { text, found } = await decode(bytes.subarray(0, cut), bytes.subarray(cut));
      expect(text).toBe("a,b\nZoë,Ærø,日本\n");
      expect(found.encoding).toBe("utf-8");
    }
  });

  it("drops a UTF-8 byte-order mark", async () => {
    expect((await decode(Buffer.from("\ufeffa,b\n"))).text).toBe("a,b\n");
  });

  it("reads Windows-1252 when a byte is not UTF-8 and all before it was ASCII, even chunks later", async () => {
    const bytes = cp1252("name\nplain\nJosé Müller – 5€\n");
    expect(await decode(bytes)).toEqual({
      text: "name\nplain\nJosé Müller – 5€\n",
      found: { encoding: "windows-1252" },
    });
    expect((await decode(bytes.subarray(0, 8), bytes.subarray(8, 15), bytes.subarray(15))).text).toBe(
      "name\nplain\nJosé Müller – 5€\n",
    );
  });

  it("reads a Windows-1252 file that ends on a byte that looks like the start of a UTF-8 character", async () => {
    expect((await decode(cp1252("a\nCafé"))).text).toBe("a\nCafé");
  });

  it("reads UTF-16 LE and BE with their byte-order mark, characters cut between chunks", async () => {
    const le = Buffer.from("\ufeffa\tb\nZoë\t日本\n", "utf16le");
    const be = Buffer.from(le).swap16();
    for (const [bytes, encoding] of [
      [le, "utf-16le"],
      [be, "utf-16be"],
    ] as const) {
      const { text, found } = await decode(bytes.subarray(0, 5), bytes.subarray(5));
      expect(text).toBe("a\tb\nZoë\t日本\n");
      expect(found.encoding).toBe(encoding);
    }
  });

  it("refuses a file that mixes UTF-8 and another encoding, naming the first line that is not UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from("a\nZoë\nok\n"), cp1252("José\n")]);
    const e = await failure(bytes);
    expect([e.line, e.message]).toEqual([
      4,
      "the file mixes encodings: this line is not UTF-8 but earlier ones are; save it again as CSV UTF-8",
    ]);
    expect((await failure(bytes.subarray(0, 6), bytes.subarray(6))).line).toBe(4);
  });

  it("refuses a NUL byte (a binary file) with its line, and an Excel workbook", async () => {
    expect((await failure(Buffer.from("a\nb\n"), Buffer.from([0x63, 0x0a, 0x64, 0x00]))).line).toBe(4);
    expect((await failure(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).message).toContain("Excel workbook");
  });
});

describe("detectDelimiter", () => {
  it.each([
    ["account,upn,enabled\n", ",", 3],
    ["account;upn;enabled\r\n", ";", 3],
    ["account\tupn\tenabled\n", "\t", 3],
    ['"Name, full";Mail;Phone\n', ";", 3],
    ['"a;b;c",d\n', ",", 2],
    ["single\n", ",", 1],
    ["a;b,c\n", ",", 2],
    ["a;b;c\nx,y,z,w,v\n", ";", 3],
  ])("%j is separated by %j into %d columns", (head, delimiter, columns) => {
    expect(detectDelimiter(head)).toEqual({ delimiter, sepLine: false, columns, complete: true });
  });

  it("says when the header record does not end in the text given (a line break inside quotes)", () => {
    expect(detectDelimiter('h1,h2;"\r\n')).toMatchObject({ delimiter: ",", complete: false });
    expect(detectDelimiter('h1,h2;"\r\n";\n')).toMatchObject({ delimiter: ";", complete: true });
  });

  it("takes Excel's sep= line at its word", () => {
    expect(detectDelimiter("sep=;\r\na,b;c\n")).toEqual({ delimiter: ";", sepLine: true, complete: true });
  });
});
