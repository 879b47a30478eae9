import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { outPieces, writeInPieces } from "./io.ts";

describe("writeInPieces", () => {
  it("writes the text's exact UTF-8 bytes, never splitting a surrogate pair between pieces", () => {
    const text = fc
      .array(fc.constantFrom("a", "é", "😀", "\n", '"', "𝄞", "x"), { maxLength: 60 })
      .map((p) => p.join(""));
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 7 }), (t, piece) => {
        const pieces: string[] = [];
        writeInPieces(t, (p) => pieces.push(p), piece);
        expect(Buffer.concat(pieces.map((p) => Buffer.from(p, "utf8")))).toEqual(Buffer.from(t, "utf8"));
        for (const p of pieces) expect(p.length).toBeLessThanOrEqual(piece);
        expect(pieces.every((p) => p !== "")).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("writes a text shorter than a piece in one", () => {
    const pieces: string[] = [];
    writeInPieces("short", (p) => pieces.push(p), 10);
    expect(pieces).toEqual(["short"]);
  });
});

describe("outPieces", () => {
  it("writes the pieces' text in order, gathered into writes of at most the size unless one piece is longer", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 20 }),
        (ps, size) => {
          const writes: string[] = [];
          outPieces({ out: (t) => writes.push(t) }, ps, size);
          expect(writes.join("")).toBe(ps.join(""));
          for (const w of writes) expect(w.length <= size || ps.includes(w)).toBe(true);
          expect(writes.every((w) => w !== "")).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
