import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { skuTable } from "../scripts/microsoft-skus.ts";
import { reconcile } from "../src/core/reconcile.ts";
import table from "../src/formats/microsoft-skus.json" with { type: "json" };
import { configToYaml } from "../src/store/config-items.ts";
import { checkConfig, loadWorkspace } from "../src/workspace/load.ts";
import { runBinary, writeWorkspace } from "./cli-harness.ts";
import { cleanup, repoRoot, tempDir } from "./fixtures.ts";

afterAll(cleanup);

import { load, ownerText } from "./format-harness.ts";

// Issue 11: exports as vendors' tools really write them (test/fixtures/formats/real/, each file's
// source in test/fixtures/formats/SOURCES.md): day-first dates, Azure lines and mid-term seat adds in
// Partner Center, current Microsoft product names, soft-deleted users, the older M365 layout and
// Datto RMM through PowerShell's Export-Csv.

const real = (name: string) => readFileSync(join(repoRoot, "test", "fixtures", "formats", "real", name));

const NINJA = "  - { kind: devices, format: ninjaone-devices, file: ninja.csv }\n";
const DATTO = "  - { kind: devices, format: datto-rmm-devices, file: datto.csv }\n";
const PC = "  - { kind: licences, format: partner-center-reconciliation, file: pc.csv, vendor: microsoft }\n";
const M365 = "  - { kind: users, format: m365-users-export, file: users.csv, client: contoso }\n";

describe("day-first dates (1)", () => {
  it("a file whose dates settle the order is read day-first with no setting, rows before the settling one too", async () => {
    const { rows, issues, summaries } = await load(NINJA, { "ninja.csv": real("ninjaone-en-gb.csv") });
    expect(issues).toEqual([]);
    expect(rows.devices.map((d) => [d.hostname, d.lastSeen])).toEqual([
      // 02/10/2026 reads both ways; 13/10/2026 on the next line settles it: 2 October.
      ["CON-WS01", "2026-10-02T09:14:55.000Z"],
      ["CON-LT02", "2026-10-13T17:02:11.000Z"],
      ["CON-SRV01", "2026-10-31T23:59:01.000Z"],
    ]);
    expect(summaries[0]?.dates).toBe('day-first, settled by "13/10/2026 17:02:11" at line 3');
  });

  it("a file whose every date reads both ways, with no order stated, is one error naming file, value and setting", async () => {
    const { rows, issues } = await load(NINJA, { "ninja.csv": real("ninjaone-en-au-early-month.csv") });
    expect(rows.devices).toEqual([]);
    expect(issues).toEqual([
      'ninja.csv:2: lastContact: "5/11/2026 8:30:00 am" reads both ways (month 5, day 11, or day 5, month 11) and no date in the file settles the order (3 rows like it): set dateFormat: DD/MM/YYYY (day-first) or MM/DD/YYYY (month-first) on sources[0], or dateFormat: at the top of trueup.yaml for every source',
    ]);
  });

  it("the source's dateFormat, else the workspace's, reads them; 12-hour am/pm times included", async () => {
    const files = { "ninja.csv": real("ninjaone-en-au-early-month.csv") };
    const own = await load(
      "  - { kind: devices, format: ninjaone-devices, file: ninja.csv, dateFormat: DD/MM/YYYY }\n",
      files,
    );
    expect(own.issues).toEqual([]);
    expect(own.rows.devices.map((d) => d.lastSeen)).toEqual([
      "2026-11-05T08:30:00.000Z",
      "2026-11-03T16:12:09.000Z",
      "2026-11-01T23:59:01.000Z",
    ]);
    expect(own.summaries[0]?.dates).toBe("day-first, set by sources[0].dateFormat");
    const workspace = await load(NINJA, files, `dateFormat: D/M/YYYY\n${CLIENTS_OF_HARNESS}`);
    expect(workspace.issues).toEqual([]);
    expect(workspace.rows.devices.map((d) => d.lastSeen)[0]).toBe("2026-11-05T08:30:00.000Z");
    const us = await load(NINJA, files, `dateFormat: MM/DD/YYYY\n${CLIENTS_OF_HARNESS}`);
    expect(us.rows.devices.map((d) => d.lastSeen)[0]).toBe("2026-05-11T08:30:00.000Z");
  });

  it("a date against the file's settled order is an error saying which order and why", async () => {
    const text =
      "systemName,organization,nodeClass,lastContact\nA,Contoso Ltd,MAC,13/10/2026\nB,Contoso Ltd,MAC,10/31/2026\n";
    const { issues } = await load(NINJA, { "ninja.csv": text });
    expect(issues).toEqual([
      'ninja.csv:3: lastContact: expected a date such as 2026-10-31T08:30:00Z, 10/31/2026 8:30 PM, 31/10/2026 20:30 or 1793436600, got "10/31/2026" (this file\'s dates are day-first, settled by "13/10/2026" at line 2)',
    ]);
  });

  it("a dateFormat that is no order is an error at its YAML path", async () => {
    const { issues } = await load(
      "  - { kind: devices, format: ninjaone-devices, file: ninja.csv, dateFormat: YYYY/DD }\n",
      { "ninja.csv": "systemName,organization,nodeClass,lastContact\n" },
    );
    expect(issues).toEqual([
      'trueup.yaml:23:77: sources[0].dateFormat: expected DD/MM/YYYY (day-first) or MM/DD/YYYY (month-first), got "YYYY/DD"',
    ]);
  });

  it("a mapped source of another tool reads day-first dates the same way", async () => {
    const source =
      "  - { kind: devices, file: rmm.csv, columns: { account: Customer, hostname: Device, type: Type, lastSeen: Seen } }\n";
    const text =
      "Customer,Device,Type,Seen\nContoso Ltd,A,workstation,01/11/2026 08:00\nContoso Ltd,B,laptop,29/10/2026 08:00\n";
    const { rows, issues } = await load(source, { "rmm.csv": text });
    expect(issues).toEqual([]);
    expect(rows.devices.map((d) => d.lastSeen)).toEqual([
      "2026-11-01T08:00:00.000Z",
      "2026-10-29T08:00:00.000Z",
    ]);
  });
});

