import { describe, expect, it } from "vitest";
import { auditSentence, findingTypeText } from "../src/server/audit-text.ts";
import { byMonth } from "../src/server/routes/dashboard.ts";

// The audit log as sentences, and the dashboard's trend as the latest run of each month.

const names = {
  clients: new Map([["evergreen", "Evergreen Family Clinic"]]),
  subjects: new Map([["bundle:bronze-device", "Bronze (per device)"]]),
};

describe("an audit entry as a sentence", () => {
  it("names who decided what about which finding, with the reason", () => {
    const entry = {
      actor: "billing@northwind.example",
      action: "finding.decide",
      entity: "finding:evergreen|OVER_BILLED|bundle:bronze-device",
      details: { status: "dismissed", reason: "client agreed to keep 28 seats", until: "2027-03-01" },
    };
    expect(auditSentence(entry, names)).toBe(
      "billing@northwind.example dismissed Over-billed Bronze (per device) at Evergreen Family Clinic until 2027-03-01: client agreed to keep 28 seats",
    );
    const reopened = {
      ...entry,
      details: { status: "open" },
      entity: "finding:gone|STALE_DEVICE|device:PC-1",
    };
    expect(auditSentence(reopened, names)).toBe(
      "billing@northwind.example reopened Stale device PC-1 at gone",
    );
  });

  it("reads runs, imports and role changes, and falls back to the action for the rest", () => {
    const at = (action: string, entity: string, details: Record<string, unknown>) =>
      auditSentence({ actor: "a@b.c", action, entity, details }, names);
    expect(at("run.create", "run:7", { asOf: "2026-11-01", findings: 1 })).toBe(
      "a@b.c ran reconciliation #7 as of 2026-11-01: 1 finding",
    );
    expect(at("import.create", "import:3", { fileName: "psa.csv", rows: 12 })).toBe(
      "a@b.c imported psa.csv (12 rows)",
    );
    expect(at("user.role", "user:2", { email: "x@y.z", from: "viewer", to: "billing" })).toBe(
      "a@b.c changed x@y.z from viewer to billing",
    );
    expect(at("something.new", "thing:1", {})).toBe("a@b.c: something.new thing:1");
  });

  it("labels finding types as the app does", () => {
    expect(["UNDER_BILLED", "LICENCE_SURPLUS", "UNMAPPED_SKU"].map(findingTypeText)).toEqual([
      "Under-billed",
      "Licence surplus",
      "Unmapped SKU",
    ]);
  });
});

describe("the trend by month", () => {
  it("keeps the latest run of each month, oldest month first", () => {
    const run = (runId: number, asOf: string) => ({ runId, month: asOf.slice(0, 7) });
    // Newest first, as the store lists runs; two runs in November, the later one (#4) counts.
    const trend = byMonth([
      run(5, "2026-12-01"),
      run(4, "2026-11-01"),
      run(3, "2026-11-01"),
      run(2, "2026-10-01"),
    ]);
    expect(trend.map((p) => [p.month, p.runId])).toEqual([
      ["2026-10", 2],
      ["2026-11", 4],
      ["2026-12", 5],
    ]);
  });
});
