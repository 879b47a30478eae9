import { afterAll, describe, expect, it } from "vitest";
import { at, BASE_FILES, cleanup, trueup, workspace, yamlWith } from "./fixtures.ts";

// Any other CSV through a mapping in its source: `columns:` (field -> header) and `values:` (their
// value -> ours), checked at their YAML path; a mapped header the file lacks is named at line 1.

afterAll(cleanup);

type Files = Record<string, string | Buffer | null>;

async function validate(files: Files): Promise<{ code: number; errors: string[] }> {
  const v = await trueup("validate", "--workspace", await workspace(files));
  const errors = v.stderr.split("\n").filter((l) => /^\S+:\d+/.test(l) && !l.includes(" warning:"));
  return { code: v.code, errors };
}

async function report(files: Files): Promise<unknown> {
  const r = await trueup("reconcile", "--workspace", await workspace(files), "--format", "json");
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

const DEVICES_SOURCE = "  - { kind: devices, format: trueup-devices, file: data/devices.csv }\n";

/** The base workspace with its devices source mapped as `mapping` (YAML lines after the file key). */
function mapped(mapping: string): string {
  return yamlWith(DEVICES_SOURCE, `  - kind: devices\n    file: data/devices.csv\n${mapping}`);
}

// The base devices file as another RMM exports it: its own headers, order and words.
const OTHER_RMM =
  "Device Name,Customer,Form Factor,Seen,Serial No,User\nPC1,Acme RMM,Desktop,2026-10-30,S1,ann@acme.com\nPC2,Acme RMM,Notebook,2026-10-31,S2,bob@acme.com\n";
const MAPPING = `    columns: { account: Customer, hostname: Device Name, serial: Serial No, type: Form Factor, lastSeen: Seen, primaryUser: User }
    values:
      type: { Desktop: workstation, notebook: LAPTOP }
      account: { Acme RMM: ACME }
`;

describe("a mapped source", () => {
  it("gives the report the same data gives in the canonical format", async () => {
    const files = { "trueup.yaml": mapped(MAPPING), "data/devices.csv": OTHER_RMM };
    expect(await report(files)).toEqual(await report({}));
  });

  it("reads a value not in a table as written, and the format checks it", async () => {
    const text = `${OTHER_RMM}PC3,Acme RMM,Tablet,2026-10-31,S3,\n`;
    const v = await validate({ "trueup.yaml": mapped(MAPPING), "data/devices.csv": text });
    expect(v.errors).toEqual([
      'data/devices.csv:4: type: expected one of workstation, laptop, server, mobile, other, got "Tablet"',
    ]);
  });

  it("a mapped header the file lacks is an error at line 1 naming the header", async () => {
    const text = OTHER_RMM.replace("Serial No", "Serial Number");
    const v = await validate({ "trueup.yaml": mapped(MAPPING), "data/devices.csv": text });
    expect(v.errors).toEqual([
      'data/devices.csv:1: serial: missing column "Serial No" (sources[1].columns.serial) (the header has: Device Name, Customer, Form Factor, Seen, Serial Number, User)',
    ]);
  });

  it("a required field neither mapped nor in the header is still named", async () => {
    const yaml = mapped("    columns: { account: Customer, hostname: Device Name }\n");
    const v = await validate({ "trueup.yaml": yaml, "data/devices.csv": OTHER_RMM });
    expect(v.errors.map((e) => e.split(" (")[0])).toEqual([
      'data/devices.csv:1: type: missing required column "type"',
      'data/devices.csv:1: lastSeen: missing required column "lastSeen"',
    ]);
  });
});

describe("header names", () => {
  it("compare without regard to case, spaces, _, - and . in the canonical formats too", async () => {
    const text = (BASE_FILES["data/devices.csv"] ?? "").replace(
      "account,hostname,serial,type,lastSeen,primaryUser",
      "Account,Host-Name,SERIAL,type,Last Seen,primary_user",
    );
    expect(await report({ "data/devices.csv": text })).toEqual(await report({}));
  });
});

describe("columns: and values: in trueup.yaml", () => {
  it("an unknown field of the format is an error at its YAML path", async () => {
    const yaml = mapped("    columns: { account: Customer, hostnam: Device Name }\n");
    const v = await validate({ "trueup.yaml": yaml, "data/devices.csv": OTHER_RMM });
    expect(v.errors).toContain(
      `trueup.yaml:${at(yaml, "Device Name")}: sources[1].columns.hostnam: unknown field "hostnam" of trueup-devices (did you mean "hostname"?)`,
    );
  });

  it("a values table for an unknown field, or with a value the field cannot take, is an error at its path", async () => {
    const yaml = mapped("    values:\n      kind: { PC: workstation }\n      type: { Desktop: desk }\n");
    const v = await validate({ "trueup.yaml": yaml });
    expect(v.errors).toEqual([
      `trueup.yaml:${at(yaml, "{ PC")}: sources[1].values.kind: unknown field "kind" of trueup-devices (known: account, hostname, serial, type, lastSeen, primaryUser)`,
      `trueup.yaml:${at(yaml, "desk }")}: sources[1].values.type.Desktop: expected one of workstation, laptop, server, mobile, other, got "desk"`,
    ]);
  });

  it("columns: that is not a mapping, and an empty header, are errors", async () => {
    const list = mapped("    columns: [Customer, Device Name]\n");
    expect((await validate({ "trueup.yaml": list })).errors).toEqual([
      `trueup.yaml:${at(list, "[Customer")}: sources[1].columns: expected a mapping of field: header, got a list`,
    ]);
    const empty = mapped('    columns: { hostname: "" }\n');
    expect((await validate({ "trueup.yaml": empty })).errors).toEqual([
      `trueup.yaml:${at(empty, '""')}: sources[1].columns.hostname: expected the header of a column`,
    ]);
  });

  it("a vendor format's columns can be renamed too (a localized export)", async () => {
    const tenant = (y: string) => y.replace("microsoft: acme,", "microsoft: acme.onmicrosoft.com,");
    const yaml = yamlWith(
      "  - { kind: users, format: trueup-users, file: data/users.csv }\n",
      `  - kind: users
    format: m365-users-export
    file: data/users.csv
    columns: { User principal name: Benutzerprinzipalname, Licenses: Lizenzen, Block credential: Anmeldung blockiert }
    values: { Block credential: { Ja: "True", Nein: "False" } }
`,
    );
    const german =
      "Benutzerprinzipalname,Lizenzen,Anmeldung blockiert\nann@acme.com,acme:BP,Nein\nbob@acme.com,acme:BP,Nein\n";
    const canonical = (BASE_FILES["data/users.csv"] ?? "").replaceAll("\nacme,", "\nacme.onmicrosoft.com,");
    expect(await report({ "trueup.yaml": tenant(yaml), "data/users.csv": german })).toEqual(
      await report({ "trueup.yaml": tenant(yamlWith("", "")), "data/users.csv": canonical }),
    );
  });
});
