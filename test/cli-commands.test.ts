import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { sourceLine } from "../src/cli/validate.ts";
import { BASE_FILES, basicDir, cleanup, repoRoot, tempDir, trueup, workspace } from "./fixtures.ts";

// The CLI as a new user meets it: help, exit codes, the three formats and the options.

afterAll(cleanup);

interface Finding {
  type: string;
  expected: unknown;
  actual: unknown;
  monthlyImpact: string;
  evidence: string[];
}
interface Report {
  asOf: string;
  totals: Record<string, string | number>;
  clients: { id: string; findings: Finding[] }[];
}

const expected = JSON.parse(await readFile(join(basicDir, "expected.json"), "utf8")) as Report;
const basic = ["reconcile", "--workspace", basicDir, "--as-of", "2026-11-01"];
const cents = (s: string) => Math.round(Number(s) * 100);
const money = (c: number) => (c / 100).toFixed(2);
const impact = (c: { findings: Finding[] }) => c.findings.reduce((n, f) => n + cents(f.monthlyImpact), 0);

/** Totals of spec 6, recomputed from findings. */
function totalsOf(findings: Finding[]): Report["totals"] {
  const sum = (keep: (f: Finding) => boolean) =>
    money(findings.filter(keep).reduce((n, f) => n + cents(f.monthlyImpact), 0));
  const lower = (f: Finding) => cents(String(f.actual)) < cents(String(f.expected));
  const is =
    (...types: string[]) =>
    (f: Finding) =>
      types.includes(f.type);
  return {
    underBilled: sum((f) => f.type === "UNDER_BILLED" || (f.type === "PRICE_MISMATCH" && lower(f))),
    overBilled: sum((f) => f.type === "OVER_BILLED" || (f.type === "PRICE_MISMATCH" && !lower(f))),
    licenceWaste: sum(is("LICENCE_SURPLUS", "ORPHAN_LICENCE")),
    licenceShortfall: sum(is("LICENCE_SHORTFALL")),
    unmapped: sum(is("UNMAPPED_ACCOUNT", "UNMAPPED_SKU", "UNMAPPED_PRODUCT")),
    coverageGaps: findings.filter(is("COVERAGE_GAP")).reduce((n, f) => n + f.evidence.length, 0),
    findings: findings.length,
  };
}

