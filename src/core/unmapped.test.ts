import { describe, expect, it } from "vitest";
import {
  billing,
  bundle,
  bundlePlan,
  device,
  findingsOf,
  licence,
  lineOf,
  run,
  summary,
  user,
} from "./testing.ts";

// Spec 2 and 5: rows whose account matches no client, under the pseudo-client _unmapped.

describe("unmapped accounts (2, 5)", () => {
  it("rows of one unknown account, whatever its case, are one finding per system", () => {
    const r = run({
      users: [
        user("a@x.com", { account: { system: "microsoft", value: "x.onmicrosoft.com" }, ref: "users.csv:3" }),
        user("b@x.com", { account: { system: "microsoft", value: "X.onmicrosoft.com" }, ref: "users.csv:2" }),
      ],
      devices: [
        device("PC1", { account: { system: "rmm", value: "x.onmicrosoft.com" }, ref: "devices.csv:2" }),
      ],
    });
    expect(findingsOf(r, undefined, "_unmapped").map((f) => [f.subject, f.evidence])).toEqual([
      ["account:microsoft:X.onmicrosoft.com", ["users.csv:2", "users.csv:3"]],
      ["account:rmm:x.onmicrosoft.com", ["devices.csv:2"]],
    ]);
    expect(r.totals.findings).toBe(2);
  });

  it("a licence row of an unknown account counts under UNMAPPED_ACCOUNT alone: its SKU is not looked up", () => {
    const r = run({
      licences: [
        licence("pax8", "NOPE", 2, {
          account: { system: "pax8", value: "px-9" },
          ref: "pax8.csv:4",
          unitCost: "7.25",
        }),
      ],
    });
    expect(summary(r, "_unmapped")).toEqual(["UNMAPPED_ACCOUNT account:pax8:px-9"]);
    expect(r.totals.unmapped).toBe("14.50");
  });

  it("an unknown account carries the money on its rows: billed quantity x price, bought quantity x cost", () => {
    const psa = { account: { system: "psa", value: "10377" } };
    const px = { account: { system: "pax8", value: "px-77" } };
    const r = run({
      billing: [
        billing("GOLD", 4, "150.00", { ...psa, ref: "psa.csv:2" }),
        billing("ARCH", 2, "3.25", { ...psa, ref: "psa.csv:3" }),
      ],
      licences: [
        licence("pax8", "MST-BP", 3, { ...px, ref: "pax8.csv:2", unitCost: "22.00" }),
        licence("pax8", "S1", 2, { ...px, ref: "pax8.csv:3" }),
      ],
      users: [user("who@x.com", { account: { system: "microsoft", value: "x" }, ref: "users.csv:2" })],
    });
    expect(findingsOf(r, "UNMAPPED_ACCOUNT", "_unmapped").map((f) => [f.subject, f.monthlyImpact])).toEqual([
      ["account:microsoft:x", "0.00"],
      ["account:pax8:px-77", "66.00"],
      ["account:psa:10377", "606.50"],
    ]);
    expect(r.totals.unmapped).toBe("672.50");
    expect(r.totals.overBilled).toBe("0.00");
  });

  it("there is no _unmapped client when every row has a client", () => {
    const r = run({ users: [user("ann@acme.com")], devices: [device("PC1")] });
    expect(r.clients.map((c) => c.id)).toEqual(["acme"]);
  });

  it("a billing row of an unknown account with a known product bills no client", () => {
    const r = run({
      bundles: [bundle("gold", { psaProduct: "GOLD" })],
      plans: [bundlePlan("gold")],
      users: [user("ann@acme.com")],
      billing: [
        billing("GOLD", 1, "100.00"),
        billing("GOLD", 5, "100.00", { account: { system: "psa", value: "99999" }, ref: "psa.csv:9" }),
      ],
    });
    expect(summary(r, "_unmapped")).toEqual(["UNMAPPED_ACCOUNT account:psa:99999"]);
    expect(summary(r)).toEqual([]);
    expect(lineOf(r, "bundle:gold")).toMatchObject({ required: 1, billed: 1 });
  });

  it("users and devices of unknown accounts count for no client", () => {
    const elsewhere = { account: { system: "microsoft", value: "nobody" } };
    const r = run({
      users: [user("ann@acme.com"), user("who@nobody.com", elsewhere)],
      devices: [device("PC1"), device("PC2", { account: { system: "rmm", value: "NOBODY" } })],
    });
    expect(r.clients.map((c) => [c.id, c.counts])).toEqual([
      ["_unmapped", { billableUsers: 0, currentDevices: 0, staleDevices: 0 }],
      ["acme", { billableUsers: 1, currentDevices: 1, staleDevices: 0 }],
    ]);
  });
});
