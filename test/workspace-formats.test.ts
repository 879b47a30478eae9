import { describe, expect, it } from "vitest";
import { load, ownerText, sample } from "./format-harness.ts";

// The Microsoft 365, Partner Center and Pax8 export formats, each on a sample file written from its
// documented columns (test/fixtures/formats/), and each bad input named by file, line and column.

const M365 = "  - { kind: users, format: m365-users-export, file: users.csv }\n";
const PC = "  - { kind: licences, format: partner-center-reconciliation, file: pc.csv, vendor: microsoft }\n";
const PAX8 = "  - { kind: licences, format: pax8-subscriptions, file: pax8.csv, vendor: pax8 }\n";

describe("m365-users-export", () => {
  it("reads users, blocked sign-in, licences without the tenant, guests, and the tenant as account", async () => {
    const { rows, issues } = await load(M365, { "users.csv": sample("m365-users-export.csv") });
    expect(issues).toEqual([]);
    const users = rows.users.map((u) => [ownerText(u.owner), u.upn, u.enabled, u.licences, u.guest, u.ref]);
    expect(users).toEqual([
      ["contoso", "ann@contoso.example", true, ["SPB", "FLOW_FREE"], false, "users.csv:2"],
      ["contoso", "bob@contoso.example", false, ["SPB"], false, "users.csv:3"],
      ["contoso", "cy@contoso.example", true, ["O365_BUSINESS_ESSENTIALS"], false, "users.csv:6"],
      // Unlicensed rows name no tenant: they take the one the rest of the file names.
      ["contoso", "reception@contoso.example", true, [], false, "users.csv:4"],
      ["contoso", "gail_partner.example#EXT#@contoso.onmicrosoft.com", true, [], true, "users.csv:5"],
    ]);
  });

  it("maps product names to SKU part numbers, a name with a + in it included", async () => {
    const source = "  - { kind: users, format: m365-users-export, file: users.csv, client: fabrikam }\n";
    const { rows, issues } = await load(source, { "users.csv": sample("m365-users-export-names.csv") });
    expect(issues).toEqual([]);
    expect(rows.users.map((u) => [ownerText(u.owner), u.upn, u.licences])).toEqual([
      ["fabrikam", "dee@fabrikam.example", ["SPB", "FLOW_FREE"]],
      // "Microsoft 365 Business Basic" is the product name of two SKUs: the user holds either.
      ["fabrikam", "eli@fabrikam.example", ["EMS", "O365_BUSINESS_ESSENTIALS", "SMB_BUSINESS_ESSENTIALS"]],
      ["fabrikam", "fay@fabrikam.example", []],
    ]);
  });

  it("an export with no tenant and no client: on the source is one error saying to set client:", async () => {
    const { issues } = await load(M365, { "users.csv": sample("m365-users-export-names.csv") });
    expect(issues).toEqual([
      'users.csv:2: Licenses: names no tenant (the user is Unlicensed, or its licences have no "tenant:" prefix, as when the export gives product names), and no other row names one either: set client: on sources[0] to say whose file this is (and 2 more rows like it)',
    ]);
  });

  it("a tenant no client has is an unmapped account, with the tenant as written", async () => {
    const text =
      "User principal name,Licenses,Block credential\na@x.example,wingtip:SPB,False\nb@x.example,Unlicensed,False\n";
    const { rows } = await load(M365, { "users.csv": text });
    expect(rows.users.map((u) => ownerText(u.owner))).toEqual(["microsoft:wingtip", "microsoft:wingtip"]);
  });

  it("users of two tenants in one file leave an unlicensed user's tenant open: an error", async () => {
    const text =
      "User principal name,Licenses,Block credential\na@x.example,contoso:SPB,False\nb@x.example,wingtip:SPB,False\nc@x.example,Unlicensed,False\n";
    const { issues } = await load(M365, { "users.csv": text });
    expect(issues).toEqual([
      'users.csv:4: Licenses: names no tenant (the user is Unlicensed, or its licences have no "tenant:" prefix, as when the export gives product names), and the file\'s rows name several (contoso, wingtip): set client: on sources[0] to say whose file this is',
    ]);
  });

  it("a missing Block credential column and a value that is not True or False are errors", async () => {
    const missing = await load(M365, {
      "users.csv": "User principal name,Licenses\na@x.example,contoso:SPB\n",
    });
    expect(missing.issues).toEqual([
      'users.csv:1: Block credential: missing required column "Block credential" (the header has: User principal name, Licenses)',
    ]);
    const bad = await load(M365, {
      "users.csv": "User principal name,Licenses,Block credential\na@x.example,contoso:SPB,Sometimes\n",
    });
    expect(bad.issues).toEqual(['users.csv:2: Block credential: expected True or False, got "Sometimes"']);
  });
});

describe("trueup-users of vendor microsoft", () => {
  it("reads licences given as part numbers, skuId GUIDs or product names as part numbers", async () => {
    const source = "  - { kind: users, format: trueup-users, file: users.csv }\n";
    const text =
      "account,upn,enabled,licences\ncontoso.onmicrosoft.com,a@c.example,true,spb+cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46\ncontoso.onmicrosoft.com,b@c.example,true,Microsoft 365 Business Standard+NOT-A-SKU\n";
    const { rows, issues } = await load(source, { "users.csv": text });
    expect(issues).toEqual([]);
    expect(rows.users.map((u) => u.licences)).toEqual([
      ["SPB", "SPB"],
      ["O365_BUSINESS_PREMIUM", "NOT-A-SKU"],
    ]);
  });
});

