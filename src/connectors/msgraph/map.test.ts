import { describe, expect, it } from "vitest";
import {
  licenceRow,
  licenceRows,
  partNumber,
  skuNames,
  subscriptionEnd,
  userRow,
  userRows,
  withTermEnds,
} from "./map.ts";

const SPB = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";

describe("msgraph map", () => {
  it("names a licence from the tenant's own SKUs before Microsoft's table", () => {
    const names = skuNames([{ skuId: SPB.toUpperCase(), skuPartNumber: "SPB_RENAMED" }]);
    expect(partNumber(SPB, names)).toBe("SPB_RENAMED");
    expect(partNumber(E3, names)).toBe("ENTERPRISEPACK");
    expect(partNumber("00000000-0000-0000-0000-000000000001", names)).toBe(
      "00000000-0000-0000-0000-000000000001",
    );
  });

  it("writes a user row with licences joined by + and the user type lower-cased", () => {
    const row = userRow(
      "contoso.onmicrosoft.com",
      {
        userPrincipalName: "ann@contoso.com",
        displayName: "Ann",
        accountEnabled: true,
        userType: "Guest",
        assignedLicenses: [{ skuId: SPB, disabledPlans: [] }, { skuId: E3 }],
      },
      new Map(),
    );
    expect(row).toEqual({
      account: "contoso.onmicrosoft.com",
      upn: "ann@contoso.com",
      displayName: "Ann",
      enabled: "true",
      licences: "SPB+ENTERPRISEPACK",
      userType: "guest",
    });
  });

  it("reads a user with no licences, no user type and no enabled flag as an unlicensed, disabled member", () => {
    const [row] = userRows("t", [{ userPrincipalName: "x@t.com", accountEnabled: null, userType: null }], []);
    expect(row).toMatchObject({ licences: "", userType: "member", enabled: "false", displayName: "" });
  });

  it("counts enabled prepaid units only, and skips SKUs with nothing enabled that are not Enabled", () => {
    const rows = licenceRows("t", [
      {
        skuId: SPB,
        skuPartNumber: "SPB",
        capabilityStatus: "Enabled",
        prepaidUnits: { enabled: 25, warning: 5 },
      },
      {
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        capabilityStatus: "Suspended",
        prepaidUnits: { enabled: 0, suspended: 10 },
      },
      {
        skuId: E3,
        skuPartNumber: "EXPIRED",
        capabilityStatus: "Warning",
        prepaidUnits: { enabled: 0, warning: 3 },
      },
    ]);
    expect(rows).toEqual([{ account: "t", sku: "SPB", quantity: "25", unitCost: "" }]);
  });

  it("still counts enabled units a SKU reports under another status, and names a SKU without a part number by its id", () => {
    expect(licenceRow("t", { skuId: E3, capabilityStatus: "Warning", prepaidUnits: { enabled: 4 } })).toEqual(
      {
        account: "t",
        sku: "ENTERPRISEPACK",
        quantity: "4",
        unitCost: "",
      },
    );
  });

  it("reads a subscription's term end as its UTC date; a trial or no date gives none; a bad date names the subscription", () => {
    expect(subscriptionEnd({ nextLifecycleDateTime: "2027-03-01T01:00:00+02:00" })).toBe("2027-02-28");
    expect(subscriptionEnd({ nextLifecycleDateTime: "2027-03-01T00:00:00Z", isTrial: true })).toBe("");
    expect(subscriptionEnd({ nextLifecycleDateTime: null })).toBe("");
    expect(() => subscriptionEnd({ id: "s9", skuPartNumber: "SPB", nextLifecycleDateTime: "soon" })).toThrow(
      /subscription s9 \(SPB\): nextLifecycleDateTime "soon" is not a date/,
    );
  });

  it("splits a SKU's enabled units per term end when the subscriptions add up, a trial's units without one", () => {
    const row = { account: "t", sku: "SPB", quantity: "10", unitCost: "" };
    const { rows, unclear } = withTermEnds(row, [
      { skuId: SPB, status: "Enabled", totalLicenses: 6, nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
      { skuId: SPB, status: "Enabled", totalLicenses: 3, nextLifecycleDateTime: "2027-01-31T12:00:00Z" },
      {
        skuId: SPB,
        status: "Enabled",
        totalLicenses: 1,
        nextLifecycleDateTime: "2026-12-15T00:00:00Z",
        isTrial: true,
      },
      { skuId: SPB, status: "LockedOut", totalLicenses: 7, nextLifecycleDateTime: "2026-11-01T00:00:00Z" },
    ]);
    expect(unclear).toBeUndefined();
    expect(rows).toEqual([
      { account: "t", sku: "SPB", quantity: "1", unitCost: "" },
      { account: "t", sku: "SPB", quantity: "9", unitCost: "", commitmentEnd: "2027-01-31" },
    ]);
  });

  it("keeps subscribedSkus' quantity when the subscriptions disagree: one date is kept, several are not", () => {
    const row = { account: "t", sku: "SPB", quantity: "10", unitCost: "" };
    const one = withTermEnds(row, [
      { status: "Enabled", totalLicenses: 8, nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
    ]);
    expect(one).toEqual({ rows: [{ ...row, commitmentEnd: "2027-01-31" }] });
    const two = withTermEnds(row, [
      { status: "Enabled", totalLicenses: 8, nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
      { status: "Enabled", totalLicenses: null, nextLifecycleDateTime: "2027-05-31T00:00:00Z" },
    ]);
    expect(two.rows).toEqual([row]);
    expect(two.unclear).toContain("an unknown number of licences, subscribedSkus 10");
    expect(two.unclear).toContain("2027-01-31, 2027-05-31");
    // A dated and an undated (trial) part that do not add up: no date at all.
    const mixed = withTermEnds(row, [
      { status: "Enabled", totalLicenses: 8, nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
      { status: "Enabled", totalLicenses: 1, nextLifecycleDateTime: "2026-12-01T00:00:00Z", isTrial: true },
    ]);
    expect(mixed.rows).toEqual([row]);
  });

  it("matches subscriptions to a SKU by skuId, whatever its case, and leaves rows alone without subscriptions", () => {
    const skus = [
      { skuId: SPB, skuPartNumber: "SPB", capabilityStatus: "Enabled", prepaidUnits: { enabled: 2 } },
      {
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        capabilityStatus: "Enabled",
        prepaidUnits: { enabled: 1 },
      },
    ];
    const subs = [
      {
        skuId: SPB.toUpperCase(),
        status: "Enabled",
        totalLicenses: 2,
        nextLifecycleDateTime: "2027-01-31T00:00:00Z",
      },
    ];
    expect(licenceRows("t", skus, subs)).toEqual([
      { account: "t", sku: "SPB", quantity: "2", unitCost: "", commitmentEnd: "2027-01-31" },
      { account: "t", sku: "ENTERPRISEPACK", quantity: "1", unitCost: "" },
    ]);
    expect(licenceRows("t", skus).every((r) => r.commitmentEnd === undefined)).toBe(true);
  });
});
