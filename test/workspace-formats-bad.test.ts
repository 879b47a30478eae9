import { describe, expect, it } from "vitest";
import { load, sample } from "./format-harness.ts";

// Every vendor format against the same bad inputs: a garbage line, bytes that are no text, a missing
// required column; and the same export saved by Excel as UTF-16 reads exactly as the UTF-8 one.

interface Case {
  format: string;
  kind: string;
  extra: string;
  sample: string;
  /** A required column as the sample's header writes it, and the field the error names. */
  header: string;
  field: string;
}

const CASES: Case[] = [
  {
    format: "m365-users-export",
    kind: "users",
    extra: "",
    sample: "m365-users-export.csv",
    header: "User principal name",
    field: "User principal name",
  },
  {
    format: "partner-center-reconciliation",
    kind: "licences",
    extra: ", vendor: microsoft",
    sample: "partner-center-reconciliation.csv",
    header: "BillableQuantity",
    field: "BillableQuantity",
  },
  {
    format: "pax8-subscriptions",
    kind: "licences",
    extra: ", vendor: pax8",
    sample: "pax8-subscriptions.csv",
    header: "Quantity",
    field: "quantity",
  },
  {
    format: "ninjaone-devices",
    kind: "devices",
    extra: "",
    sample: "ninjaone-devices.csv",
    header: "nodeClass",
    field: "nodeClass",
  },
  {
    format: "datto-rmm-devices",
    kind: "devices",
    extra: "",
    sample: "datto-rmm-devices.csv",
    header: "Hostname",
    field: "hostname",
  },
  {
    format: "sentinelone-agents",
    kind: "deployments",
    extra: ", deployment: edr",
    sample: "sentinelone-agents.csv",
    header: "Endpoint Name",
    field: "computerName",
  },
  {
    format: "huntress-agents",
    kind: "deployments",
    extra: ", deployment: edr",
    sample: "huntress-agents.csv",
    header: "Hostname",
    field: "hostname",
  },
];

const source = (c: Case) => `  - { kind: ${c.kind}, format: ${c.format}, file: f.csv${c.extra} }\n`;
const text = (c: Case) => sample(c.sample).toString("utf8");
const lineCount = (t: string) => t.trimEnd().split("\n").length;
const rowsOf = (r: Awaited<ReturnType<typeof load>>) => Object.values(r.rows).flat();

describe.each(CASES)("$format", (c) => {
  it("reads its sample with no error", async () => {
    const r = await load(source(c), { "f.csv": text(c) });
    expect(r.issues).toEqual([]);
    expect(rowsOf(r).length).toBeGreaterThan(0);
  });

  it("a garbage line is an error naming its line, and the other lines still read", async () => {
    const good = await load(source(c), { "f.csv": text(c) });
    const lines = text(c).trimEnd().split("\n");
    const garbled = [...lines.slice(0, 2), "%%% not a record %%%", ...lines.slice(2)].join("\n");
    const r = await load(source(c), { "f.csv": garbled });
    const width = (lines[0] ?? "").split(",").length;
    expect(r.issues).toEqual([`f.csv:3: has 1 values but the header has ${width} columns`]);
    expect(rowsOf(r)).toHaveLength(rowsOf(good).length);
  });

  it("bytes that are no text are an error naming their line", async () => {
    const t = text(c);
    const at = t.indexOf("\n", t.indexOf("\n") + 1) + 1; // the start of line 3
    const binary = Buffer.concat([
      Buffer.from(t.slice(0, at)),
      Buffer.from([0, 0x13, 0x37]),
      Buffer.from(t.slice(at)),
    ]);
    const r = await load(source(c), { "f.csv": binary });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatch(/^f\.csv:3: the file is not text/);
  });

  it("a missing required column is an error at line 1 naming it", async () => {
    const t = text(c);
    const renamed = t.replace(c.header, "Something else");
    const r = await load(source(c), { "f.csv": renamed });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toContain(`f.csv:1: ${c.field}: missing required column "${c.field}"`);
    expect(lineCount(t)).toBeGreaterThan(2);
  });

  it("saved as UTF-16 (Excel's Unicode text) it reads exactly as in UTF-8", async () => {
    const utf8 = await load(source(c), { "f.csv": text(c) });
    const utf16 = await load(source(c), { "f.csv": Buffer.from(`\ufeff${text(c)}`, "utf16le") });
    expect(utf16).toEqual(utf8);
  });
});
