import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { money } from "../core/money.ts";
import {
  billing,
  build,
  bundle,
  bundlePlan,
  client,
  device,
  licence,
  type Spec,
  service,
  servicePlan,
  sku,
  user,
} from "../core/testing.ts";
import { loadOrThrow } from "../workspace/load.ts";
import { type ClientMargin, margin } from "./margin.ts";
import { marginToCsv, marginToJson, marginToTable } from "./render.ts";

// docs/margin.md, figure by figure: revenue from the PSA lines, cost from the distributor's rows
// (else the catalogue), each service's cost shared by the subjects that require it.

const m365 = service("m365", {
  unit: "user",
  cost: "22.00",
  price: "26.40",
  vendorSkus: [sku("pax8", "BP")],
});
const edr = service("edr", { unit: "device", cost: "4.50", price: "9.00", vendorSkus: [sku("pax8", "S1")] });
const dom = service("dom", { unit: "device", cost: "1.50", price: "4.00", psaProduct: "DOM" });
const gold = bundle("gold", { price: "165.00", psaProduct: "GOLD-U", includes: ["m365", "edr"] });
const srv = bundle("srv", {
  per: "device",
  deviceTypes: ["server"],
  price: "150.00",
  psaProduct: "SRV",
  includes: ["edr"],
});

const twoUsers = [user("ann@acme.com"), user("bob@acme.com")];
const devices = [device("PC1"), device("PC2"), device("SRV1", { type: "server" })];

function acme(extra: Partial<Spec> = {}): ClientMargin {
  const spec: Spec = {
    services: [m365, edr, dom],
    bundles: [gold, srv],
    plans: [bundlePlan("gold"), bundlePlan("srv")],
    users: twoUsers,
    devices,
    billing: [billing("GOLD-U", 2, "165.00"), billing("SRV", 1, "150.00")],
    ...extra,
  };
  const c = margin(build(spec)).clients[0];
  if (!c) throw new Error("no client");
  return c;
}

const fixed = (m: { toFixed(n: number): string } | null | undefined) => (m ? m.toFixed(2) : null);
const subject = (c: ClientMargin, s: string) => c.subjects.find((x) => x.subject === s);

describe("cost", () => {
  it("a service with no licence row costs its required quantity at the catalogue's cost", () => {
    const c = acme();
    expect(c.services.map((s) => [s.service, s.basis, fixed(s.cost)])).toEqual([
      ["m365", "catalogue", "44.00"],
      ["edr", "catalogue", "13.50"],
    ]);
  });

  it("where a licence row gives a unit cost, the purchased quantity at that cost, surplus included", () => {
    const c = acme({ licences: [licence("pax8", "BP", 3, { unitCost: "26.40" })] });
    const m = c.services.find((s) => s.service === "m365");
    expect([m?.basis, m?.purchased, fixed(m?.cost)]).toEqual(["distributor", 3, "79.20"]);
    // The surplus seat is Gold's cost: Gold's two users carry the three seats bought for them.
    expect(fixed(subject(c, "bundle:gold")?.perUnit?.cost)).toBe(fixed(money("79.20").plus(9).dividedBy(2)));
  });

  it("a row without a unit cost beside one with it counts at the catalogue's cost", () => {
    const c = acme({
      licences: [licence("pax8", "BP", 1, { unitCost: "20.00" }), licence("pax8", "BP", 1)],
    });
    expect(fixed(c.services.find((s) => s.service === "m365")?.cost)).toBe("42.00");
  });

  it("a client-paid service costs the MSP nothing", () => {
    const spec = { clients: [client("acme", [bundlePlan("gold")], { clientPaid: ["m365"] })] };
    const c = acme({ ...spec, licences: [licence("pax8", "BP", 2, { unitCost: "22.00" })] });
    const m = c.services.find((s) => s.service === "m365");
    expect([m?.basis, fixed(m?.cost)]).toEqual(["client-paid", "0.00"]);
  });

  it("a service two subjects require is shared in proportion to the quantity each brings", () => {
    const c = acme({ licences: [licence("pax8", "S1", 3, { unitCost: "4.00" })] });
    expect(subject(c, "bundle:gold")?.components).toEqual([
      { service: "m365", quantity: 2, cost: money("44") },
      { service: "edr", quantity: 2, cost: money("8") },
    ]);
    expect(subject(c, "bundle:srv")?.components).toEqual([{ service: "edr", quantity: 1, cost: money("4") }]);
  });

  it("licences bought that no plan requires are the client's cost, carried by no subject", () => {
    const c = acme({ plans: [], billing: [], licences: [licence("pax8", "BP", 2, { unitCost: "22.00" })] });
    expect(c.subjects).toEqual([]);
    expect([fixed(c.cost), fixed(c.services[0]?.unallocated)]).toEqual(["44.00", "44.00"]);
  });
});

