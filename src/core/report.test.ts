import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { FINDING_TYPES } from "./findings.ts";
import { reconcile } from "./reconcile.ts";
import { buildReport, reportToJson, reportToJsonPieces, reportToJsonText } from "./report.ts";
import {
  agent,
  billing,
  build,
  bundle,
  bundlePlan,
  client,
  device,
  findingsOf,
  licence,
  run,
  type Spec,
  service,
  servicePlan,
  sku,
  summary,
  user,
} from "./testing.ts";
import type { ReconcileInput } from "./types.ts";

// Spec 5 and 6: one report with every finding type, its totals, its order and its JSON form.

// ajv is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv2020 = ajv2020.default;
const SCHEMA_FILE = resolve(import.meta.dirname, "../../../shared/spec/report.schema.json");
const stranger = { account: { system: "microsoft", value: "stranger.onmicrosoft.com" } };
const psa99999 = { account: { system: "psa", value: "99999" } };

/** Two clients and unmapped rows that, between them, raise all fourteen finding types. */
const everything: Spec = {
  services: [
    service("m365", {
      unit: "user",
      cost: "22.00",
      price: "26.40",
      psaProduct: "M365",
      vendorSkus: [sku("pax8", "MST-BP"), sku("microsoft", "SPB")],
    }),
    service("edr", {
      unit: "device",
      cost: "4.50",
      price: "9.00",
      psaProduct: "EDR-S1",
      vendorSkus: [sku("pax8", "S1")],
      deployment: "edr",
    }),
    service("addon", { unit: "device", cost: "0.00", price: "25.00", psaProduct: "DEV-ADD" }),
    service("arch", {
      unit: "user",
      cost: "1.10",
      price: "3.50",
      psaProduct: "ARCH",
      vendorSkus: [sku("pax8", "ARCH-1")],
    }),
  ],
  bundles: [
    bundle("gold", {
      price: "150.00",
      psaProduct: "GOLD-U",
      includes: ["m365", "edr"],
      devicesPerUser: 1,
      extraDevice: "addon",
    }),
    bundle("srv", {
      per: "device",
      deviceTypes: ["server"],
      price: "120.00",
      psaProduct: "SRV",
      includes: ["edr"],
    }),
  ],
  clients: [
    client("beta", [bundlePlan("gold", { price: "140.00" }), bundlePlan("srv")], { name: "Beta Inc" }),
    client("acme", [bundlePlan("gold", { licencesAny: ["SPB"] }), servicePlan("arch")], { name: "Acme Ltd" }),
  ],
  users: [
    user("ann@acme.com"),
    user("bob@acme.com"),
    user("x@acme.com", { licences: ["O365"] }),
    user("kiosk@acme.com", { licences: [] }),
    user("ned@acme.com", { enabled: false }),
    user("cat@beta.com", { client: "beta" }),
    user("who@stranger.com", { ...stranger, ref: "users.csv:40" }),
  ],
  devices: [
    device("PC1", { primaryUser: "ann@acme.com" }),
    device("PC2"),
    device("PC3"),
    device("OLD", { lastSeen: "2026-09-01" }),
    device("SRV1", { type: "server" }),
    device("S1", { type: "server", client: "beta" }),
  ],
  agents: [agent("edr", "PC1"), agent("edr", "ROGUE")],
  licences: [
    licence("pax8", "MST-BP", 1),
    licence("pax8", "ARCH-1", 5),
    licence("pax8", "S1", 3),
    licence("pax8", "MYSTERY", 1, { ref: "pax8.csv:9" }),
  ],
  billing: [
    billing("GOLD-U", 2, "145.00", { ref: "psa.csv:2" }),
    billing("ARCH", 4, "3.50"),
    billing("EDR-S1", 4, "0.00", { agreement: "Tracking" }),
    billing("FOO", 1, "1.00", { ref: "psa.csv:5" }),
    billing("GOLD-U", 1, "150.00", { client: "beta", ref: "psa.csv:6" }),
    billing("SRV", 2, "120.00", { client: "beta" }),
    billing("BAR", 3, "150.00", { ...psa99999, ref: "psa.csv:17" }),
  ],
};

