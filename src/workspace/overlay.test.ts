import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { money } from "../core/money.ts";
import { upliftPrice } from "../core/uplift.ts";
import { applyOverlay } from "./overlay.ts";
import { YamlFile } from "./yaml.ts";

// A what-if change is a YAML overlay of trueup.yaml (docs/margin.md "What-if").

const base = new YamlFile("trueup.yaml", readFileSync("examples/demo/trueup.yaml", "utf8")).value;
const over = (text: string) => applyOverlay(base, "change.yaml", text);
const errors = (text: string) => over(text).issues.filter((i) => i.severity === "error");

describe("merging", () => {
  it("an item with an existing id changes only the fields it gives", () => {
    const { config } = over("bundles:\n  - id: gold-user\n    price: '175.00'\n");
    const gold = config?.bundles.find((b) => b.id === "gold-user");
    expect([gold?.price.toFixed(2), gold?.includes.length, gold?.psaProduct]).toEqual([
      "175.00",
      3,
      "GOLD-U",
    ]);
  });

  it("a list inside an item (a bundle's includes, a client's plans) is replaced whole", () => {
    const { config } = over("bundles:\n  - id: silver-user\n    includes: [{ service: m365-bs }]\n");
    expect(config?.bundles.find((b) => b.id === "silver-user")?.includes).toEqual([{ service: "m365-bs" }]);
  });

  it("a new id is added; remove: true takes an item out", () => {
    const text =
      "services:\n  - { id: soc, unit: user, cost: '2.00', price: '5.00' }\n  - { id: domain-hosting, remove: true }\n" +
      "clients:\n  - { id: birchwood, plans: [{ bundle: gold-user }] }\n  - { id: evergreen, plans: [{ bundle: bronze-device }] }\n" +
      "  - { id: granite, plans: [{ bundle: gold-user }] }\n";
    const { config, issues } = over(text);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(config?.services.map((s) => s.id)).toContain("soc");
    expect(config?.services.map((s) => s.id)).not.toContain("domain-hosting");
  });

  it("rules merge key by key", () => {
    const { config } = over("rules:\n  targetMargin: 0.8\n");
    expect([config?.rules.targetMargin?.toString(), config?.rules.staleDeviceDays]).toEqual(["0.8", 30]);
  });
});

describe("what a change cannot do", () => {
  it("sources, a client's ids and removing a client are refused, each at its line in the change", () => {
    const text =
      "sources: []\nclients:\n  - id: delta\n    ids: { psa: '1' }\n  - id: foxglove\n    remove: true\n";
    expect(errors(text).map((i) => [i.file, i.line, i.field])).toEqual([
      ["change.yaml", 1, "sources"],
      ["change.yaml", 4, "clients[0].ids"],
      ["change.yaml", 6, "clients[1].remove"],
    ]);
  });

  it("a change that breaks the catalogue says so with the YAML path, in the change's name", () => {
    const e = errors("services:\n  - { id: domain-hosting, remove: true }\n");
    expect(e[0]?.file).toBe("change.yaml");
    expect(e[0]?.message).toContain("domain-hosting");
    expect(e[0]?.message).toContain("with the change laid over it");
  });
});

describe("uplift", () => {
  it("raises a price by the percentage, to the cent, by no more than the cap per unit", () => {
    const u = { percent: money("5"), capAmount: money("8.00"), exclude: [] };
    expect(upliftPrice(money("26.40"), u).toFixed(2)).toBe("27.72");
    expect(upliftPrice(money("165.00"), u).toFixed(2)).toBe("173.00");
    expect(upliftPrice(money("165.00"), { ...u, capAmount: undefined }).toFixed(2)).toBe("173.25");
    // cap is a percentage, as on a client's contract (docs/pricing.md): the lower one applies
    expect(
      upliftPrice(money("165.00"), { percent: money("5"), cap: money("3"), exclude: [] }).toFixed(2),
    ).toBe("169.95");
  });

  it("applies to the catalogue and the plans' own prices, except the services and bundles excluded", () => {
    const { config } = over("uplift: { percent: 10, capAmount: '12.00', exclude: [m365-bp, server] }\n");
    const price = (id: string) =>
      (config?.services.find((s) => s.id === id) ?? config?.bundles.find((b) => b.id === id))?.price.toFixed(
        2,
      );
    expect([price("gold-user"), price("m365-bp"), price("server"), price("edr")]).toEqual([
      "177.00",
      "26.40",
      "150.00",
      "9.90",
    ]);
    const delta = config?.clients.find((c) => c.id === "delta")?.plans[0];
    expect(delta?.price?.toFixed(2)).toBe("108.90");
  });
});

describe("rules.targetMargin in trueup.yaml", () => {
  it("is a fraction below 1, read exactly; 1 or more is an error at its path", () => {
    expect(over("rules: { targetMargin: '0.35' }\n").config?.rules.targetMargin?.toString()).toBe("0.35");
    expect(errors("rules: { targetMargin: 1.2 }\n").map((i) => [i.field, i.message])).toEqual([
      [
        "rules.targetMargin",
        'expected a fraction below 1 such as 0.35, got "1.2" (in trueup.yaml with the change laid over it)',
      ],
    ]);
  });
});
