import { describe, expect, it } from "vitest";
import {
  activeLines,
  agreementName,
  decimalText,
  type HaloLine,
  type HaloRecurringInvoice,
  haloDate,
  haloDateTime,
  isActiveInvoice,
  isActiveLine,
  jsonNumber,
  toBillingRow,
  toPsaLine,
} from "./map.ts";

const today = { from: "2025-06-15", to: "2025-06-15" };

function line(over: Partial<HaloLine> = {}): HaloLine {
  return { id: 7, ihid: 70, item_code: "M365-BP", qty_order: 12, unit_price: 22.5, ...over };
}

function invoice(over: Partial<HaloRecurringInvoice> = {}): HaloRecurringInvoice {
  return { id: 70, client_id: 3, client_name: "Acme", reference: "Acme monthly", lines: [line()], ...over };
}

describe("halopsa map: dates", () => {
  it("reads the ISO date of Halo date-times, with or without a zone", () => {
    expect(haloDate("2025-01-31T00:00:00")).toBe("2025-01-31");
    expect(haloDate("2025-01-31T23:00:00Z")).toBe("2025-01-31");
    expect(haloDate("2025-01-31")).toBe("2025-01-31");
  });

  it("treats empty values and Halo's 1900-01-01 placeholder as no date", () => {
    expect(haloDate(null)).toBeUndefined();
    expect(haloDate("")).toBeUndefined();
    expect(haloDate("1900-01-01T00:00:00")).toBeUndefined();
    expect(haloDate("not a date")).toBeUndefined();
  });

  it("writes a day as Halo's zone-less midnight", () => {
    expect(haloDateTime("2025-07-01")).toBe("2025-07-01T00:00:00");
    expect(haloDateTime("2025-07-01T10:00:00Z")).toBe("2025-07-01T00:00:00");
  });
});

describe("halopsa map: what is active", () => {
  it("counts a line without dates, or started and not ended, as active", () => {
    expect(isActiveLine(line(), today)).toBe(true);
    expect(
      isActiveLine(line({ startdate: "2025-06-15T00:00:00", enddate: "2025-06-15T00:00:00" }), today),
    ).toBe(true);
    expect(
      isActiveLine(line({ startdate: "2020-01-01T00:00:00", enddate: "1900-01-01T00:00:00" }), today),
    ).toBe(true);
  });

  it("leaves out lines that ended, have not started, or are switched off", () => {
    expect(isActiveLine(line({ enddate: "2025-06-14T00:00:00" }), today)).toBe(false);
    expect(isActiveLine(line({ startdate: "2025-06-16T00:00:00" }), today)).toBe(false);
    expect(isActiveLine(line({ isinactive: true }), today)).toBe(false);
  });

  it("counts a line starting within the window (a change effective next month)", () => {
    const w = { from: "2025-06-15", to: "2025-07-01" };
    expect(isActiveLine(line({ startdate: "2025-07-01T00:00:00" }), w)).toBe(true);
    expect(isActiveLine(line({ startdate: "2025-07-02T00:00:00" }), w)).toBe(false);
  });

  it("leaves out disabled and ended recurring invoices with all their lines", () => {
    expect(isActiveInvoice(invoice(), "2025-06-15")).toBe(true);
    expect(isActiveInvoice(invoice({ disabled: true }), "2025-06-15")).toBe(false);
    expect(isActiveInvoice(invoice({ enddate: "2025-05-31T00:00:00" }), "2025-06-15")).toBe(false);
    expect(activeLines(invoice({ disabled: true }), today)).toEqual([]);
  });
});

describe("halopsa map: numbers", () => {
  it("keeps JSON numbers as their own decimal text, null as zero", () => {
    expect(decimalText(22.5)).toBe("22.5");
    expect(decimalText(0.1)).toBe("0.1");
    expect(decimalText(null)).toBe("0");
    expect(decimalText(undefined)).toBe("0");
  });

  it("sends decimal strings as exact JSON numbers and refuses ones a double would round", () => {
    expect(jsonNumber("22.50", "unit price")).toBe(22.5);
    expect(jsonNumber("14", "quantity")).toBe(14);
    expect(() => jsonNumber("0.12345678901234567891", "unit price")).toThrow(/unit price/);
    expect(() => jsonNumber("12,5", "unit price")).toThrow(/not a decimal/);
  });
});

describe("halopsa map: lines and rows", () => {
  it("maps a recurring invoice line to a PSA line keyed by Halo's ids", () => {
    const l = toPsaLine(invoice(), line({ startdate: "2024-02-01T00:00:00" }));
    expect(l).toEqual({
      id: "7",
      account: "3",
      agreement: "70",
      agreementName: "Acme monthly",
      product: "M365-BP",
      quantity: "12",
      unitPrice: "22.5",
      startDate: "2024-02-01",
      ref: { ihid: "70", clientName: "Acme" },
    });
  });

  it("names an invoice without reference by its id", () => {
    expect(agreementName(invoice({ reference: null }))).toBe("Recurring invoice 70");
    expect(agreementName(invoice({ reference: "  " }))).toBe("Recurring invoice 70");
  });

  it("takes the agreement from the invoice when a line carries no ihid", () => {
    expect(toPsaLine(invoice(), line({ ihid: null })).agreement).toBe("70");
  });

  it("gives trueup-billing columns plus the line id", () => {
    expect(toBillingRow(toPsaLine(invoice(), line()))).toEqual({
      account: "3",
      product: "M365-BP",
      quantity: "12",
      unitPrice: "22.5",
      agreement: "70",
      lineId: "7",
    });
  });
});
