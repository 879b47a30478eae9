import { describe, expect, it } from "vitest";
import { diffFindings } from "./runs.ts";
import type { FindingView } from "./store.ts";

// Two runs compared by finding key; the figures (expected, actual, impact) tell a change.

function finding(
  subject: string,
  actual: number | string,
  evidence: string[] = [],
  type = "UNDER_BILLED",
): FindingView {
  const mismatch = type === "PRICE_MISMATCH";
  return {
    runId: 1,
    clientId: "acme",
    clientName: "Acme",
    type,
    subject,
    expected: mismatch ? "100.00" : 10,
    actual,
    monthlyImpact: mismatch ? "5.00" : "10.00",
    evidence,
    key: `acme|${type}|${subject}`,
    status: "open",
  };
}

const keys = (list: FindingView[]) => list.map((f) => `${f.key} ${f.actual}`);

describe("comparing two runs", () => {
  it("a key only in the later run appeared, only in the earlier one was fixed, in both with other figures changed", () => {
    const before = [finding("bundle:gold", 8), finding("service:edr", 9)];
    const after = [finding("bundle:gold", 7), finding("bundle:silver", 1)];
    const diff = diffFindings(before, after);
    expect(keys(diff.appeared)).toEqual(["acme|UNDER_BILLED|bundle:silver 1"]);
    expect(keys(diff.fixed)).toEqual(["acme|UNDER_BILLED|service:edr 9"]);
    expect(diff.changed.map((c) => [c.before.actual, c.after.actual])).toEqual([[8, 7]]);
  });

  it("evidence alone moving (new file lines, other users) is no change", () => {
    const diff = diffFindings([finding("bundle:gold", 8, ["a@x"])], [finding("bundle:gold", 8, ["b@x"])]);
    expect(diff).toEqual({ appeared: [], fixed: [], changed: [] });
  });

  it("PRICE_MISMATCH lines of one subject pair by their figures first", () => {
    const line = (price: string, ref: string) => finding("bundle:gold", price, [ref], "PRICE_MISMATCH");
    const before = [line("90.00", "psa.csv:2"), line("95.00", "psa.csv:3")];
    const after = [line("95.00", "psa.csv:7"), line("80.00", "psa.csv:9"), line("85.00", "psa.csv:10")];
    const diff = diffFindings(before, after);
    expect(diff.changed.map((c) => [c.before.actual, c.after.actual])).toEqual([["90.00", "80.00"]]);
    expect(diff.appeared.map((f) => f.actual)).toEqual(["85.00"]);
    expect(diff.fixed).toEqual([]);
  });
});