describe("help and usage errors", () => {
  it.each([[[]], [["reconcile"]], [["validate"]], [["init"]], [["demo"]]])(
    "trueup %j --help prints usage with an example and exits 0",
    async (command) => {
      const r = await trueup(...command, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: trueup/);
      expect(r.stdout).toMatch(/Examples?:\n {2}trueup /);
    },
  );

  it.each([
    [["bogus"], "unknown command 'bogus'"],
    [["reconcile", "--workspace", basicDir, "--bogus"], "unknown option '--bogus'"],
    [["validate", "--workspace", basicDir, "--strict"], "unknown option '--strict'"],
    [["reconcile"], "required option '-w, --workspace <dir>' not specified"],
    [["init"], "missing required argument 'dir'"],
    [
      ["reconcile", "--workspace", basicDir, "--format", "xml"],
      '--format must be table, json or csv, not "xml"',
    ],
  ])("trueup %j exits 2 and says why on stderr", async (args, says) => {
    const r = await trueup(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(says);
  });
});

describe("reconcile on the spec's worked example", () => {
  it("exits 0 with findings, and --format json is expected.json", async () => {
    const r = await trueup(...basic, "--format", "json");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(expected.totals.findings).toBeGreaterThan(0);
  });

  it("prints JSON by default when stdout is not a terminal", async () => {
    expect(JSON.parse((await trueup(...basic)).stdout)).toEqual(expected);
  });

  it("--format csv has a header and one parseable row per finding", async () => {
    const r = await trueup(...basic, "--format", "csv");
    expect(r.code).toBe(0);
    const rows = parse(r.stdout) as string[][];
    const findings = expected.clients.flatMap((c) => c.findings.map((f) => ({ client: c.id, ...f })));
    expect(rows[0]).toEqual(
      expect.arrayContaining(["client", "type", "subject", "monthlyImpact", "evidence"]),
    );
    expect(rows).toHaveLength(findings.length + 1);
    const records = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(records.map((x) => [x.client, x.type, x.monthlyImpact])).toEqual(
      findings.map((f) => [f.client, f.type, f.monthlyImpact]),
    );
  });

  it("--format table ranks clients by monthly impact and ends with the totals", async () => {
    const r = await trueup(...basic, "--format", "table");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const ranked = lines.flatMap((l) => /^\S.* \(([\w-]+)\):/.exec(l)?.[1] ?? []);
    const byImpact = [...expected.clients].sort((a, b) => impact(b) - impact(a) || (a.id < b.id ? -1 : 1));
    expect(ranked).toEqual(byImpact.map((c) => c.id));
    const totals = lines.slice(lines.indexOf("Totals"));
    expect(totals.length).toBeGreaterThan(1);
    const lastClient = Math.max(...ranked.map((id) => lines.findIndex((l) => l.includes(`(${id}):`))));
    expect(lines.indexOf("Totals")).toBeGreaterThan(lastClient);
    const figures = totals.slice(1).map((l) => l.trim().split(/\s+/).at(-1));
    expect(figures).toEqual(Object.values(expected.totals).map(String));
  });

  it("--client limits the report to that client and recomputes the totals", async () => {
    const r = await trueup(...basic, "--client", "c001", "--format", "json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const c001 = expected.clients.find((c) => c.id === "c001");
    expect(report.clients).toEqual([c001]);
    expect(report.totals).toEqual(totalsOf(c001?.findings ?? []));
    expect(report.totals).not.toEqual(expected.totals);
  });

  it("checks the recomputation against the spec's own totals", () => {
    expect(totalsOf(expected.clients.flatMap((c) => c.findings))).toEqual(expected.totals);
  });

  it("--client with an unknown id exits 2 with nothing on stdout", async () => {
    const r = await trueup(...basic, "--client", "c999", "--format", "json");
    expect(r).toEqual({ code: 2, stdout: "", stderr: 'trueup: no client "c999" in the workspace\n' });
  });

  it.each(["2026-02-30", "yesterday", "2026-1-1", "01/11/2026", ""])("--as-of %j exits 2", async (date) => {
    const r = await trueup("reconcile", "--workspace", basicDir, "--as-of", date, "--format", "json");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("--as-of must be a date as YYYY-MM-DD");
  });

  it("--as-of sets the date of the report", async () => {
    const r = await trueup("reconcile", "--workspace", basicDir, "--as-of", "2027-01-31", "--format", "json");
    expect((JSON.parse(r.stdout) as Report).asOf).toBe("2027-01-31");
  });
});

describe("validate's counts", () => {
  it("says 1 warning, not 1 warnings", async () => {
    const dir = await workspace({ "trueup.yaml": `${BASE_FILES["trueup.yaml"]}colour: blue\n` });
    const v = await trueup("validate", "--workspace", dir);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ok: 1 client, \d+ rows, no errors \(1 warning\)\n/);
  });

  it("puts each source's counts in the singular or the plural by their number", () => {
    const line = (read: number, skipped: Record<string, number>) =>
      sourceLine({ index: 0, file: "f.csv", format: "x", read, skipped, dates: "no dates read" });
    expect(line(1, { "soft-deleted user": 1, "seat change already in a later recurring line": 2 })).toBe(
      "  sources[0] f.csv (x): 1 row read, 3 skipped (1 soft-deleted user, 2 seat changes already in a later recurring line); dates: no dates read\n",
    );
    expect(
      line(2, { "superseded recurring line": 3, "no device type category (printer, network device)": 2 }),
    ).toContain(
      "2 rows read, 5 skipped (3 superseded recurring lines, 2 no device type category (printer, network device))",
    );
  });
});

describe("init", () => {
  it("makes a workspace that validates and reconciles at once", async () => {
    const dir = join(await tempDir(), "my-msp");
    const made = await trueup("init", dir);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain("trueup validate --workspace");
    const v = await trueup("validate", "--workspace", dir);
    expect(v).toMatchObject({ code: 0, stderr: "" });
    expect(v.stdout).toMatch(/^ok: 1 client, \d+ rows, no errors\n/);
    const r = await trueup("reconcile", "--workspace", dir, "--format", "json");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).clients.map((c) => c.id)).toEqual(["acme"]);
  });

  it("writes into an existing empty folder", async () => {
    const dir = await tempDir();
    expect((await trueup("init", dir)).code).toBe(0);
    expect(existsSync(join(dir, "trueup.yaml"))).toBe(true);
  });

  it("refuses a folder that is not empty and leaves it alone", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "notes.txt"), "mine");
    const r = await trueup("init", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not empty");
    expect(existsSync(join(dir, "trueup.yaml"))).toBe(false);
    expect(await readFile(join(dir, "notes.txt"), "utf8")).toBe("mine");
  });
});

describe("demo", () => {
  const demo = join(repoRoot, "examples", "demo");
  const missing = "examples/demo/trueup.yaml is missing (the demo workspace is not written yet)";

  it("writes examples/demo to --out and reconciles it", async (ctx) => {
    if (!existsSync(join(demo, "trueup.yaml"))) ctx.skip(missing);
    const out = join(await tempDir(), "demo");
    const r = await trueup("demo", "--out", out, "--format", "json");
    expect(r.code).toBe(0);
    expect(await readFile(join(out, "trueup.yaml"), "utf8")).toBe(
      await readFile(join(demo, "trueup.yaml"), "utf8"),
    );
    const direct = await trueup("reconcile", "--workspace", demo, "--format", "json");
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(direct.stdout));
    expect((JSON.parse(r.stdout) as Report).clients.length).toBeGreaterThan(1);
    expect((await trueup("demo", "--out", out, "--format", "json")).code).toBe(0);
  });

  it("will not overwrite a folder it did not make", async (ctx) => {
    if (!existsSync(join(demo, "trueup.yaml"))) ctx.skip(missing);
    const out = await tempDir();
    await writeFile(join(out, "trueup.yaml"), "mine");
    const r = await trueup("demo", "--out", out, "--format", "json");
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(await readFile(join(out, "trueup.yaml"), "utf8")).toBe("mine");
  });
});
