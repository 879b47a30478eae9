import { describe, expect, it } from "vitest";
import { checkConfig } from "../src/workspace/load.ts";
import { CATALOGUE, load, ownerText } from "./format-harness.ts";

// Contract 2's new inputs (spec 2, 3): users' groups and lastActive, licences' commitmentEnd (in the
// trueup format and the vendor files that know a term end), and trueup.yaml's new keys, each bad
// value an error naming file, line and column (or the YAML path).

const USERS = "  - { kind: users, format: trueup-users, file: users.csv }\n";
const LICENCES = "  - { kind: licences, format: trueup-licences, file: lic.csv, vendor: pax8 }\n";
const PAX8 = "  - { kind: licences, format: pax8-subscriptions, file: pax8.csv, vendor: pax8 }\n";
const PC = "  - { kind: licences, format: partner-center-reconciliation, file: pc.csv, vendor: microsoft }\n";

describe("trueup-users: groups and lastActive (3)", () => {
  it("reads groups separated by ; and lastActive as a UTC instant; both optional", async () => {
    const text =
      "account,upn,enabled,licences,groups,lastActive\n" +
      "contoso.onmicrosoft.com,ann@c.com,true,SPB,Warehouse; Kiosk staff,2026-10-02\n" +
      "contoso.onmicrosoft.com,bob@c.com,true,SPB,,\n";
    const { rows, issues } = await load(USERS, { "users.csv": text });
    expect(issues).toEqual([]);
    expect(rows.users.map((u) => [u.upn, u.groups, u.lastActive])).toEqual([
      ["ann@c.com", ["Warehouse", "Kiosk staff"], "2026-10-02T00:00:00.000Z"],
      ["bob@c.com", undefined, undefined],
    ]);
  });

  it("a lastActive that is no date is an error naming file, line and column", async () => {
    const text = "account,upn,enabled,lastActive\ncontoso.onmicrosoft.com,ann@c.com,true,last week\n";
    const { issues } = await load(USERS, { "users.csv": text });
    expect(issues).toEqual([
      'users.csv:2: lastActive: expected an ISO date such as 2026-11-01 or 2026-11-01T08:30:00Z, got "last week"',
    ]);
  });
});

describe("commitmentEnd (3)", () => {
  it("trueup-licences reads commitmentEnd and unitCost", async () => {
    const text =
      "account,sku,quantity,unitCost,commitmentEnd\nc0c0-0001,S1-CMPL-M,3,4.50,2027-01-31\nc0c0-0001,X,1,,\n";
    const { rows, issues } = await load(LICENCES, { "lic.csv": text });
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => [l.sku, l.unitCost?.toFixed(2), l.commitmentEnd])).toEqual([
      ["S1-CMPL-M", "4.50", "2027-01-31"],
      ["X", undefined, undefined],
    ]);
  });

  it("a commitmentEnd that is no date is an error naming file, line and column", async () => {
    const text = "account,sku,quantity,commitmentEnd\nc0c0-0001,S1-CMPL-M,3,soon\n";
    const { issues } = await load(LICENCES, { "lic.csv": text });
    expect(issues).toEqual([
      'lic.csv:2: commitmentEnd: expected an ISO date such as 2026-11-01 or 2026-11-01T08:30:00Z, got "soon"',
    ]);
  });

  it("pax8-subscriptions takes the commitment term's end date", async () => {
    const text =
      "Company Id,SKU,Quantity,Status,Commitment End Date\n" +
      "c0c0-0001,S1-CMPL-M,3,Active,2027-06-30T00:00:00Z\nc0c0-0001,MST-BP,2,Active,\n";
    const { rows, issues } = await load(PAX8, { "pax8.csv": text });
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => [ownerText(l.owner), l.sku, l.commitmentEnd])).toEqual([
      ["contoso", "S1-CMPL-M", "2027-06-30"],
      ["contoso", "MST-BP", undefined],
    ]);
  });

  it("partner-center-reconciliation takes SubscriptionEndDate, written as Microsoft writes dates", async () => {
    const text =
      "CustomerDomainName,SkuName,ChargeType,BillableQuantity,SubscriptionEndDate\n" +
      "contoso.onmicrosoft.com,Microsoft 365 Business Premium,cycleCharge,4,9/30/2027\n" +
      "contoso.onmicrosoft.com,Microsoft 365 Business Basic,cycleCharge,1,not a date\n";
    const { rows, issues } = await load(PC, { "pc.csv": text });
    expect(rows.licences.map((l) => [l.sku, l.commitmentEnd])).toEqual([["SPB", "2027-09-30"]]);
    expect(issues).toEqual([
      'pc.csv:3: SubscriptionEndDate: expected the date the term ends, such as 2027-01-31, got "not a date"',
    ]);
  });
});

