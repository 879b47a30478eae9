import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJsonText } from "../src/core/report.ts";
import { loadWorkspace } from "../src/workspace/load.ts";

// examples/formats reconciles from vendors' exports as downloaded (an M365 export, a Partner Center
// file, a NinjaOne export, a SentinelOne agent list, a mapped RMM and PSA export), none edited.

const DIR = resolve(import.meta.dirname, "..", "examples", "formats");

describe("the vendor formats example", () => {
  it("reads every file with no error, one warning, and gives its reviewed report, byte for byte", async () => {
    const loaded = await loadWorkspace(DIR, { today: "2026-11-25" });
    // Its Microsoft licences come from an invoice file only (issue 11): a warning, not an error.
    expect(loaded.issues.map((i) => `${i.severity} ${i.field}: ${i.message.slice(0, 70)}`)).toEqual([
      "warning sources[2]: a Partner Center invoice file is the only licence source of microsoft ",
    ]);
    if (!loaded.input) throw new Error("not loaded");
    const report = reportToJsonText(reconcile(loaded.input));
    expect(report).toBe(await readFile(join(DIR, "expected.json"), "utf8"));
  });

  it("reads the exports in the encodings and separators they were saved in", async () => {
    const head = async (file: string, n: number) => [
      ...(await readFile(join(DIR, "data", file))).subarray(0, n),
    ];
    expect(await head("alderfinch-users.csv", 3)).toEqual([0xef, 0xbb, 0xbf]);
    expect(await head("sentinelone-endpoints.txt", 2)).toEqual([0xff, 0xfe]);
    const ninja = await readFile(join(DIR, "data", "ninjaone-devices.csv"));
    expect(ninja.includes(Buffer.from("Röntgen", "latin1"))).toBe(true);
    expect(ninja.subarray(0, 40).toString("latin1")).toContain(";");
  });
});
