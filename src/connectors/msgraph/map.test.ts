import { describe, expect, it } from "vitest";
import { licenceRow, licenceRows, partNumber, skuNames, userRow, userRows } from "./map.ts";

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
});