describe("revenue and margin", () => {
  it("revenue is each PSA line's quantity x its own unit price, not the contract's", () => {
    const c = acme({ billing: [billing("GOLD-U", 2, "155.00"), billing("GOLD-U", 1, "165.00")] });
    const g = subject(c, "bundle:gold");
    expect([g?.billed, g?.units, fixed(g?.revenue)]).toEqual([3, 2, "475.00"]);
  });

  it("per unit divides by the users a bundle really serves, not by a minimum billed", () => {
    const c = acme({
      plans: [bundlePlan("gold", { minimum: 4 })],
      billing: [billing("GOLD-U", 4, "165.00")],
    });
    const g = subject(c, "bundle:gold");
    expect([g?.units, fixed(g?.perUnit?.revenue), fixed(g?.perUnit?.cost)]).toEqual([2, "330.00", "26.50"]);
  });

  it("unmapped PSA lines and licence rows are listed apart and are in no margin", () => {
    const c = acme({
      billing: [billing("GOLD-U", 2, "165.00"), billing("PRINT", 1, "89.00")],
      licences: [licence("pax8", "PBI", 2, { unitCost: "10.00" })],
    });
    expect(c.unmapped.map((u) => [u.kind, u.subject, fixed(u.money)])).toEqual([
      ["licence", "sku:pax8:PBI", "20.00"],
      ["billing", "product:PRINT", "89.00"],
    ]);
    expect(fixed(c.revenue)).toBe("330.00");
  });

  it("rows of an unknown account count only in the report's unmapped money", () => {
    const account = { system: "psa", value: "999" };
    const m = margin(build({ billing: [billing("GOLD-U", 1, "165.00", { account })] }));
    expect([fixed(m.revenue), fixed(m.unmapped.revenue), m.unmapped.rows[0]?.subject]).toEqual([
      "0.00",
      "165.00",
      "account:psa:999",
    ]);
  });

  it("a former client's money shows, but it is never flagged against the target", () => {
    const spec = build({
      rules: { targetMargin: money("0.5") },
      services: [m365],
      bundles: [gold],
      clients: [client("acme", [bundlePlan("gold")], { ended: "2026-09-01" })],
      users: twoUsers,
      licences: [licence("pax8", "BP", 2, { unitCost: "22.00" })],
    });
    const m = margin(spec);
    expect([m.clients[0]?.former, fixed(m.clients[0]?.cost), m.clients[0]?.belowTarget]).toEqual([
      true,
      "44.00",
      false,
    ]);
    expect(m.belowTarget).toEqual([]);
  });
});

describe("target margin", () => {
  it("flags clients and bundles below the target, largest shortfall first", () => {
    const input = build({
      rules: { targetMargin: money("0.8") },
      services: [m365, edr, dom],
      bundles: [gold, srv],
      plans: [bundlePlan("gold"), bundlePlan("srv"), servicePlan("dom", { quantity: 1 })],
      users: twoUsers,
      devices,
      billing: [billing("GOLD-U", 2, "165.00"), billing("SRV", 1, "10.00"), billing("DOM", 1, "4.00")],
    });
    const m = margin(input);
    // Gold 330.00 - 53.00 = 83.9 %; srv 10.00 - 4.50 = 55.0 % (short 8.00 - 5.50); client 82.8 %.
    expect(m.belowTarget.map((f) => [f.kind, f.name, fixed(f.shortfall)])).toEqual([
      ["client-bundle", "acme: srv", "2.50"],
      ["bundle", "srv", "2.50"],
    ]);
    expect(marginToTable(m)).toContain("acme: srv: 55.0 %, 2.50 a month short of the target");
  });
});

