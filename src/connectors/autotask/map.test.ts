import { describe, expect, it } from "vitest";
import {
  type AtContract,
  billingRow,
  effectiveDate,
  fromBundle,
  fromService,
  isActiveRecurring,
  jsonPrice,
  lineId,
  periodFor,
  priceOf,
  toAgreement,
  toPsaLine,
  unitChange,
} from "./map.ts";

const period = (start: string, end: string, units: number) => ({
  units,
  startDate: `${start}T00:00:00`,
  endDate: `${end}T00:00:00`,
});
const PERIODS = [
  period("2025-04-01", "2025-04-30", 3),
  period("2025-05-01", "2025-05-31", 4),
  period("2025-06-01", "2025-06-30", 5),
];
const CONTRACT: AtContract = { id: 201, companyID: 101, contractName: "Acme MS", contractType: 7, status: 1 };

describe("autotask map", () => {
  it("picks the units period containing the date, else the latest one before it, else none", () => {
    expect(periodFor(PERIODS, "2025-05-31")?.units).toBe(4);
    expect(periodFor(PERIODS, "2025-06-01")?.units).toBe(5);
    expect(periodFor(PERIODS, "2025-09-10")?.units).toBe(5);
    expect(periodFor(PERIODS, "2025-03-31")).toBeUndefined();
    expect(
      periodFor(
        [PERIODS[2], PERIODS[0]].filter((p) => p !== undefined),
        "2025-05-15",
      )?.units,
    ).toBe(3);
  });

  it("keeps only active Recurring Service contracts", () => {
    expect(isActiveRecurring(CONTRACT)).toBe(true);
    expect(isActiveRecurring({ ...CONTRACT, status: 0 })).toBe(false);
    expect(isActiveRecurring({ ...CONTRACT, contractType: 4 })).toBe(false);
    expect(toAgreement(CONTRACT)).toEqual({ id: "201", account: "101", name: "Acme MS" });
  });

  it("maps a contract service to a line with the period's units, the adjusted price and write ids", () => {
    const line = fromService({
      id: 302,
      contractID: 201,
      serviceID: 5001,
      unitPrice: 40,
      adjustedPrice: 45.5,
      unitCost: 12,
    });
    const psa = toPsaLine({
      contract: CONTRACT,
      line,
      product: "Managed Workstation",
      periods: PERIODS,
      date: "2025-05-10",
    });
    expect(psa).toEqual({
      id: "302",
      account: "101",
      agreement: "201",
      agreementName: "Acme MS",
      product: "Managed Workstation",
      quantity: "4",
      unitPrice: "45.5",
      startDate: "2025-04-01",
      ref: {
        kind: "service",
        contractID: "201",
        contractServiceID: "302",
        serviceID: "5001",
        unitCost: "12",
      },
    });
    expect(
      toPsaLine({ contract: CONTRACT, line, product: "x", periods: [], date: "2025-05-10" }),
    ).toBeUndefined();
  });

  it("gives bundle lines their own id space and bundle ids", () => {
    const line = fromBundle({
      id: 303,
      contractID: 201,
      serviceBundleID: 7001,
      unitPrice: 12.25,
      adjustedPrice: null,
    });
    expect(lineId("bundle", 303)).toBe("bundle-303");
    expect(priceOf(line)).toBe("12.25");
    const psa = toPsaLine({
      contract: CONTRACT,
      line,
      product: "Backup",
      periods: PERIODS,
      date: "2025-06-02",
    });
    expect(psa?.ref).toEqual({
      kind: "bundle",
      contractID: "201",
      contractServiceBundleID: "303",
      serviceBundleID: "7001",
    });
    expect(psa && billingRow(psa)).toEqual({
      account: "101",
      product: "Backup",
      quantity: "5",
      unitPrice: "12.25",
      agreement: "Acme MS",
      lineId: "bundle-303",
    });
  });

  it("computes the signed whole-unit change and refuses fractions and negative targets", () => {
    expect(unitChange("30", "35")).toBe(5);
    expect(unitChange("30", "0")).toBe(-30);
    expect(unitChange("7.0", "7")).toBe(0);
    expect(() => unitChange("3", "3.5")).toThrow(/whole numbers/);
    expect(() => unitChange("3", "-1")).toThrow(/below 0/);
    expect(() => unitChange("x", "1")).toThrow(/whole numbers/);
  });

  it("sends prices as numbers only when the number gives the decimal back exactly", () => {
    expect(jsonPrice("45.50")).toBe(45.5);
    expect(jsonPrice("0.10")).toBe(0.1);
    expect(jsonPrice("149.996")).toBe(149.996);
    expect(() => jsonPrice("12345678901234567.89")).toThrow(/exactly/);
    expect(() => jsonPrice("abc")).toThrow();
    expect(priceOf(fromService({ id: 1, contractID: 1, serviceID: 1 }))).toBe("0");
  });

  it("writes effective dates as Autotask date-times", () => {
    expect(effectiveDate("2025-07-01")).toBe("2025-07-01T00:00:00");
    expect(() => effectiveDate("07/01/2025")).toThrow(/ISO date/);
  });
});
