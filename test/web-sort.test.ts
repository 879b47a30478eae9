import { describe, expect, it } from "vitest";
import { nextSort, sortFindings } from "../web/src/finding-sort.ts";
import type { FindingView } from "../web/src/types.ts";

// A client's page sorts its findings in the browser, by the findings page's columns.

const finding = (key: string, more: Partial<FindingView>): FindingView => ({
  runId: 1,
  clientId: "c",
  clientName: "C",
  type: "UNDER_BILLED",
  subject: `service:${key}`,
  expected: null,
  actual: null,
  monthlyImpact: "0.00",
  evidence: [],
  evidenceTotal: 0,
  why: "",
  key,
  status: "open",
  ...more,
});

describe("sortFindings", () => {
  const list = [
    finding("a", { monthlyImpact: "999.99", expected: 9 }),
    finding("b", { monthlyImpact: "1000.00", expected: 10 }),
    finding("c", { monthlyImpact: "-5.00", expected: 2 }),
    finding("d", { monthlyImpact: "1000.00", expected: 10 }),
  ];
  const keys = (l: FindingView[]) => l.map((f) => f.key);

  it("compares money exactly, not as text, and keeps the report's order for ties", () => {
    expect(keys(sortFindings(list, { sort: "impact", order: "desc" }))).toEqual(["b", "d", "a", "c"]);
    expect(keys(sortFindings(list, { sort: "impact", order: "asc" }))).toEqual(["c", "a", "b", "d"]);
    expect(keys(sortFindings(list, { sort: "expected", order: "asc" }))).toEqual(["c", "a", "b", "d"]);
  });

  it("turns a column round on a second click, money starting largest first", () => {
    expect(nextSort({ sort: "impact", order: "desc" }, "impact")).toEqual({ sort: "impact", order: "asc" });
    expect(nextSort({ sort: "impact", order: "asc" }, "client")).toEqual({ sort: "client", order: "asc" });
    expect(nextSort({ sort: "client", order: "asc" }, "impact")).toEqual({ sort: "impact", order: "desc" });
  });
});