describe("partner-center-reconciliation", () => {
  it("sums BillableQuantity per customer and SKU, credits off, usage left out, matched by domain or id", async () => {
    const { rows, issues } = await load(PC, { "pc.csv": sample("partner-center-reconciliation.csv") });
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => [ownerText(l.owner), l.vendor, l.sku, l.quantity, l.ref])).toEqual([
      ["contoso", "microsoft", "SPB", 10, "pc.csv:2"],
      ["contoso", "microsoft", "SPB", 2, "pc.csv:3"],
      ["contoso", "microsoft", "SPB", -1, "pc.csv:4"],
      // Fabrikam's microsoft id is its tenant id, the file's CustomerId.
      ["fabrikam", "microsoft", "O365_BUSINESS_ESSENTIALS", 3, "pc.csv:5"],
      // A SKU name the licensing table does not know stays as written (UNMAPPED_SKU shows it).
      ["microsoft:northwind.onmicrosoft.com", "microsoft", "Some Future Add-on", 4, "pc.csv:7"],
    ]);
  });

  it("credits beyond the charges of a SKU are an error at the first line", async () => {
    const text =
      "CustomerDomainName,SkuName,ChargeType,Total,BillableQuantity\ncontoso.onmicrosoft.com,Microsoft 365 Business Premium,removeQuantity,-44.00,2\n";
    const { issues } = await load(PC, { "pc.csv": text });
    expect(issues).toEqual([
      "pc.csv:2: BillableQuantity: the lines of SPB for this customer come to -2 licences: credits without their charges (is the file one whole invoice?)",
    ]);
  });

  it("a negative BillableQuantity is a credit too", async () => {
    const text =
      "CustomerId,SkuName,ChargeType,BillableQuantity\n196e2273-9651-43a3-ba7e-7cbcd918fc40,SPB,cycleCharge,5\n196e2273-9651-43a3-ba7e-7cbcd918fc40,SPB,refund,-2\n";
    const clients =
      "clients:\n  - { id: contoso, name: Contoso, ids: { microsoft: 196e2273-9651-43a3-ba7e-7cbcd918fc40 } }\n";
    const { rows, issues } = await load(PC, { "pc.csv": text }, clients);
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => [ownerText(l.owner), l.quantity])).toEqual([
      ["contoso", 5],
      ["contoso", -2],
    ]);
  });

  it("a file with neither customer column, and a fractional licence count, are errors", async () => {
    const noCustomer = await load(PC, { "pc.csv": "CustomerName,SkuName,BillableQuantity\nContoso,X,1\n" });
    expect(noCustomer.issues).toEqual([
      'pc.csv:1: CustomerDomainName: missing a column: one of "CustomerDomainName", "CustomerId" (the header has: CustomerName, SkuName, BillableQuantity)',
    ]);
    const fraction = await load(PC, {
      "pc.csv": "CustomerId,SkuName,ChargeType,BillableQuantity\n196e,Visio Plan 2,cycleCharge,1.5\n",
    });
    expect(fraction.issues).toEqual([
      'pc.csv:2: BillableQuantity: expected a whole number of licences, got "1.5"',
    ]);
  });
});

describe("pax8-subscriptions", () => {
  it("counts billed subscriptions by company id or name, by SKU when given", async () => {
    const { rows, issues } = await load(PAX8, { "pax8.csv": sample("pax8-subscriptions.csv") });
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => [ownerText(l.owner), l.sku, l.quantity])).toEqual([
      ["contoso", "MST-BP-NCE-M", 10],
      ["contoso", "S1-CMPL-M", 12],
      ["contoso", "MST-EXO1-NCE-M", 2],
      ["fabrikam", "S1-CMPL-M", 3],
    ]);
  });

  it("takes the product name as the SKU when the export has no SKU column", async () => {
    const text = "companyName,productName,quantity,status\nContoso Ltd,SentinelOne Complete,5,Active\n";
    const clients = "clients:\n  - { id: contoso, name: Contoso, ids: { pax8: Contoso Ltd } }\n";
    const { rows } = await load(PAX8, { "pax8.csv": text }, clients);
    expect(rows.licences.map((l) => [ownerText(l.owner), l.sku, l.quantity])).toEqual([
      ["contoso", "SentinelOne Complete", 5],
    ]);
  });

  it("a garbage line is an error naming its line, the lines around it still read", async () => {
    const text =
      "Company Id,SKU,Quantity\nc0c0-0001,A,1\nthis is not a subscription\nc0c0-0001,B,two\nc0c0-0001,C,3\n";
    const { rows, issues } = await load(PAX8, { "pax8.csv": text });
    expect(issues).toEqual([
      "pax8.csv:3: has 1 values but the header has 3 columns",
      'pax8.csv:4: quantity: expected a whole number, got "two"',
    ]);
    expect(rows.licences.map((l) => l.sku)).toEqual(["A", "C"]);
  });
});