it("every subject's cost and every unallocated cost add up to the client's cost", () => {
  fc.assert(
    fc.property(fc.nat(5), fc.nat(6), fc.nat(4), fc.nat(9), (nUsers, nPcs, nSrv, bought) => {
      const users = Array.from({ length: nUsers }, (_, i) => user(`u${i}@acme.com`));
      const devs = [
        ...Array.from({ length: nPcs }, (_, i) => device(`PC${i}`)),
        ...Array.from({ length: nSrv }, (_, i) => device(`S${i}`, { type: "server" })),
      ];
      const c = acme({
        users,
        devices: devs,
        licences: [licence("pax8", "S1", bought, { unitCost: "4.50" })],
      });
      const carried = c.subjects.reduce((t, s) => t.plus(s.cost), money("0"));
      const left = c.services.reduce((t, s) => t.plus(s.unallocated), money("0"));
      return carried.plus(left).equals(c.cost);
    }),
  );
});

describe("the demo", () => {
  it("pins every figure: per client, subject and unit, the totals, the flags and the unmapped rows", async () => {
    const { input } = await loadOrThrow("examples/demo", { today: "2026-11-01" });
    const m = margin(input);
    const json = marginToJson(m);
    expect(json.totals).toEqual({
      revenue: "21611.50",
      cost: "4063.20",
      margin: "17548.30",
      marginPct: "81.2",
    });
    expect(json.targetMargin).toBe("78.0");
    expect(json.belowTarget.map((f) => `${f.name} ${f.marginPct} ${f.shortfall}`)).toEqual([
      "Harbor Dental Group: Gold (per user) 74.5 51.30",
      "Harbor Dental Group 75.9 35.80",
      "Server care (per device) 76.3 23.50",
      "Birchwood Legal LLP: Server care (per device) 73.7 13.00",
      "Cobalt Freight & Logistics: Server care (per device) 73.7 13.00",
      "Evergreen Family Clinic: Server care (per device) 73.7 6.50",
      "Harbor Dental Group: Server care (per device) 73.7 6.50",
    ]);
    expect(json.unmapped).toEqual({
      revenue: "89.00",
      cost: "20.00",
      rows: [
        { kind: "licence", subject: "sku:pax8:MST-PBI-PRO-NCE-M", ref: "data/pax8.csv:15", money: "20.00" },
        { kind: "billing", subject: "product:PRINT-MGD", ref: "data/psa.csv:25", money: "89.00" },
      ],
    });
    expect(json.bundles.map((b) => `${b.bundle} ${b.units} ${b.revenue} ${b.cost} ${b.marginPct}`)).toEqual([
      "bronze-device 26 1540.00 195.00 87.3",
      "frontline 34 1400.00 304.00 78.3",
      "gold-user 83 14050.00 2666.00 81.0",
      "server 9 1350.00 320.50 76.3",
      "silver-user 23 2365.00 455.50 80.7",
    ]);
    expect(marginToCsv(m).replace(/\r\n/g, "\n")).toBe(DEMO_CSV);
  });
});