// The harness's clients, for tests that put a workspace setting before them.
const CLIENTS_OF_HARNESS = `clients:
  - id: contoso
    name: Contoso
    ids: { microsoft: contoso.onmicrosoft.com, rmm: Contoso Ltd }
    plans: [{ bundle: gold }]
  - id: fabrikam
    name: Fabrikam
    ids: { rmm: 9f8e7d6c-0001 }
    plans: [{ bundle: gold }]
`;

describe("Partner Center: Azure usage (2) and a mid-term seat add (3)", () => {
  it("skips Azure usage lines, counted, and reads the latest recurring quantity, not it plus the add", async () => {
    const { rows, issues, summaries } = await load(PC, {
      "pc.csv": real("partner-center-azure-seat-add.csv"),
    });
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => [ownerText(l.owner), l.sku, l.quantity, l.ref])).toEqual([
      // November's cycleCharge gives the 12 seats in force; October's add of 2 is inside it.
      ["contoso", "SPB", 12, "pc.csv:2"],
      ["contoso", "M365_Copilot", 3, "pc.csv:4"],
    ]);
    expect(summaries[0]).toMatchObject({
      read: 2,
      skipped: { "Azure usage (not licences)": 2, "seat change already in a later recurring line": 1 },
      dates: "month-first, set by the partner-center-reconciliation format",
    });
  });

  it("an add made after the latest recurring line's charge started counts on top of it; a remove takes off", async () => {
    const head =
      "CustomerDomainName,SkuName,ChargeType,SubscriptionId,ChargeStartDate,Total,BillableQuantity\n";
    const text = `${head}contoso.onmicrosoft.com,SPB,cycleCharge,s1,10/1/2026,220,10\ncontoso.onmicrosoft.com,SPB,addQuantity,s1,10/9/2026,31.21,2\ncontoso.onmicrosoft.com,SPB,removeQuantity,s1,10/10/2026,-14.91,1\ncontoso.onmicrosoft.com,SPB,cycleCharge,s0,9/1/2026,220,7\ncontoso.onmicrosoft.com,SPB,cycleCharge,s0,10/1/2026,220,8\n`;
    const { rows, issues, summaries } = await load(PC, { "pc.csv": text });
    expect(issues).toEqual([]);
    expect(rows.licences.map((l) => l.quantity)).toEqual([10, 2, -1, 8]);
    expect(summaries[0]?.skipped).toEqual({ "superseded recurring line": 1 });
  });

  it("a usage line is skipped whatever its charge type, its fractional quantity no error", async () => {
    const text =
      "CustomerDomainName,SkuName,ChargeType,UnitType,BillableQuantity\ncontoso.onmicrosoft.com,Standard Data Transfer Out,New,1 GB,0.231565\n";
    const { rows, issues } = await load(PC, { "pc.csv": text });
    expect(issues).toEqual([]);
    expect(rows.licences).toEqual([]);
  });
});

