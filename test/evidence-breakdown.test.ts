import { join } from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { reconcile } from "../src/core/reconcile.ts";
import type { ReconcileInput } from "../src/core/types.ts";
import { breakdown, sumFigures } from "../src/reports/breakdown.ts";
import { breakdownCsv, breakdownXlsx } from "../src/reports/breakdown-files.ts";
import { buildEvidence, type Evidence } from "../src/statements/evidence.ts";
import { evidenceCsv, evidencePdf } from "../src/statements/evidence-render.ts";
import { loadWorkspace } from "../src/workspace/load.ts";
import { NO_MSP } from "../src/workspace/msp.ts";
import { repoRoot, trueup } from "./fixtures.ts";
import { pdfPages } from "./pdf-text.ts";

// Protection evidence and the bundle breakdown of the demo, read back (PDF through pdf.js, CSV
// through csv-parse, XLSX through exceljs) and checked against the report.

const demoDir = join(repoRoot, "examples", "demo");
const loaded = await loadWorkspace(demoDir, { today: "2026-11-01" });
const input = loaded.input as ReconcileInput;
const config = loaded.config as NonNullable<typeof loaded.config>;
const report = reconcile(input);

describe("protection evidence", () => {
  const evergreen = buildEvidence(input, "evergreen", NO_MSP) as Evidence;

  it("lists every current device with each protective service, and the gaps are the report's", () => {
    const gaps = evergreen.rows.filter((r) => r.status === "gap");
    const finding = report.clients
      .find((c) => c.id === "evergreen")
      ?.findings.filter((f) => f.type === "COVERAGE_GAP");
    expect(gaps.map((g) => `${g.service}:${g.hostname}`).sort()).toEqual(
      (finding ?? []).flatMap((f) => f.evidence.map((h) => `${f.subject.slice(8)}:${h}`)).sort(),
    );
    for (const r of evergreen.rows) expect(r.status === "covered").toBe(r.consoleRow !== null);
    expect(
      evergreen.rows.find((r) => r.hostname === "EFC-ADMIN01" && r.service === "edr")?.consoleRow,
    ).toMatch(/^data\/sentinelone\.csv:\d+$/);
    expect(evergreen.stale.map((s) => s.hostname).sort()).toEqual(["EFC-DR-LT07", "EFC-NS03"]);
    expect(evergreen.stale.find((s) => s.hostname === "EFC-NS03")?.days).toBe(31);
    const delta = buildEvidence(input, "delta", NO_MSP) as Evidence;
    expect(delta.unknownAgents.map((a) => a.hostname)).toEqual(["DLT-RENDER03"]);
  });

  it("the PDF names every device, its status and its console row", async () => {
    const text = (await pdfPages(await evidencePdf(evergreen))).join("\n");
    expect(text).toContain("Protection evidence");
    expect(text).toContain("SentinelOne Singularity Complete: 25 of 27 devices covered, 2 gaps.");
    for (const r of evergreen.rows) {
      expect(text).toContain(r.hostname);
      if (r.consoleRow) expect(text).toContain(r.consoleRow);
    }
    expect(text.match(/\bGAP\b/g)).toHaveLength(2);
    expect(text).toContain("EFC-NS03");
  });

  it("the CSV has a row per device and service, then the stale devices", () => {
    const rows = parse(evidenceCsv(evergreen), { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.section === "protection")).toHaveLength(evergreen.rows.length);
    expect(
      rows
        .filter((r) => r.section === "stale")
        .map((r) => r.hostname)
        .sort(),
    ).toEqual(["EFC-DR-LT07", "EFC-NS03"]);
  });

  it("trueup evidence writes CSV to stdout and refuses a PDF there", async () => {
    const run = await trueup("evidence", "--workspace", demoDir, "--client", "harbor", "--format", "csv");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/HDG-CEPH01,workstation,2026-10-28,Cove workstation backup,gap,\r\n/);
    expect((await trueup("evidence", "--workspace", demoDir, "--client", "harbor")).stderr).toContain(
      "needs --out",
    );
  });
});

describe("the bundle breakdown", () => {
  it("by service: each client's figures are the report's line, the total their sum", () => {
    const b = breakdown(report, config, "service");
    for (const g of b.groups) {
      for (const r of g.rows) {
        const line = report.clients.find((c) => c.id === r.client)?.lines.find((l) => l.subject === g.key);
        expect([r.required, r.billed, r.purchased, r.deployed]).toEqual([
          line?.required,
          line?.billed,
          line?.purchased,
          line?.deployed,
        ]);
      }
      expect(g.total).toEqual(sumFigures(g.rows));
    }
    const edr = b.groups.find((g) => g.key === "service:edr");
    const all = report.clients.flatMap((c) => c.lines.filter((l) => l.subject === "service:edr"));
    expect(edr?.total?.required).toBe(all.reduce((n, l) => n + (l.required ?? 0), 0));
    expect(edr?.rows).toHaveLength(all.length);
  });

  it("a total leaves a figure no source gives empty, never zero", () => {
    expect(
      sumFigures([
        { required: 2, billed: null, purchased: 3, deployed: null },
        { required: 1, billed: null, purchased: null, deployed: null },
      ]),
    ).toEqual({
      required: 3,
      billed: null,
      purchased: 3,
      deployed: null,
    });
  });

  it("by bundle: each client's bundle line, then its components", () => {
    const b = breakdown(report, config, "bundle", { subjects: ["gold-user"], clients: ["harbor", "hollis"] });
    expect(b.groups.map((g) => g.key)).toEqual(["bundle:gold-user"]);
    const rows = b.groups[0]?.rows ?? [];
    expect(rows.map((r) => `${r.client} ${r.subject}`)).toEqual([
      "harbor bundle:gold-user",
      "harbor service:m365-bp",
      "harbor service:edr",
      "harbor service:backup-ws",
      "hollis bundle:gold-user",
      "hollis service:m365-bp",
      "hollis service:edr",
      "hollis service:backup-ws",
    ]);
    expect(b.groups[0]?.total?.required).toBe(9 + 15);
  });

  it("CSV and XLSX hold the same figures", async () => {
    const b = breakdown(report, config, "service");
    const csv = parse(breakdownCsv(b), { columns: true }) as Record<string, string>[];
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await breakdownXlsx(b)) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("Breakdown");
    expect(sheet?.rowCount).toBe(csv.length + 1);
    csv.forEach((row, i) => {
      const x = sheet?.getRow(i + 2);
      for (const [k, col] of [
        ["required", 4],
        ["billed", 5],
        ["purchased", 6],
        ["deployed", 7],
      ] as const) {
        const v = x?.getCell(col).value;
        expect(v === null || v === undefined ? "" : String(v), `${row.client} ${row.subject} ${k}`).toBe(
          row[k],
        );
      }
    });
  });

  it("trueup breakdown filters and refuses an unknown client", async () => {
    const run = await trueup(
      "breakdown",
      "--workspace",
      demoDir,
      "--group-by",
      "client",
      "--client",
      "delta",
    );
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trim()
        .split("\r\n")
        .slice(1)
        .every((l) => l.includes(",delta,")),
    ).toBe(true);
    const bad = await trueup("breakdown", "--workspace", demoDir, "--client", "nobody");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no client "nobody"');
  });
});