describe("commitment term lengths (renewal windows, docs/renewals.md)", () => {
  it("pax8-subscriptions reads commitmentTerm.term; partner-center-reconciliation reads TermAndBillingCycle", async () => {
    const pax8 =
      "Company Id,SKU,Quantity,Status,Commitment End Date,Commitment Term\n" +
      "c0c0-0001,S1-CMPL-M,3,Active,2027-06-30,1-Year\nc0c0-0001,MST-BP,2,Active,2026-11-30,Monthly\n" +
      "c0c0-0001,MST-BS,2,Active,2026-11-30,Trial\n";
    const p = await load(PAX8, { "pax8.csv": pax8 });
    expect(p.issues).toEqual([]);
    expect(p.rows.licences.map((l) => [l.sku, l.commitmentTermMonths])).toEqual([
      ["S1-CMPL-M", 12],
      ["MST-BP", 1],
      // A term not understood is left unknown, never guessed.
      ["MST-BS", undefined],
    ]);
    const pc =
      "CustomerDomainName,SkuName,ChargeType,BillableQuantity,SubscriptionEndDate,TermAndBillingCycle\n" +
      'contoso.onmicrosoft.com,Microsoft 365 Business Premium,cycleCharge,4,9/30/2027,"One-Year commitment for monthly/yearly billing"\n' +
      'contoso.onmicrosoft.com,Microsoft 365 Business Basic,cycleCharge,1,11/30/2026,"Monthly term, Monthly billing"\n';
    const m = await load(PC, { "pc.csv": pc });
    expect(m.issues).toEqual([]);
    expect(m.rows.licences.map((l) => [l.sku, l.commitmentEnd, l.commitmentTermMonths])).toEqual([
      ["SPB", "2027-09-30", 12],
      ["O365_BUSINESS_ESSENTIALS", "2026-11-30", 1],
    ]);
  });
});

describe("trueup.yaml: contract 2's keys (2)", () => {
  const issuesOf = (yaml: string) =>
    checkConfig(`${CATALOGUE}${yaml}`).issues.map((i) => `${i.line}: ${i.field}: ${i.message}`);

  it("reads ids lists, clientPaid, ended, group filters and inactiveUserDays", () => {
    const { config, issues } = checkConfig(`${CATALOGUE}rules: { inactiveUserDays: 90 }
clients:
  - id: acme
    name: Acme
    ended: 2026-10-01
    clientPaid: [m365]
    ids: { psa: ["19300", "19301"], microsoft: acme.onmicrosoft.com }
    plans: [{ bundle: gold, users: { groupsAny: [Warehouse], excludeGroups: [Contractors] } }]
`);
    expect(issues).toEqual([]);
    const acme = config?.clients[0];
    expect(acme).toMatchObject({
      ended: "2026-10-01",
      clientPaid: ["m365"],
      ids: { psa: ["19300", "19301"], microsoft: "acme.onmicrosoft.com" },
      plans: [{ kind: "bundle", bundle: "gold", groupsAny: ["Warehouse"], excludeGroups: ["Contractors"] }],
    });
    expect(config?.rules.inactiveUserDays).toBe(90);
  });

  it("an id in two clients' lists, an unknown clientPaid service and a bad ended are errors at their path", () => {
    const issues = issuesOf(`clients:
  - { id: a, name: A, ids: { psa: ["1", "2"] }, clientPaid: [nope], ended: 2026-13-01 }
  - { id: b, name: B, ids: { psa: ["3", "2"] } }
`);
    expect(issues).toContain(`15: clients[1].ids.psa[1]: psa id "2" is also client a's`);
    expect(issues.some((i) => i.includes('clients[0].clientPaid[0]: unknown service "nope"'))).toBe(true);
    expect(issues).toContain('14: clients[0].ended: expected a date as YYYY-MM-DD, got "2026-13-01"');
  });

  it("a group filter on a per-device bundle is an error", () => {
    // CATALOGUE ends with its bundles list: one more item joins it.
    const issues =
      issuesOf(`  - { id: srv, name: Srv, per: device, deviceTypes: [server], price: "1.00", includes: [] }
clients:
  - { id: a, name: A, plans: [{ bundle: srv, users: { groupsAny: [X] } }] }
`);
    expect(issues.some((i) => i.includes("a users filter applies to per: user bundles only"))).toBe(true);
  });
});