describe("current Microsoft product names (4)", () => {
  it("reads current names and keeps older ones, in the M365 export and Partner Center", async () => {
    const { rows, issues } = await load(M365, { "users.csv": real("m365-users-current-names.csv") });
    expect(issues).toEqual([]);
    const licences = Object.fromEntries(rows.users.map((u) => [u.upn, u.licences]));
    expect(licences["ann@contoso.example"]).toEqual(["SPB", "M365_Copilot", "Microsoft_365_Copilot"]);
    expect(licences["bob@contoso.example"]).toEqual(["SPB", "POWERAPPS_PER_APP_NEW"]);
    // A name Microsoft gave after this release stays as written (UNMAPPED_SKU shows it)...
    expect(licences["cy@contoso.example"]).toEqual(["SPB", "Microsoft 365 Copilot Business"]);
    const older = await load(M365, {
      "users.csv":
        "User principal name,Licenses,Block credential\na@contoso.example,Microsoft Copilot for Microsoft 365+Power Apps per app plan (1 app or portal),False\n",
    });
    expect(older.rows.users[0]?.licences).toEqual([
      "M365_Copilot",
      "Microsoft_365_Copilot",
      "POWERAPPS_PER_APP_NEW",
    ]);
  });

  it("...until the workspace names it (skuNames:), for users and licence lines alike", async () => {
    const clients = `skuNames:\n  Microsoft 365 Copilot Business: Microsoft_365_Copilot\n${CLIENTS_OF_HARNESS}`;
    const users = await load(M365, { "users.csv": real("m365-users-current-names.csv") }, clients);
    expect(users.rows.users.find((u) => u.upn === "cy@contoso.example")?.licences).toEqual([
      "SPB",
      "Microsoft_365_Copilot",
    ]);
    const text =
      "CustomerDomainName,SkuName,ChargeType,BillableQuantity\ncontoso.onmicrosoft.com,microsoft 365 copilot business,cycleCharge,4\n";
    const pc = await load(PC, { "pc.csv": text }, clients);
    expect(pc.rows.licences.map((l) => [l.sku, l.quantity])).toEqual([["Microsoft_365_Copilot", 4]]);
  });

  it("the script rebuilds the table from a newer CSV, keeping every older name as an alias", () => {
    const rebuilt = skuTable(real("licensing-newer.csv").toString("utf8"), table as string[][], {});
    const entry = (guid: string) => rebuilt.find((e) => e[1] === guid);
    // Renamed in the newer CSV: the new name first, the name it had kept.
    expect(entry("078d2b04-f1bd-4111-bbd4-b4b1b354cef4")).toEqual([
      "AAD_PREMIUM",
      "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
      "Microsoft Entra ID P1 Plus",
      "Microsoft Entra ID P1",
    ]);
    expect(entry("639dec6b-bb19-468b-871c-c5c441c4b0cb")).toEqual([
      "Microsoft_365_Copilot",
      "639dec6b-bb19-468b-871c-c5c441c4b0cb",
      "Microsoft 365 Copilot",
      "Microsoft Copilot for Microsoft 365",
    ]);
    // SKUs the newer CSV leaves out are kept: old files still name them.
    expect(rebuilt).toHaveLength((table as string[][]).length);
  });
});

