import { afterAll, describe, expect, it } from "vitest";
import { BASE_FILES, cleanup, trueup, workspace } from "./fixtures.ts";

// Exports as Excel and consoles save them: UTF-8 with or without a BOM, UTF-16 ("Unicode text"),
// Windows-1252, separated by commas, semicolons or tabs. Each gives the report the UTF-8 comma file gives.

afterAll(cleanup);

type Files = Record<string, string | Buffer | null>;
interface Report {
  clients: { id: string; findings: { type: string; subject: string; evidence: string[] }[] }[];
}

async function report(files: Files): Promise<Report> {
  const r = await trueup("reconcile", "--workspace", await workspace(files), "--format", "json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const CSV_FILES = Object.keys(BASE_FILES).filter((f) => f.endsWith(".csv"));

/** Every CSV of the base workspace re-encoded and re-separated (values hold no separator). */
function converted(encode: (text: string) => Buffer, separator: string): Files {
  const out: Files = {};
  for (const name of CSV_FILES) out[name] = encode((BASE_FILES[name] ?? "").replaceAll(",", separator));
  return out;
}

// Windows-1252 as Excel writes it; these tests only use Latin-1 letters, which it shares.
const cp1252 = (text: string) => Buffer.from(text, "latin1");
const utf16le = (text: string) => Buffer.from(`\ufeff${text}`, "utf16le");
const utf16be = (text: string) => Buffer.from(`\ufeff${text}`, "utf16le").swap16();

describe("encodings and separators", () => {
  it.each([
    ["UTF-8, semicolons", (t: string) => Buffer.from(t), ";"],
    ["UTF-8, tabs", (t: string) => Buffer.from(t), "\t"],
    ["UTF-8 with a BOM, CRLF", (t: string) => Buffer.from(`\ufeff${t.replaceAll("\n", "\r\n")}`), ","],
    ["UTF-16 LE with a BOM, tabs (Excel's Unicode text)", utf16le, "\t"],
    ["UTF-16 BE with a BOM, commas", utf16be, ","],
    ["Windows-1252, semicolons", cp1252, ";"],
  ])("%s gives the report of UTF-8 with commas", async (_, encode, separator) => {
    expect(await report(converted(encode, separator))).toEqual(await report({}));
  });

  // An account that matches no client shows in the report as written: the way to see the text decoded.
  const withAccent = (encode: (t: string) => Buffer, separator: string) => ({
    "data/psa.csv": encode(
      `account${separator}product${separator}quantity${separator}unitPrice\n100${separator}GOLD${separator}2${separator}100.00\nCafé Müller${separator}GOLD${separator}1${separator}100.00\n`,
    ),
  });
  const unmapped = (r: Report) =>
    r.clients.find((c) => c.id === "_unmapped")?.findings.map((f) => [f.type, f.subject, f.evidence]);

  it.each([
    ["Windows-1252", cp1252, ";"],
    ["UTF-16 LE", utf16le, "\t"],
    ["UTF-8", (t: string) => Buffer.from(t), ","],
  ])("reads accented letters of a %s file as written", async (_, encode, separator) => {
    expect(unmapped(await report(withAccent(encode, separator)))).toEqual([
      ["UNMAPPED_ACCOUNT", "account:psa:Café Müller", ["data/psa.csv:3"]],
    ]);
  });

  it("reads a separator inside quotes as part of the value, whatever the file's separator", async () => {
    const text = 'account;product;quantity;unitPrice;agreement\n100;GOLD;2;100.00;"Managed; 2026"\n';
    const r = await report({ "data/psa.csv": text });
    expect(r).toEqual(await report({}));
  });

  it("takes Excel's sep= line as the separator, and counts lines from it", async () => {
    const text = "sep=;\naccount;product;quantity;unitPrice\n100;GOLD;2;100.00\nCafé;GOLD;1;100.00\n";
    expect(unmapped(await report({ "data/psa.csv": text }))).toEqual([
      ["UNMAPPED_ACCOUNT", "account:psa:Café", ["data/psa.csv:4"]],
    ]);
  });

  it("switches to Windows-1252 deep in a large file whose first megabyte is plain ASCII", async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `acme,user${i}@acme.com,User number ${i},false,BP`);
    const text = `account,upn,displayName,enabled,licences\n${rows.join("\n")}\nnobody,josé@acme.com,José,true,BP\n`;
    expect(text.length).toBeGreaterThan(1.5 * (1 << 20)); // read in chunks of 1 MiB
    const r = await report({ "data/users.csv": cp1252(text) });
    expect(unmapped(r)).toContainEqual([
      "UNMAPPED_ACCOUNT",
      "account:microsoft:nobody",
      ["data/users.csv:40002"],
    ]);
  });
});

// European Excel ("CSV (semicolon delimited)" where the decimal separator is a comma): `;` between
// fields, "1.234,50" for amounts, CRLF, and a UTF-8 BOM or Windows-1252.
describe("decimal commas in files separated by semicolons", () => {
  const excel = (rows: string[], bom = true) => Buffer.from(`${bom ? "\ufeff" : ""}${rows.join("\r\n")}\r\n`);
  const psa = (price: string) =>
    `account,product,quantity,unitPrice,agreement\n100,GOLD,2,${price},Managed\n`;

  it("reads 2,0 and 1.234,50 as 2 and 1234.50 (UTF-8 with a BOM, CRLF)", async () => {
    const plain = await report({ "data/psa.csv": psa("1234.50") });
    const eu = await report({
      "data/psa.csv": excel([
        "account;product;quantity;unitPrice;agreement",
        "100;GOLD;2,0;1.234,50;Managed",
      ]),
      "data/pax8.csv": excel(["account;sku;quantity;unitCost", "px;BP;2;20,00", "px;S1;2,00;4,5"]),
    });
    expect(eu).toEqual(plain);
    expect(plain).not.toEqual(await report({})); // the amount shows in the report
  });

  it("reads them from a Windows-1252 file", async () => {
    const text = "account;product;quantity;unitPrice;agreement\r\n100;GOLD;2;1.234,50;Geschäft\r\n";
    const r = await report({ "data/psa.csv": Buffer.from(text, "latin1") });
    expect(r).toEqual(await report({ "data/psa.csv": psa("1234.50").replace("Managed", "Geschäft") }));
    expect(r).not.toEqual(await report({}));
  });

  it("still reads a decimal point in a file separated by semicolons", async () => {
    const text = excel(["account;product;quantity;unitPrice;agreement", "100;GOLD;2;1234.50;Managed"], false);
    expect(await report({ "data/psa.csv": text })).toEqual(await report({ "data/psa.csv": psa("1234.50") }));
  });

  it("never reads a comma in a file separated by commas as a decimal comma", async () => {
    const r = await trueup("validate", "--workspace", await workspace({ "data/psa.csv": psa('"1,234"') }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data/psa.csv:2: unitPrice: expected an amount such as 12.50, got "1,234"');
  });

  it("stops at 1.234 without a decimal comma, which reads two ways", async () => {
    const text = excel(["account;product;quantity;unitPrice;agreement", "100;GOLD;1.000;1.234;Managed"]);
    const r = await trueup("validate", "--workspace", await workspace({ "data/psa.csv": text }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'data/psa.csv:2: quantity: "1.000" reads two ways in a file separated by semicolons',
    );
    expect(r.stderr).toContain('data/psa.csv:2: unitPrice: "1.234" reads two ways');
    expect(r.stderr).toContain("write 1234 or 1234,00 for the first, 1,234 for the second");
  });
});