describe("a report with every finding type (5, 6)", () => {
  const r = run(everything);

  it("raises each of the fourteen finding types", () => {
    const types = new Set(r.clients.flatMap((c) => c.findings.map((f) => f.type)));
    expect([...types].sort()).toEqual([...FINDING_TYPES].sort());
  });

  it("sorts clients by id, the pseudo-client _unmapped among them", () => {
    expect(r.clients.map((c) => [c.id, c.name])).toEqual([
      ["_unmapped", "Unmapped"],
      ["acme", "Acme Ltd"],
      ["beta", "Beta Inc"],
    ]);
  });

  it("sorts each client's findings by type, then subject", () => {
    expect(summary(r)).toEqual([
      "COVERAGE_GAP service:edr",
      "LICENCE_SHORTFALL service:m365",
      "LICENCE_SURPLUS service:arch",
      "ORPHAN_LICENCE service:m365",
      "OVER_BILLED service:arch",
      "PRICE_MISMATCH bundle:gold",
      "STALE_DEVICE device:OLD",
      "TRACKING_DRIFT service:edr",
      "UNCOVERED device:SRV1",
      "UNCOVERED user:x@acme.com",
      "UNDER_BILLED service:addon",
      "UNKNOWN_AGENT deployment:edr",
      "UNMAPPED_PRODUCT product:FOO",
      "UNMAPPED_SKU sku:pax8:MYSTERY",
    ]);
    expect(summary(r, "beta")).toEqual([
      "COVERAGE_GAP service:edr",
      "LICENCE_SHORTFALL service:edr",
      "LICENCE_SHORTFALL service:m365",
      "OVER_BILLED bundle:srv",
      "PRICE_MISMATCH bundle:gold",
    ]);
  });

  it("puts rows of unknown accounts under _unmapped, with the money on them, their products not looked up", () => {
    expect(findingsOf(r, undefined, "_unmapped")).toEqual([
      {
        type: "UNMAPPED_ACCOUNT",
        subject: "account:microsoft:stranger.onmicrosoft.com",
        expected: null,
        actual: null,
        monthlyImpact: "0.00",
        evidence: ["users.csv:40"],
      },
      {
        type: "UNMAPPED_ACCOUNT",
        subject: "account:psa:99999",
        expected: null,
        actual: null,
        monthlyImpact: "450.00",
        evidence: ["psa.csv:17"],
      },
    ]);
    expect(r.clients[0]).toMatchObject({
      counts: { billableUsers: 0, currentDevices: 0, staleDevices: 0 },
      lines: [],
    });
  });

  it("totals every kind of money, the coverage gaps and the findings", () => {
    // underBilled: addon 25.00 + acme's GOLD-U at 145 (5.00 x 2); overBilled: arch 3.50 + srv
    // 120.00 + beta's GOLD-U at 150 against 140 (10.00); waste: arch 2 x 1.10 (ned's m365 seat is
    // already in the m365 comparison: 0.00); shortfall: acme m365 22.00 + beta m365 22.00 + beta edr
    // 4.50; unmapped: psa 99999's 3 x 150.00 + FOO 1 x 1.00 + MYSTERY (no unit cost) 0.00.
    expect(r.totals).toEqual({
      underBilled: "35.00",
      overBilled: "133.50",
      licenceWaste: "2.20",
      licenceShortfall: "48.50",
      unmapped: "451.00",
      coverageGaps: 3,
      findings: 21,
    });
    expect(r.asOf).toBe("2026-11-01");
    expect(r.currency).toBe("USD");
  });

  it("validates against report.schema.json", () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object;
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    const valid = validate(JSON.parse(reportToJsonText(reconcile(build(everything)))));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema is not vacuous: money as a number, or a finding type it does not know, fails.
    const json = JSON.parse(reportToJsonText(reconcile(build(everything))));
    json.totals.underBilled = 35;
    expect(validate(json)).toBe(false);
    const other = JSON.parse(reportToJsonText(reconcile(build(everything))));
    other.clients[1].findings[0].type = "SOMETHING_ELSE";
    expect(validate(other)).toBe(false);
  });

  it("writes every amount of money as a string with exactly two places", () => {
    const amounts = [
      r.totals.underBilled,
      r.totals.overBilled,
      r.totals.licenceWaste,
      r.totals.licenceShortfall,
      ...r.clients.flatMap((c) => [
        ...c.findings.map((f) => f.monthlyImpact),
        ...c.lines.flatMap((l) => (l.price === null ? [] : [l.price])),
      ]),
    ];
    expect(amounts.length).toBeGreaterThan(30);
    for (const a of amounts) expect(a).toMatch(/^-?\d+\.\d{2}$/);
  });

  it("writes a client at a time the text JSON.stringify gives of the whole report", () => {
    const whole = (r: ReturnType<typeof reconcile>) => `${JSON.stringify(reportToJson(r), null, 2)}\n`;
    const r = reconcile(build(everything));
    // Names with a line break, quotes, a backslash and characters beyond ASCII are escaped or kept
    // inside their string, never indented.
    const odd = buildReport(r.asOf, r.currency, [
      ...r.clients.map((c, i) => ({ ...c, name: i === 0 ? 'Line\nbreak "quoted" \\ é 😀 \u2028' : c.name })),
    ]);
    const none = buildReport(r.asOf, r.currency, []);
    const one = buildReport(r.asOf, r.currency, r.clients.slice(0, 1));
    for (const report of [r, odd, none, one]) {
      expect(reportToJsonText(report)).toBe(whole(report));
      expect([...reportToJsonPieces(report)].length).toBe(
        report.clients.length + 2 - (report.clients.length === 0 ? 1 : 0),
      );
    }
    expect(reportToJsonText(odd)).toContain('"name": "Line\\nbreak \\"quoted\\" \\\\ é 😀');
  });

  it("gives byte-identical JSON for the same inputs in any row or client order", () => {
    const input = build(everything);
    const reversed: ReconcileInput = {
      ...input,
      clients: [...input.clients].reverse(),
      users: [...input.users].reverse(),
      devices: [...input.devices].reverse(),
      deploymentRows: [...input.deploymentRows].reverse(),
      licences: [...input.licences].reverse(),
      billing: [...input.billing].reverse(),
    };
    const text = reportToJsonText(reconcile(input));
    expect(reportToJsonText(reconcile(build(everything)))).toBe(text);
    expect(reportToJsonText(reconcile(reversed))).toBe(text);
  });
});