describe("M365 export: soft-deleted users (5) and the older layout (6)", () => {
  it("a user with a soft deletion time stamp is no user: not read, counted", async () => {
    const { rows, issues, summaries } = await load(M365, {
      "users.csv": real("m365-users-current-names.csv"),
    });
    expect(issues).toEqual([]);
    expect(rows.users.map((u) => u.upn)).toEqual([
      "ann@contoso.example",
      "bob@contoso.example",
      "cy@contoso.example",
      "reception@contoso.example",
    ]);
    expect(summaries[0]).toMatchObject({ read: 4, skipped: { "soft-deleted user": 2 } });
  });

  it("reads licences from License assignment details when Licenses is empty", async () => {
    const { rows, issues } = await load(M365, { "users.csv": real("m365-users-older-layout.csv") });
    expect(issues).toEqual([]);
    expect(rows.users.map((u) => [u.upn, u.enabled, u.licences])).toEqual([
      ["ann@contoso.example", true, ["SPB", "FLOW_FREE"]],
      ["bob@contoso.example", false, ["SPB"]],
      ["cy@contoso.example", true, ["O365_BUSINESS_ESSENTIALS", "SMB_BUSINESS_ESSENTIALS"]],
      ["reception@contoso.example", true, []],
    ]);
  });
});

describe("Datto RMM through PowerShell's Export-Csv (7)", () => {
  it("reads hashtable text of nested fields, skips devices with no category and deleted ones, counted", async () => {
    const { rows, issues, summaries } = await load(DATTO, { "datto.csv": real("datto-rmm-powershell.csv") });
    expect(issues).toEqual([]);
    expect(rows.devices.map((d) => [ownerText(d.owner), d.hostname, d.type, d.lastSeen, d.ref])).toEqual([
      ["fabrikam", "FAB-DT01", "workstation", "2026-10-13T17:02:11.000Z", "datto.csv:3"],
      ["fabrikam", "FAB-LT02", "laptop", "2026-11-05T08:30:00.000Z", "datto.csv:4"],
      ["fabrikam", "FAB-SRV01", "server", "2026-10-31T20:30:00.000Z", "datto.csv:5"],
    ]);
    expect(summaries[0]).toMatchObject({
      read: 3,
      skipped: { deleted: 1, "no device type category (printer, network device)": 2 },
    });
  });

  it("reads a dotted column from its parent's hashtable in every format (NinjaOne's system.serialNumber)", async () => {
    const text =
      'systemName,references,nodeClass,system,lastContact\nA,"@{organization=@{name=Contoso Ltd; id=7}}",WINDOWS_WORKSTATION,"@{serialNumber=5CD1; chassisType=LAPTOP}",1793400000\n';
    const { rows, issues } = await load(NINJA, { "ninja.csv": text });
    expect(issues).toEqual([]);
    expect(rows.devices.map((d) => [ownerText(d.owner), d.serial, d.type])).toEqual([
      ["contoso", "5CD1", "laptop"],
    ]);
  });
});

