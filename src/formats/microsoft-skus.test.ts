import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currentNames, DEFAULT_CSV, skuTable, TABLE_FILE } from "../../scripts/microsoft-skus.ts";
import { microsoftSku, microsoftSkus, SKU_COUNT, splitLicences } from "./microsoft-skus.ts";

// The shipped SKU table is Microsoft's licensing CSV (../shared/formats/microsoft/), derived by
// scripts/microsoft-skus.ts; licences map to SKU part numbers from any of the three ways of naming them.

describe("the Microsoft SKU table", () => {
  it("has the licensing CSV's 569 SKUs, and is what the script derives from the CSV and current names today", () => {
    const shipped = JSON.parse(readFileSync(TABLE_FILE, "utf8")) as string[][];
    const derived = skuTable(readFileSync(DEFAULT_CSV, "utf8"), shipped, currentNames());
    expect(derived).toHaveLength(569);
    expect(SKU_COUNT).toBe(569);
    expect(JSON.parse(readFileSync(TABLE_FILE, "utf8"))).toEqual(derived);
  });

  it.each([
    ["SPB", ["SPB"]],
    ["spb", ["SPB"]],
    ["cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", ["SPB"]],
    ["CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46", ["SPB"]],
    ["Microsoft 365 Business Premium", ["SPB"]],
    ["  microsoft 365   business premium ", ["SPB"]],
    ["Microsoft 365 Business Standard", ["O365_BUSINESS_PREMIUM"]],
    ["Microsoft 365 Business Basic", ["O365_BUSINESS_ESSENTIALS", "SMB_BUSINESS_ESSENTIALS"]],
    ["Enterprise Mobility + Security E3", ["EMS"]],
    ["MST-BP-NCE-M", []],
    // Current names (scripts/microsoft-sku-names.json), and the CSV's older ones kept.
    ["Microsoft 365 Copilot", ["M365_Copilot", "Microsoft_365_Copilot"]],
    ["Microsoft Copilot for Microsoft 365", ["M365_Copilot", "Microsoft_365_Copilot"]],
    ["Power Apps per app plan (1 app or website)", ["POWERAPPS_PER_APP_NEW"]],
    ["Power Apps per app plan (1 app or portal)", ["POWERAPPS_PER_APP_NEW"]],
  ])("%s names %j", (text, parts) => {
    expect(microsoftSkus(text)).toEqual(parts);
  });

  it("gives one part number for a licence line: the first SKU of a shared name, unknown text as written", () => {
    expect(microsoftSku("Microsoft 365 Business Basic")).toBe("O365_BUSINESS_ESSENTIALS");
    expect(microsoftSku(" Contoso Add-on ")).toBe("Contoso Add-on");
  });

  it("splits a + list, keeping product names that hold a + whole", () => {
    expect(splitLicences("SPB+FLOW_FREE")).toEqual(["SPB", "FLOW_FREE"]);
    expect(splitLicences("Microsoft 365 F5 Security + Compliance Add-on+Visio Plan 2")).toEqual([
      ...microsoftSkus("Microsoft 365 F5 Security + Compliance Add-on"),
      "VISIO_PLAN2_DEPT",
      "VISIOCLIENT",
    ]);
    expect(microsoftSkus("Microsoft 365 F5 Security + Compliance Add-on")).toHaveLength(1);
    expect(splitLicences("Enterprise Mobility + Security E3 + Custom thing")).toEqual([
      "EMS",
      "Custom thing",
    ]);
    expect(splitLicences("+ SPB ++")).toEqual(["SPB"]);
  });
});
