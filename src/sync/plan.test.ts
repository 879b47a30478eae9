import { describe, expect, it } from "vitest";
import type { PsaBilling, PsaLine } from "../connectors/types.ts";
import { money } from "../core/money.ts";
import type { Bundle, Client, Service } from "../core/types.ts";
import { nextMonth, type PlanReport, planSync } from "./plan.ts";

const services: Service[] = [
  {
    id: "edr",
    name: "EDR",
    unit: "device",
    cost: money("4"),
    price: money("9"),
    psaProduct: "EDR-TRACK",
    vendorSkus: [],
  },
  {
    id: "backup",
    name: "Backup",
    unit: "device",
    cost: money("5"),
    price: money("12"),
    psaProduct: "BACKUP",
    vendorSkus: [],
  },
];
const bundles: Bundle[] = [
  {
    id: "gold",
    name: "Gold",
    per: "user",
    deviceTypes: ["workstation", "laptop"],
    price: money("140"),
    psaProduct: "GOLD",
    includes: [{ service: "edr" }],
  },
];
const clients: Client[] = [
  { id: "acme", name: "Acme", ids: { psa: "19300" }, plans: [{ kind: "bundle", bundle: "gold" }] },
];

function line(id: string, product: string, quantity: string, o: Partial<PsaLine> = {}): PsaLine {
  return {
    id,
    account: "19300",
    agreement: "A1",
    agreementName: "Managed services",
    product,
    quantity,
    unitPrice: product === "GOLD" ? "140.00" : "0.00",
    startDate: "2026-01-01",
    ref: {},
    ...o,
  };
}

function billing(
  lines: PsaLine[],
  agreements = [{ id: "A1", account: "19300", name: "Managed services" }],
): PsaBilling {
  return { agreements, lines, counts: {} };
}

function report(findings: PlanReport["clients"][number]["findings"], price = "140.00"): PlanReport {
  return {
    clients: [
      {
        id: "acme",
        lines: [{ subject: "bundle:gold", required: 12, billed: 10, price: money(price) }],
        findings,
      },
    ],
  };
}

const base = { clients, services, bundles, effective: "2026-12-01", includePrices: false };
const under = { type: "UNDER_BILLED", subject: "bundle:gold", expected: 12, actual: 10 };