describe("trueup validate (the binary)", () => {
  it("prints per source the rows read, the rows skipped by reason and the date order used", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "data"));
    const files: Record<string, string> = {
      "ninja.csv": "ninjaone-en-gb.csv",
      "datto.csv": "datto-rmm-powershell.csv",
      "pc.csv": "partner-center-azure-seat-add.csv",
      "users.csv": "m365-users-current-names.csv",
    };
    for (const [to, from] of Object.entries(files)) await writeFile(join(dir, "data", to), real(from));
    const yaml = `currency: USD
asOf: "2026-11-01"
services:
  - { id: m365, name: M365, unit: user, cost: "22.00", price: "26.40", vendorSkus: [{ vendor: microsoft, sku: SPB }] }
bundles:
  - { id: gold, name: Gold, per: user, price: "95.00", includes: [{ service: m365 }] }
clients:
  - { id: contoso, name: Contoso, ids: { microsoft: contoso.onmicrosoft.com, rmm: Contoso Ltd }, plans: [{ bundle: gold }] }
  - { id: fabrikam, name: Fabrikam, ids: { rmm: 9f8e7d6c-0001 }, plans: [{ bundle: gold }] }
sources:
  - { kind: users, format: m365-users-export, file: data/users.csv, client: contoso }
  - { kind: devices, format: ninjaone-devices, file: data/ninja.csv }
  - { kind: devices, format: datto-rmm-devices, file: data/datto.csv }
  - { kind: licences, format: partner-center-reconciliation, file: data/pc.csv, vendor: microsoft }
`;
    await writeWorkspace(yaml, dir);
    const run = await runBinary(["validate", "--workspace", dir], {});
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").slice(1)).toEqual([
      "  sources[0] data/users.csv (m365-users-export): 4 rows read, 2 skipped (2 soft-deleted users); dates: no dates read",
      '  sources[1] data/ninja.csv (ninjaone-devices): 3 rows read, 0 skipped; dates: day-first, settled by "13/10/2026 17:02:11" at line 3',
      '  sources[2] data/datto.csv (datto-rmm-devices): 3 rows read, 3 skipped (1 deleted, 2 no device type category (printer, network device)); dates: day-first, settled by "13/10/2026 17:02:11" at line 3',
      "  sources[3] data/pc.csv (partner-center-reconciliation): 2 rows read, 3 skipped (2 Azure usage (not licences), 1 seat change already in a later recurring line); dates: month-first, set by the partner-center-reconciliation format",
      "",
    ]);
    // The invoice file is Microsoft's only licence source: a warning, naming the services.
    expect(run.stderr).toContain(
      "warning: sources[3]: a Partner Center invoice file is the only licence source of microsoft (services m365)",
    );
  });
});

describe("the settings kept by the app's store", () => {
  it("dateFormat (workspace and source) and skuNames survive trueup.yaml as the store writes it", () => {
    const yaml = `currency: USD
dateFormat: DD/MM/YYYY
skuNames: { Microsoft 365 Copilot Business: Microsoft_365_Copilot }
sources:
  - { kind: devices, format: ninjaone-devices, file: n.csv, dateFormat: MM/DD/YYYY }
`;
    const first = checkConfig(yaml).config;
    expect(first).toMatchObject({
      dateFormat: "day-first",
      skuNames: { "Microsoft 365 Copilot Business": "Microsoft_365_Copilot" },
    });
    if (!first) throw new Error("no config");
    const again = checkConfig(configToYaml(first));
    expect(again.issues).toEqual([]);
    expect(again.config?.dateFormat).toBe("day-first");
    expect(again.config?.skuNames).toEqual(first.skuNames);
    expect(again.config?.sources[0]?.dateFormat).toBe("month-first");
  });
});

describe("a mid-term seat add, reconciled (3)", () => {
  it("12 users on 12 seats after an add of 2 is no licence surplus", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "data"));
    await writeFile(join(dir, "data", "pc.csv"), real("partner-center-azure-seat-add.csv"));
    const users = Array.from(
      { length: 12 },
      (_, i) => `contoso.onmicrosoft.com,u${i}@contoso.example,true,SPB`,
    );
    await writeFile(join(dir, "data", "users.csv"), `account,upn,enabled,licences\n${users.join("\n")}\n`);
    await writeWorkspace(
      `currency: USD
asOf: "2026-11-15"
services:
  - { id: m365, name: M365, unit: user, cost: "22.00", price: "26.40", vendorSkus: [{ vendor: microsoft, sku: SPB }] }
bundles:
  - { id: gold, name: Gold, per: user, price: "95.00", includes: [{ service: m365 }] }
clients:
  - { id: contoso, name: Contoso, ids: { microsoft: contoso.onmicrosoft.com }, plans: [{ bundle: gold }] }
sources:
  - { kind: users, file: data/users.csv, vendor: microsoft }
  - { kind: licences, format: partner-center-reconciliation, file: data/pc.csv, vendor: microsoft }
`,
      dir,
    );
    const loaded = await loadWorkspace(dir, { today: "2026-11-15" });
    if (!loaded.input) throw new Error(JSON.stringify(loaded.issues));
    const findings = reconcile(loaded.input).clients.flatMap((c) =>
      c.findings.map((f) => `${f.type} ${f.subject} ${f.expected} ${f.actual}`),
    );
    expect(findings.filter((f) => f.startsWith("LICENCE_"))).toEqual([]);
  });
});
