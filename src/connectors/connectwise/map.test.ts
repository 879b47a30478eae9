import { describe, expect, it } from "vitest";
import { baseUrl, nextQuery } from "./client.ts";
import {
  agreementInfo,
  asOfFor,
  type CwAddition,
  cwDateTime,
  decimalNumber,
  isActiveAddition,
  isActiveAgreement,
  notCancelledCondition,
  productCondition,
  toBillingRow,
  toPsaLine,
} from "./map.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
const info = agreementInfo({
  id: 501,
  name: "Acme Managed",
  company: { id: 19300, identifier: "AcmeCorp", name: "Acme Corp" },
  agreementStatus: "Active",
  cancelledFlag: false,
});
const addition: CwAddition = {
  id: 9001,
  product: { id: 17, identifier: "M365-BP" },
  quantity: 12.5,
  unitPrice: 22.1,
  billCustomer: "Billable",
  effectiveDate: "2025-01-01T00:00:00Z",
};

describe("ConnectWise mapping", () => {
  it("maps an addition to a PSA line and a trueup-billing row, numbers as exact text", () => {
    const line = toPsaLine(info, addition);
    expect(line).toEqual({
      id: "9001",
      account: "19300",
      agreement: "501",
      agreementName: "Acme Managed",
      product: "M365-BP",
      quantity: "12.5",
      unitPrice: "22.1",
      startDate: "2025-01-01",
      ref: {
        agreementId: "501",
        additionId: "9001",
        companyIdentifier: "AcmeCorp",
        productId: "17",
        billCustomer: "Billable",
      },
    });
    expect(toBillingRow(line)).toEqual({
      account: "19300",
      product: "M365-BP",
      quantity: "12.5",
      unitPrice: "22.1",
      agreement: "501",
      lineId: "9001",
    });
    expect(toPsaLine(info, { id: 1, quantity: null, unitPrice: null })).toMatchObject({
      quantity: "0",
      unitPrice: "0",
    });
  });

  it("an addition is active once started and until cancelled, whatever billCustomer says", () => {
    expect(isActiveAddition(addition, NOW)).toBe(true);
    expect(isActiveAddition({ ...addition, billCustomer: "NoCharge" }, NOW)).toBe(true);
    expect(isActiveAddition({ ...addition, effectiveDate: "2026-06-15T23:00:00Z" }, NOW)).toBe(true);
    expect(isActiveAddition({ ...addition, effectiveDate: "2026-06-16T00:00:00Z" }, NOW)).toBe(false);
    expect(isActiveAddition({ ...addition, effectiveDate: null }, NOW)).toBe(true);
    expect(isActiveAddition({ ...addition, cancelledDate: "2026-06-15T12:00:00Z" }, NOW)).toBe(false);
    expect(isActiveAddition({ ...addition, cancelledDate: "2026-06-30T00:00:00Z" }, NOW)).toBe(true);
    expect(isActiveAddition({ ...addition, agreementStatus: "Cancelled" }, NOW)).toBe(false);
  });

  it("an agreement is active when its status is Active and it is not cancelled", () => {
    expect(isActiveAgreement({ id: 1, agreementStatus: "Active", cancelledFlag: false })).toBe(true);
    expect(isActiveAgreement({ id: 1, agreementStatus: "Active", cancelledFlag: true })).toBe(false);
    expect(isActiveAgreement({ id: 1, agreementStatus: "Expired" })).toBe(false);
  });

  it("judges a line at the later of now and the effective date", () => {
    expect(asOfFor(NOW, "2026-06-01")).toBe(NOW);
    expect(asOfFor(NOW, "2026-07-01").toISOString()).toBe("2026-07-01T00:00:00.000Z");
    expect(() => asOfFor(NOW, "July")).toThrow(/not an ISO date/);
  });

  it("writes conditions the way ConnectWise reads them", () => {
    expect(cwDateTime(NOW)).toBe("2026-06-15T12:00:00Z");
    expect(notCancelledCondition(NOW)).toBe("(cancelledDate=null or cancelledDate>[2026-06-15T12:00:00Z])");
    expect(productCondition("M365-BP")).toBe('product/identifier="M365-BP"');
    expect(productCondition('24" screen')).toBeUndefined();
  });

  it("turns decimal text into a JSON number only when that number is exact", () => {
    expect(decimalNumber("10.50", "q")).toBe(10.5);
    expect(decimalNumber("0", "q")).toBe(0);
    expect(() => decimalNumber("12345678901234567.891", "q")).toThrow(/exactly/);
    expect(() => decimalNumber("1e3", "q")).toThrow();
    expect(() => decimalNumber("", "q")).toThrow();
  });
});

describe("ConnectWise client helpers", () => {
  it("takes the next page's query from the Link header", () => {
    const link =
      '<https://api-na.myconnectwise.net/v4_6_release/apis/3.0/finance/agreements?pageSize=2&page=3>; rel="next", <https://x/y?page=9>; rel="last"';
    expect(nextQuery(link)).toEqual({ pageSize: "2", page: "3" });
    expect(nextQuery('<https://x/y?page=9>; rel="last"')).toBeUndefined();
    expect(nextQuery(null)).toBeUndefined();
  });

  it("adds the API path to a bare site URL and keeps a full one", () => {
    const conn = { name: "cw", kind: "connectwise" as const, settings: {}, secretEnv: {} };
    expect(baseUrl({ ...conn, url: "https://na.myconnectwise.net" })).toBe(
      "https://na.myconnectwise.net/v4_6_release/apis/3.0",
    );
    expect(baseUrl({ ...conn, url: "https://cw.example.com/v2025_1/apis/3.0/" })).toBe(
      "https://cw.example.com/v2025_1/apis/3.0",
    );
    expect(() => baseUrl(conn)).toThrow(/url is required/);
  });
});
