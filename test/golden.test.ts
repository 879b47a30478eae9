import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJsonText } from "../src/core/report.ts";
import { loadOrThrow } from "../src/workspace/load.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SHARED = resolve(ROOT, "../shared");

async function reportOf(dir: string): Promise<string> {
  const { input } = await loadOrThrow(dir, { today: "2026-11-25" });
  return reportToJsonText(reconcile(input));
}

describe("golden reports", () => {
  it("the spec's worked example gives exactly expected.json", async () => {
    const dir = join(SHARED, "spec/examples/basic");
    const expected = JSON.parse(await readFile(join(dir, "expected.json"), "utf8"));
    expect(JSON.parse(await reportOf(dir))).toEqual(expected);
  });

  it("the demo workspace gives its reviewed report, byte for byte", async () => {
    const dir = join(ROOT, "examples/demo");
    expect(await reportOf(dir)).toBe(await readFile(join(dir, "expected.json"), "utf8"));
  });

  it("the demo shows every one of the fourteen finding types", async () => {
    const report = JSON.parse(await reportOf(join(ROOT, "examples/demo"))) as {
      clients: { findings: { type: string }[] }[];
    };
    const types = new Set(report.clients.flatMap((c) => c.findings.map((f) => f.type)));
    expect([...types].sort()).toEqual(
      [
        "COVERAGE_GAP",
        "LICENCE_SHORTFALL",
        "LICENCE_SURPLUS",
        "ORPHAN_LICENCE",
        "OVER_BILLED",
        "PRICE_MISMATCH",
        "STALE_DEVICE",
        "TRACKING_DRIFT",
        "UNCOVERED",
        "UNDER_BILLED",
        "UNKNOWN_AGENT",
        "UNMAPPED_ACCOUNT",
        "UNMAPPED_PRODUCT",
        "UNMAPPED_SKU",
      ].sort(),
    );
  });

  it("the demo shows a former client with refunds to make, and a surplus locked in a term", async () => {
    const dir = join(ROOT, "examples/demo");
    const { input } = await loadOrThrow(dir, { today: "2026-11-25" });
    const former = input.clients.filter((c) => c.ended !== undefined && c.ended <= input.asOf);
    expect(former.map((c) => c.id)).toEqual(["ivy"]);
    const report = JSON.parse(await reportOf(dir)) as {
      clients: { id: string; findings: { type: string; reducibleOn?: string }[] }[];
    };
    const ivy = report.clients.find((c) => c.id === "ivy");
    expect(ivy?.findings.map((f) => f.type).sort()).toEqual(["LICENCE_SURPLUS", "OVER_BILLED"]);
    const locked = report.clients.flatMap((c) => c.findings).filter((f) => f.reducibleOn !== undefined);
    expect(locked.length).toBeGreaterThanOrEqual(2);
  });
});
