import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeInPieces } from "./io.ts";

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