describe("sync plan", () => {
  it("sets the one line of an under-billed bundle to the required quantity, at the contracted price", () => {
    const plan = planSync({ ...base, report: report([under]), billing: billing([line("7", "GOLD", "10")]) });
    expect(plan.changes).toHaveLength(1);
    const [c] = plan.changes;
    expect(c).toMatchObject({
      seq: 1,
      action: "set",
      from: "10",
      to: "12",
      monthlyImpact: "280.00",
      agreement: "A1",
    });
    expect(c?.line?.id).toBe("7");
    expect(plan.monthlyImpact).toBe("280.00");
  });

  it("gives the whole difference to the newest line when a client has several lines of a product", () => {
    const lines = [
      line("1", "GOLD", "6", { startDate: "2025-01-01" }),
      line("2", "GOLD", "4", { startDate: "2026-03-01" }),
    ];
    const plan = planSync({ ...base, report: report([under]), billing: billing(lines) });
    expect(plan.changes.map((c) => [c.line?.id, c.from, c.to])).toEqual([["2", "4", "6"]]);
  });

  it("takes an over-billed surplus from the newest line down to zero, then from the next", () => {
    const over = { type: "OVER_BILLED", subject: "bundle:gold", expected: 3, actual: 10 };
    const lines = [
      line("1", "GOLD", "6", { startDate: "2025-01-01" }),
      line("2", "GOLD", "4", { startDate: "2026-03-01" }),
    ];
    const plan = planSync({ ...base, report: report([over]), billing: billing(lines) });
    expect(plan.changes.map((c) => [c.line?.id, c.from, c.to])).toEqual([
      ["1", "6", "3"],
      ["2", "4", "0"],
    ]);
    expect(plan.monthlyImpact).toBe("-980.00");
  });

  it("sets a drifting tracking line to the component's count, with no money impact", () => {
    const drift = { type: "TRACKING_DRIFT", subject: "service:edr", expected: 15, actual: 11 };
    const plan = planSync({
      ...base,
      report: report([drift]),
      billing: billing([line("9", "EDR-TRACK", "11")]),
    });
    expect(plan.changes).toMatchObject([{ from: "11", to: "15", monthlyImpact: "0.00", unitPrice: "0.00" }]);
  });

  it("creates a missing line in the agreement that holds the client's other lines", () => {
    const r = report([{ type: "UNDER_BILLED", subject: "service:backup", expected: 3, actual: 0 }]);
    r.clients[0]?.lines.push({ subject: "service:backup", required: 3, billed: null, price: money("12") });
    const agreements = [
      { id: "A1", account: "19300", name: "Managed services" },
      { id: "A2", account: "19300", name: "Projects" },
    ];
    const plan = planSync({ ...base, report: r, billing: billing([line("7", "GOLD", "12")], agreements) });
    expect(plan.changes).toMatchObject([
      { action: "create", agreement: "A1", product: "BACKUP", from: "0", to: "3", monthlyImpact: "36.00" },
    ]);
  });

  it("asks a person to choose when the client's lines are in several agreements", () => {
    const r = report([{ type: "UNDER_BILLED", subject: "service:backup", expected: 3, actual: 0 }]);
    const agreements = [
      { id: "A1", account: "19300", name: "Managed services" },
      { id: "A2", account: "19300", name: "Projects" },
    ];
    const lines = [line("7", "GOLD", "12"), line("8", "EDR-TRACK", "12", { agreement: "A2" })];
    const plan = planSync({ ...base, report: r, billing: billing(lines, agreements) });
    expect(plan.changes[0]?.action).toBe("choose");
    expect(plan.changes[0]?.agreement).toBeUndefined();
    expect(plan.changes[0]?.candidates?.map((a) => a.id)).toEqual(["A1", "A2"]);
  });

  it("never changes a price unless asked, and then folds it into the line's quantity change", () => {
    const lines = [line("7", "GOLD", "10", { unitPrice: "130.00" })];
    expect(
      planSync({ ...base, report: report([under]), billing: billing(lines) }).changes[0]?.toPrice,
    ).toBeUndefined();
    const plan = planSync({ ...base, includePrices: true, report: report([under]), billing: billing(lines) });
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ from: "10", to: "12", fromPrice: "130.00", toPrice: "140.00" });
    // 2 more users at 140, and 12 users now 10 dearer each.
    expect(plan.changes[0]?.monthlyImpact).toBe("400.00");
  });

  it("ignores clients with no PSA id and findings that are not about billing", () => {
    const noPsa = [{ ...clients[0], ids: {} } as Client];
    const stale = { type: "STALE_DEVICE", subject: "device:pc1", expected: null, actual: null };
    expect(
      planSync({ ...base, clients: noPsa, report: report([under]), billing: billing([]) }).changes,
    ).toEqual([]);
    expect(planSync({ ...base, report: report([stale]), billing: billing([]) }).changes).toEqual([]);
  });

  it("takes effect on the first day of next month by default", () => {
    expect(nextMonth("2026-11-25")).toBe("2026-12-01");
    expect(nextMonth("2026-12-31")).toBe("2027-01-01");
  });

  describe("people's decisions", () => {
    const over = {
      type: "OVER_BILLED",
      subject: "bundle:gold",
      expected: 10,
      actual: 12,
      monthlyImpact: "280.00",
    };
    const overLines = [line("7", "GOLD", "12")];
    const overReport = (f = over): PlanReport => ({
      clients: [
        {
          id: "acme",
          lines: [{ subject: "bundle:gold", required: 10, billed: 12, price: "140.00" }],
          findings: [f],
        },
      ],
    });
    const dismissed = (figures: string, until?: string) => ({
      key: "acme|OVER_BILLED|bundle:gold",
      status: "dismissed" as const,
      reason: "two seats kept free until March, agreed with the client",
      figures,
      decidedBy: "bea@msp.example",
      ...(until ? { until } : {}),
    });

    it("proposes no change for a dismissed over-billing and lists it as left as agreed, with the reason", () => {
      const plan = planSync({
        ...base,
        report: overReport(),
        billing: billing(overLines),
        decisions: [dismissed("10|12|280.00", "2027-03-01")],
      });
      expect(plan.changes).toEqual([]);
      expect(plan.monthlyImpact).toBe("0.00");
      expect(plan.leftAsAgreed).toEqual([
        {
          client: "acme",
          clientName: "Acme",
          account: "19300",
          type: "OVER_BILLED",
          subject: "bundle:gold",
          product: "GOLD",
          expected: 10,
          actual: 12,
          monthlyImpact: "280.00",
          reason: "two seats kept free until March, agreed with the client",
          decidedBy: "bea@msp.example",
          until: "2027-03-01",
        },
      ]);
    });

    it("proposes the change again once the figures differ from those the dismissal was taken on", () => {
      const moved = { ...over, expected: 9, monthlyImpact: "420.00" };
      const plan = planSync({
        ...base,
        report: overReport(moved),
        billing: billing(overLines),
        decisions: [dismissed("10|12|280.00")],
      });
      expect(plan.leftAsAgreed).toEqual([]);
      expect(plan.changes.map((c) => [c.from, c.to])).toEqual([["12", "9"]]);
    });

    it("pre-approves the change that fixes an accepted finding, by the person who accepted it", () => {
      const accepted = {
        ...dismissed("10|12|280.00"),
        status: "accepted" as const,
        decidedBy: "al@msp.example",
      };
      const plan = planSync({
        ...base,
        report: overReport(),
        billing: billing(overLines),
        decisions: [accepted],
      });
      expect(plan.changes[0]?.preApproved).toEqual({ by: "al@msp.example" });
      expect(
        planSync({ ...base, report: overReport(), billing: billing(overLines) }).changes[0]?.preApproved,
      ).toBeUndefined();
    });

    it("leaves a dismissed price mismatch's price as it is, and the line's quantity change loses its pre-approval", () => {
      const lines = [line("7", "GOLD", "10", { unitPrice: "130.00" })];
      const mismatch = {
        type: "PRICE_MISMATCH",
        subject: "bundle:gold",
        expected: "140.00",
        actual: "130.00",
        monthlyImpact: "100.00",
      };
      const withPrice = report([{ ...under, monthlyImpact: "280.00" }, mismatch]);
      const price = {
        key: "acme|PRICE_MISMATCH|bundle:gold",
        figures: "140.00|130.00|100.00",
        decidedBy: "bea",
      };
      const left = planSync({
        ...base,
        includePrices: true,
        report: withPrice,
        billing: billing(lines),
        decisions: [{ ...price, status: "dismissed", reason: "loyalty price" }],
      });
      expect(left.changes).toHaveLength(1);
      expect(left.changes[0]).toMatchObject({ from: "10", to: "12" });
      expect(left.changes[0]?.toPrice).toBeUndefined();
      expect(left.leftAsAgreed.map((l) => [l.type, l.lineId, l.reason])).toEqual([
        ["PRICE_MISMATCH", "7", "loyalty price"],
      ]);
      // Quantity accepted, price not decided: the one write of both waits for a person.
      const partly = planSync({
        ...base,
        includePrices: true,
        report: withPrice,
        billing: billing(lines),
        decisions: [
          {
            key: "acme|UNDER_BILLED|bundle:gold",
            figures: "12|10|280.00",
            status: "accepted",
            decidedBy: "al",
          },
        ],
      });
      expect(partly.changes).toHaveLength(1);
      expect(partly.changes[0]?.toPrice).toBe("140.00");
      expect(partly.changes[0]?.preApproved).toBeUndefined();
    });
  });
});
