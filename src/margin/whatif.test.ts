import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReconcileInput } from "../core/types.ts";
import { loadOrThrow } from "../workspace/load.ts";
import { applyOverlay } from "../workspace/overlay.ts";
import { YamlFile } from "../workspace/yaml.ts";
import { inputWith, whatIf } from "./whatif.ts";
import { type WhatIfJson, whatIfToJson, whatIfToTable } from "./whatif-render.ts";

// What-if on the demo (docs/margin.md "What-if"): before and after per client and in total, and the
// PSA lines the change alone would move.

let input: ReconcileInput;
const base = new YamlFile("trueup.yaml", readFileSync("examples/demo/trueup.yaml", "utf8")).value;

beforeAll(async () => {
  input = (await loadOrThrow("examples/demo", { today: "2026-11-01" })).input;
});

function run(change: string): WhatIfJson {
  const { config, issues } = applyOverlay(base, "change.yaml", change);
  if (!config) throw new Error(JSON.stringify(issues));
  return whatIfToJson(whatIf(input, inputWith(input, config)));
}

const lines = (w: WhatIfJson) =>
  w.lines.map(
    (l) =>
      `${l.client} ${l.product} ${l.from.quantity}x${l.from.unitPrice} -> ${l.to.quantity}x${l.to.unitPrice} ${l.monthly}`,
  );
const client = (w: WhatIfJson, id: string) => w.clients.find((c) => c.id === id);

describe("the demo", () => {
  it("raising Gold to 175.00 (whatif-gold.yaml) moves every Gold line, Cobalt's from its own 155.00", () => {
    const w = run(readFileSync("examples/demo/whatif-gold.yaml", "utf8"));
    expect(w.total.before).toEqual({
      revenue: "21611.50",
      cost: "4063.20",
      margin: "17548.30",
      marginPct: "81.2",
    });
    expect(w.total.after).toEqual({
      revenue: "22611.50",
      cost: "4063.20",
      margin: "18548.30",
      marginPct: "82.0",
    });
    expect(lines(w)).toEqual([
      "birchwood GOLD-U 20x165.00 -> 20x175.00 200.00",
      "cobalt GOLD-U 14x155.00 -> 14x175.00 280.00",
      "granite GOLD-U 28x165.00 -> 28x175.00 280.00",
      "harbor GOLD-U 9x165.00 -> 9x175.00 90.00",
      "hollis GOLD-U 15x165.00 -> 15x175.00 150.00",
    ]);
    // Harbor stays below the 78 % target even at 175.00.
    expect(client(w, "harbor")?.after.marginPct).toBe("77.1");
    expect(client(w, "delta")?.after).toEqual(client(w, "delta")?.before);
  });

  it("a client moved from per-user to per-device: its Silver line to 0, a new Bronze line for its devices", () => {
    const w = run("clients:\n  - { id: delta, plans: [{ bundle: bronze-device }] }\n");
    expect(lines(w)).toEqual([
      "delta BRONZE-D 0x0.00 -> 18x55.00 990.00",
      "delta SILVER-U 15x99.00 -> 0x99.00 -1485.00",
    ]);
    // Its Microsoft 365 seats are still bought, now required by no plan: cost 187.50 + 18 x 4.50 EDR.
    expect(client(w, "delta")?.after).toEqual({
      revenue: "990.00",
      cost: "331.50",
      margin: "658.50",
      marginPct: "66.5",
    });
  });

  it("a component added to a bundle changes its cost and no PSA line", () => {
    const w = run(
      "bundles:\n  - { id: silver-user, includes: [{ service: m365-bs }, { service: edr }, { service: archiving }] }\n",
    );
    expect(w.lines).toEqual([]);
    // Foxglove's 8 Silver users now need 8 archiving seats at the catalogue's 1.10.
    expect([client(w, "foxglove")?.before.cost, client(w, "foxglove")?.after.cost]).toEqual([
      "178.00",
      "186.80",
    ]);
  });

  it("an uplift with a cap and excluded services moves prices only, never the quantities billed today", () => {
    const w = run("uplift: { percent: 5, capAmount: '5.00', exclude: [server, archiving] }\n");
    const moved = lines(w);
    expect(moved).toContain("evergreen BRONZE-D 28x55.00 -> 28x57.75 77.00");
    expect(moved).toContain("granite GOLD-U 28x165.00 -> 28x170.00 140.00");
    expect(moved).toContain("harbor DEV-ADD 4x25.00 -> 4x26.25 5.00");
    expect(moved.some((l) => l.includes(" SRV ") || l.includes(" ARCH "))).toBe(false);
    // 570.00 Gold (capped at 5.00) + 70.00 Frontline + 114.25 Silver + 77.00 Bronze + 1.20 domains + 5.00 devices.
    expect(w.total.after.revenue).toBe("22448.95");
  });
});

describe("changes that move nothing or only cost", () => {
  it("a change that restates the catalogue moves no line and no figure", () => {
    const w = run("bundles:\n  - { id: gold-user, price: '165.00' }\nrules: { staleDeviceDays: 30 }\n");
    expect(w.lines).toEqual([]);
    for (const c of w.clients) expect(c.after).toEqual(c.before);
  });

  it("a component removed changes no PSA line, and its seats still bought stay a cost, carried by no bundle", () => {
    const w = run("bundles:\n  - { id: silver-user, includes: [{ service: m365-bs }] }\n");
    expect(w.lines).toEqual([]);
    expect(client(w, "foxglove")?.after).toEqual(client(w, "foxglove")?.before);
  });
});

it("the table names the lines and their monthly difference", () => {
  const { config } = applyOverlay(base, "c.yaml", "bundles:\n  - { id: frontline, price: '30.00' }\n");
  if (!config) throw new Error("no config");
  const text = whatIfToTable(whatIf(input, inputWith(input, config)));
  expect(text).toContain(
    "Cobalt Freight & Logistics: FRONT-U 40 x 35.00 -> 40 x 30.00 (-200.00 a month; data/psa.csv:7)",
  );
});