const DEMO_CSV = `client,clientName,former,subject,name,billed,units,revenue,cost,margin,marginPct,unitRevenue,unitCost,unitMargin,belowTarget
birchwood,Birchwood Legal LLP,false,bundle:gold-user,Gold (per user),20,20,3300.00,605.00,2695.00,81.7,165.00,30.25,134.75,false
birchwood,Birchwood Legal LLP,false,bundle:server,Server care (per device),2,2,300.00,79.00,221.00,73.7,150.00,39.50,110.50,true
birchwood,Birchwood Legal LLP,false,service:archiving,Email archiving (10-year retention),20,20,70.00,22.00,48.00,68.6,3.50,1.10,2.40,false
birchwood,Birchwood Legal LLP,false,service:domain-hosting,Domain and DNS hosting,2,2,8.00,3.00,5.00,62.5,4.00,1.50,2.50,false
birchwood,Birchwood Legal LLP,false,total,,,,3678.00,709.00,2969.00,80.7,,,,false
cobalt,Cobalt Freight & Logistics,false,bundle:frontline,Frontline (per user),40,34,1400.00,304.00,1096.00,78.3,41.18,8.94,32.24,false
cobalt,Cobalt Freight & Logistics,false,bundle:gold-user,Gold (per user),14,14,2170.00,458.00,1712.00,78.9,155.00,32.71,122.29,false
cobalt,Cobalt Freight & Logistics,false,bundle:server,Server care (per device),2,2,300.00,79.00,221.00,73.7,150.00,39.50,110.50,true
cobalt,Cobalt Freight & Logistics,false,total,,,,3870.00,841.00,3029.00,78.3,,,,false
delta,Delta Architects,false,bundle:silver-user,Silver (per user),15,15,1485.00,277.50,1207.50,81.3,99.00,18.50,80.50,false
delta,Delta Architects,false,total,,,,1485.00,277.50,1207.50,81.3,,,,false
evergreen,Evergreen Family Clinic,false,bundle:bronze-device,Bronze (per device),28,26,1540.00,195.00,1345.00,87.3,59.23,7.50,51.73,false
evergreen,Evergreen Family Clinic,false,bundle:server,Server care (per device),1,1,150.00,39.50,110.50,73.7,150.00,39.50,110.50,true
evergreen,Evergreen Family Clinic,false,service:domain-hosting,Domain and DNS hosting,1,1,4.00,1.50,2.50,62.5,4.00,1.50,2.50,false
evergreen,Evergreen Family Clinic,false,total,,,,1694.00,236.00,1458.00,86.1,,,,false
foxglove,Foxglove Bakery Co.,false,bundle:silver-user,Silver (per user),8,8,880.00,178.00,702.00,79.8,110.00,22.25,87.75,false
foxglove,Foxglove Bakery Co.,false,total,,,,880.00,178.00,702.00,79.8,,,,false
granite,Granite Ridge Construction,false,bundle:gold-user,Gold (per user),28,28,4620.00,856.00,3764.00,81.5,165.00,30.57,134.43,false
granite,Granite Ridge Construction,false,bundle:server,Server care (per device),3,3,450.00,83.50,366.50,81.4,150.00,27.83,122.17,false
granite,Granite Ridge Construction,false,service:domain-hosting,Domain and DNS hosting,3,5,12.00,7.50,4.50,37.5,2.40,1.50,0.90,false
granite,Granite Ridge Construction,false,total,,,,5082.00,947.00,4135.00,81.4,,,,false
harbor,Harbor Dental Group,false,bundle:gold-user,Gold (per user),9,9,1485.00,378.00,1107.00,74.5,165.00,42.00,123.00,true
harbor,Harbor Dental Group,false,bundle:server,Server care (per device),1,1,150.00,39.50,110.50,73.7,150.00,39.50,110.50,true
harbor,Harbor Dental Group,false,service:device-addon,Additional managed device,4,6,100.00,0.00,100.00,100.0,16.67,0.00,16.67,false
harbor,Harbor Dental Group,false,total,,,,1735.00,417.50,1317.50,75.9,,,,true
hollis,Hollis & Park Accountants,false,bundle:gold-user,Gold (per user),15,12,2475.00,369.00,2106.00,85.1,206.25,30.75,175.50,false
hollis,Hollis & Park Accountants,false,service:archiving,Email archiving (10-year retention),15,12,52.50,13.20,39.30,74.9,4.38,1.10,3.28,false
hollis,Hollis & Park Accountants,false,total,,,,2527.50,382.20,2145.30,84.9,,,,false
ivy,Ivy Lane Florists,true,bundle:silver-user,Silver (per user),6,0,660.00,0.00,660.00,100.0,,,,false
ivy,Ivy Lane Florists,true,total,,,,660.00,75.00,585.00,88.6,,,,false
`;
