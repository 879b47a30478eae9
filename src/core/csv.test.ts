import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvText } from "./csv.ts";

/** The text a spreadsheet reads back from one cell (RFC 4180 unquoting). */
const unquote = (cell: string) => (cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell);

describe("csvCell", () => {
  it("prefixes text a spreadsheet would run as a formula with a quote", () => {
    for (const text of ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "  =1", "＝1", "-", "-12,00"])
      expect(unquote(csvCell(text)).startsWith("'")).toBe(true);
  });

  it("leaves plain numbers, negative money included, as numbers", () => {
    for (const text of ["-12.00", "12.00", "0", "-3"]) expect(csvCell(text)).toBe(text);
    expect(csvCell(-7)).toBe("-7");
  });

  it("leaves ordinary text alone and quotes what RFC 4180 needs quoted", () => {
    expect(csvCell("PC-1")).toBe("PC-1");
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell(null)).toBe("");
  });

  it("never lets a cell start with a formula character once read back, and keeps the text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const back = unquote(csvCell(text));
        if (/^-?\d+(\.\d+)?$/.test(text)) return back === text;
        return !/^[\s\0]*[=+\-@]/.test(back) && (back === text || back === `'${text}`);
      }),
    );
  });

  it("writes a file with CRLF line ends", () => {
    expect(csvText(["a", "b"], [["=x", "-1.50"]])).toBe("a,b\r\n'=x,-1.50\r\n");
  });
});
