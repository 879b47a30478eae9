import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { editYaml } from "./yaml-edit.ts";

// A mapping edits trueup.yaml where it must and nowhere else.

const TEXT = `# Our catalogue
services:
  - id: edr            # SentinelOne
    name: EDR
    vendorSkus:
      - { vendor: pax8, sku: S1 }   # monthly
  - { id: dns, name: DNS, vendorSkus: [ ] }
clients:
  - id: acme
    ids: { psa: '100',
           rmm: ACME }
  - id: bolt
    ids:
      psa: '200'
    plans: []
`;

describe("editing trueup.yaml in place", () => {
  it("adds a key to a flow mapping spread over two lines, before its closing brace", () => {
    const out = editYaml(TEXT, { op: "set", path: ["clients", 0, "ids"], key: "pax8", value: "px-1" });
    expect(out).toBe(TEXT.replace("rmm: ACME }", "rmm: ACME, pax8: px-1 }"));
  });

  it("adds a key to a block mapping on a line of its own, at the mapping's indentation", () => {
    const out = editYaml(TEXT, { op: "set", path: ["clients", 1, "ids"], key: "rmm", value: "00123" });
    expect(out).toBe(TEXT.replace("      psa: '200'\n", `      psa: '200'\n      rmm: "00123"\n`));
    expect(parse(out).clients[1].ids.rmm).toBe("00123");
  });

  it("appends to a block list after the last item and its comment", () => {
    const out = editYaml(TEXT, {
      op: "append",
      path: ["services", 0, "vendorSkus"],
      item: { vendor: "pax8", sku: "S1-X" },
    });
    expect(out).toBe(TEXT.replace("# monthly\n", "# monthly\n      - { vendor: pax8, sku: S1-X }\n"));
  });

  it("appends to an empty flow list", () => {
    const out = editYaml(TEXT, {
      op: "append",
      path: ["services", 1, "vendorSkus"],
      item: { vendor: "a", sku: "b" },
    });
    expect(out).toBe(TEXT.replace("vendorSkus: [ ]", "vendorSkus: [{ vendor: a, sku: b }]"));
  });

  it("adds a missing key to a list item, block or flow", () => {
    const block = editYaml(TEXT, { op: "set", path: ["services", 0], key: "psaProduct", value: "EDR-S1" });
    expect(block).toBe(TEXT.replace("# monthly\n", "# monthly\n    psaProduct: EDR-S1\n"));
    const inline = editYaml(TEXT, { op: "set", path: ["services", 1], key: "psaProduct", value: "DNS" });
    expect(inline).toBe(TEXT.replace("vendorSkus: [ ] }", "vendorSkus: [ ], psaProduct: DNS }"));
  });

  it("writes the whole document when the target is not a collection", () => {
    const text = "clients:\n  - id: acme\n    ids:\n";
    const out = editYaml(text, { op: "set", path: ["clients", 0], key: "ids", value: { psa: "1" } });
    expect(parse(out)).toEqual({ clients: [{ id: "acme", ids: { psa: "1" } }] });
  });
});
