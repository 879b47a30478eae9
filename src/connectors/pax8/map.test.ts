import { describe, expect, it } from "vitest";
import { licenceRows, type Pax8Product, skuOf } from "./map.ts";

const products = new Map<string, Pax8Product>([
  [
    "p1",
    { id: "p1", name: "Microsoft 365 E3", sku: "MST-E3", vendorSku: "796B6B5F-613C-4E24-A17C-EBA730D49C02" },
  ],
  ["p2", { id: "p2", name: "Backup", sku: "BK-1", vendorSku: " " }],
  ["p3", { id: "p3", name: "Plain" }],
]);

describe("pax8 map", () => {
  it("names a SKU by Pax8 SKU (as the file format does, not the vendor SKU), else product name, else the subscription's product name or id", () => {
    expect(skuOf(products.get("p1"), {})).toBe("MST-E3");
    expect(skuOf(products.get("p2"), {})).toBe("BK-1");
    expect(skuOf(products.get("p3"), {})).toBe("Plain");
    expect(skuOf(undefined, { productName: "Gone", productId: "p9" })).toBe("Gone");
    expect(skuOf(undefined, { productId: "p9" })).toBe("p9");
  });

  it("counts Active, Activated and PendingCancel subscriptions only", () => {
    const statuses = [
      "Active",
      "Activated",
      "PendingCancel",
      "Cancelled",
      "Trial",
      "PendingManual",
      "Converted",
    ];
    const rows = licenceRows(
      statuses.map((status, i) => ({ id: `s${i}`, companyId: "c", productId: "p3", quantity: 1, status })),
      products,
    );
    expect(rows).toEqual([{ account: "c", sku: "Plain", quantity: "3", unitCost: "" }]);
  });

  it("sums quantities exactly and keeps the partner cost only when it is the same on every subscription", () => {
    const rows = licenceRows(
      [
        { id: "a", companyId: "c", productId: "p1", quantity: 3, status: "Active", partnerCost: 0.1 },
        { id: "b", companyId: "c", productId: "p1", quantity: 4, status: "Active", partnerCost: 0.1 },
        { id: "d", companyId: "c", productId: "p2", quantity: 1, status: "Active", partnerCost: 1 },
        { id: "e", companyId: "c", productId: "p2", quantity: 1, status: "Active", partnerCost: 2 },
        { id: "f", companyId: "c", productId: "p3", quantity: 1, status: "Active", partnerCost: 5.125 },
        { id: "g", companyId: "c", productId: "p3", quantity: 1, status: "Active" },
      ],
      products,
    );
    expect(rows.map((r) => [r.sku, r.quantity, r.unitCost])).toEqual([
      ["MST-E3", "7", "0.10"],
      ["BK-1", "2", ""],
      ["Plain", "2", ""],
    ]);
  });

  it("keeps a price with more than two places as written", () => {
    const [row] = licenceRows(
      [{ id: "a", companyId: "c", productId: "p3", quantity: 2, status: "Active", partnerCost: 5.125 }],
      products,
    );
    expect(row?.unitCost).toBe("5.125");
  });

  it("refuses a billed subscription without a company or a readable quantity", () => {
    expect(() =>
      licenceRows([{ id: "x", productId: "p3", quantity: 1, status: "Active" }], products),
    ).toThrow("subscription x has no companyId");
    expect(() =>
      licenceRows([{ id: "y", companyId: "c", productId: "p3", status: "Active" }], products),
    ).toThrow("subscription y: quantity undefined is not a number");
  });

  it("gives a subscription's commitment term end; subscriptions locked until different dates stay apart", () => {
    const base = { companyId: "c1", productId: "p1", status: "Active", partnerCost: 20 };
    const rows = licenceRows(
      [
        {
          ...base,
          id: "a",
          quantity: 3,
          commitmentTerm: { term: "1-Year", endDate: "2027-03-31T00:00:00Z" },
        },
        {
          ...base,
          id: "b",
          quantity: 2,
          commitmentTerm: { term: "1-Year", endDate: "2027-03-31T12:00:00Z" },
        },
        { ...base, id: "c", quantity: 1, commitmentTerm: { term: "Monthly", endDate: null } },
      ],
      products,
    );
    expect(rows).toEqual([
      { account: "c1", sku: "MST-E3", quantity: "5", unitCost: "20.00", commitmentEnd: "2027-03-31" },
      { account: "c1", sku: "MST-E3", quantity: "1", unitCost: "20.00" },
    ]);
  });

  it("a commitment end that is no date is an error naming the subscription", () => {
    const sub = { id: "s9", companyId: "c1", productId: "p1", status: "Active", quantity: 1 };
    expect(() => licenceRows([{ ...sub, commitmentTerm: { endDate: "soon" } }], products)).toThrow(
      /subscription s9: commitmentTerm.endDate "soon" is not a date/,
    );
  });
});
