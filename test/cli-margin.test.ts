import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { bufferIo } from "../src/cli/io.ts";
import { runMargin } from "../src/cli/margin.ts";
import { runWhatif } from "../src/cli/whatif.ts";
import { cleanup, tempDir } from "./fixtures.ts";

// trueup margin and trueup whatif on the demo, in process (the figures are pinned in src/margin/).

afterAll(cleanup);

const demo = "examples/demo";

describe("trueup margin", () => {
  it("--format json gives the totals and the clients below target", async () => {
    const io = bufferIo();
    expect(await runMargin(io, { workspace: demo, format: "json" })).toBe(0);
    const m = JSON.parse(io.stdout);
    expect(m.totals.revenue).toBe("21611.50");
    expect(
      m.belowTarget
        .filter((f: { kind: string }) => f.kind === "client")
        .map((f: { client: string }) => f.client),
    ).toEqual(["harbor"]);
  });

  it("--format csv has one row per subject and a total per client", async () => {
    const io = bufferIo();
    expect(await runMargin(io, { workspace: demo, format: "csv" })).toBe(0);
    const rows = parse(io.stdout, { columns: true }) as Record<string, string>[];
    const harbor = rows.find((r) => r.client === "harbor" && r.subject === "bundle:gold-user");
    expect([harbor?.unitCost, harbor?.belowTarget]).toEqual(["42.00", "true"]);
    expect(rows.filter((r) => r.subject === "total")).toHaveLength(9);
  });

  it("--format table ends with the flags and the unmapped rows", async () => {
    const io = bufferIo();
    expect(await runMargin(io, { workspace: demo, format: "table" })).toBe(0);
    expect(io.stdout).toContain("Harbor Dental Group: 75.9 %, 35.80 a month short of the target");
    expect(io.stdout).toContain("billed product:PRINT-MGD 89.00 (data/psa.csv:25)");
  });

  it("an unknown format exits 2", async () => {
    const io = bufferIo();
    expect(await runMargin(io, { workspace: demo, format: "xml" })).toBe(2);
    expect(io.stderr).toContain("--format must be table, json or csv");
  });
});

describe("trueup whatif", () => {
  it("the demo's Gold change: before and after, and the lines", async () => {
    const io = bufferIo();
    expect(
      await runWhatif(io, { workspace: demo, change: join(demo, "whatif-gold.yaml"), format: "json" }),
    ).toBe(0);
    const w = JSON.parse(io.stdout);
    expect([w.total.before.margin, w.total.after.margin, w.lines.length]).toEqual([
      "17548.30",
      "18548.30",
      5,
    ]);
  });

  it("a change with errors exits 2 naming the change file, line and field; nothing is computed", async () => {
    const dir = await tempDir();
    const file = join(dir, "bad.yaml");
    await writeFile(file, "bundles:\n  - id: gold-user\n    price: cheap\n");
    const io = bufferIo();
    expect(await runWhatif(io, { workspace: demo, change: file, format: "table" })).toBe(2);
    expect(io.stderr).toContain(`${file}: bundles[`);
    expect(io.stderr).toContain('expected an amount such as "9.90", got "cheap"');
    expect(io.stdout).toBe("");
  });
});
