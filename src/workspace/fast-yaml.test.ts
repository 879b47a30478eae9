import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isScalar, parseDocument } from "yaml";
import { fastYaml } from "./fast-yaml.ts";
import { YamlFile } from "./yaml.ts";

// The fast reader gives what `yaml` gives, or nothing (and `yaml` reads the text).

function reference(text: string): { value: unknown } | "error" {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  return doc.errors.length > 0 ? "error" : { value: doc.toJS() };
}

function agrees(text: string): void {
  const fast = fastYaml(text);
  if (fast === undefined) return;
  expect(reference(text)).toEqual({ value: fast.value });
}

const scalars = fc.constantFrom(
  "a",
  "b c",
  "x-1",
  "10000",
  "-5",
  "9.90",
  "'9.90'",
  '"q"',
  "'it''s'",
  "true",
  "null",
  "~",
  "2026-11-01",
  "c0000.onmicrosoft.com",
  "svc-*",
  "http://x",
  "a #c",
  "-x",
  "",
  "'a: b'",
  "a: b",
);
const keys = fc.constantFrom("id", "name", "ids", "plans", "x", "'q k'", "1");
const flow: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalars,
    fc.array(tie("node"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
    fc
      .array(fc.tuple(keys, tie("node")), { maxLength: 3 })
      .map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(",\n   ")}}`),
  ),
})).node;
const block: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      keys,
      fc.oneof(
        flow.map((v) => ` ${v}`),
        fc.array(flow, { maxLength: 3 }).map((xs) => xs.map((x) => `\n- ${x}`).join("")),
        fc
          .array(fc.tuple(keys, flow), { minLength: 1, maxLength: 3 })
          .map((kv) => kv.map(([k, v], i) => `\n${i === 0 ? "- " : "  "}${k}: ${v}`).join("")),
        fc
          .array(fc.tuple(keys, flow), { maxLength: 2 })
          .map((kv) => kv.map(([k, v]) => `\n  ${k}: ${v}`).join("")),
      ),
    ),
    { maxLength: 5 },
  )
  .map((entries) => `${entries.map(([k, v]) => `${k}:${v}`).join("\n")}\n`);

describe("fastYaml", () => {
  it("reads the workspaces of the repository as yaml does", () => {
    for (const file of [
      "examples/demo/trueup.yaml",
      "examples/formats/trueup.yaml",
      "templates/init/trueup.yaml",
    ]) {
      agrees(readFileSync(file, "utf8"));
    }
  });

  it("reads a generated workspace's trueup.yaml itself, as yaml does", () => {
    const text = [
      "currency: USD",
      "asOf: '2026-11-01'",
      "rules:",
      "  staleDeviceDays: 30",
      "  excludeUsers: [svc-*]",
      "services:",
      "- {id: m365-bp, name: Microsoft 365 Business Premium, unit: user, cost: '22.00', price: '26.40',",
      "   vendorSkus: [{vendor: pax8, sku: MST-BP-M}, {vendor: microsoft, sku: SPB}]}",
      "clients:",
      '- id: "c0000"',
      '  name: "Granite Logistics 0"',
      '  ids: {psa: "10000", microsoft: "c0000.onmicrosoft.com"}',
      "  plans:",
      "  - {bundle: bronze-device, price: '40.00'}",
      "  - {service: m365-bs}   # a comment",
      "",
      "# the end",
    ].join("\n");
    expect(fastYaml(text)).toBeDefined();
    agrees(text);
  });

  it("gives what yaml gives for random block and flow YAML, whenever it reads it", () => {
    let read = 0;
    fc.assert(
      fc.property(block, (text) => {
        if (fastYaml(text)) read++;
        agrees(text);
      }),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(300);
  });

  it("gives every number's text as written, as yaml's document does, without building one", () => {
    const numbers: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      if (typeof v === "number") numbers.push(path);
      else if (v !== null && typeof v === "object")
        for (const [k, x] of Object.entries(v)) walk(x, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    let checked = 0;
    fc.assert(
      fc.property(block, (text) => {
        const fast = fastYaml(text);
        if (!fast) return;
        numbers.length = 0;
        walk(fast.value, []);
        const y = new YamlFile("trueup.yaml", text);
        const doc = parseDocument(text, { uniqueKeys: true });
        for (const path of numbers) {
          const node = doc.getIn(path, true);
          expect(isScalar(node)).toBe(true);
          expect(y.sourceText(path)).toBe(isScalar(node) ? node.source : undefined);
          checked++;
        }
      }),
      { numRuns: 2000 },
    );
    expect(checked).toBeGreaterThan(20);
    // The demo's `targetMargin: 0.78` and an amount with its trailing zero.
    const y = new YamlFile("trueup.yaml", "rules:\n  targetMargin: 0.780\nplans: [{price: 9.90}]\n");
    expect(y.value).toEqual({ rules: { targetMargin: 0.78 }, plans: [{ price: 9.9 }] });
    expect(y.sourceText(["rules", "targetMargin"])).toBe("0.780");
    expect(y.sourceText(["plans", 0, "price"])).toBe("9.90");
  });

  it("leaves anchors, block scalars and multi-line plain scalars to yaml", () => {
    for (const text of [
      "a: &x 1\nb: *x\n",
      "a: |\n  text\n",
      "a: one\n  two\n",
      "a: !tag x\n",
      "a: 1\na: 2\n",
      "a: 1e3\n",
      "a: .5\n",
      "a: 0x1F\n",
      "a: .inf\n",
    ]) {
      expect(fastYaml(text)).toBeUndefined();
    }
  });

  it("still gives positions and source text once the file is read the fast way", () => {
    const y = new YamlFile("trueup.yaml", "a: 1\nsources:\n- {file: x.csv, price: '9.90'}\n");
    expect(y.value).toEqual({ a: 1, sources: [{ file: "x.csv", price: "9.90" }] });
    expect(y.position(["sources", 0, "file"])).toEqual({ line: 3, column: 10 });
    expect(y.sourceText(["a"])).toBe("1");
  });
});
