import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { at, BASE_YAML, cleanup, trueup, workspace, yamlWith } from "./fixtures.ts";

// One test per class of bad input: `trueup validate` names the place (file, line, column or YAML
// path) and what was expected; `trueup reconcile` refuses the same workspace.

afterAll(cleanup);

type Files = Record<string, string | Buffer | null>;

/** The stderr line of `validate` that starts with `where`; asserts that reconcile refuses too. */
async function refused(files: Files, where: string): Promise<string> {
  const dir = await workspace(files);
  const v = await trueup("validate", "--workspace", dir);
  expect(v.code).toBe(2);
  expect(v.stdout).toBe("");
  const line = v.stderr.split("\n").find((l) => l.startsWith(`${where} `));
  expect(line, `no "${where}" in:\n${v.stderr}`).toBeDefined();
  const r = await trueup("reconcile", "--workspace", dir, "--format", "json");
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain("nothing was reconciled");
  expect(r.stderr).toContain(line);
  return line as string;
}

describe("CSV values", () => {
  it("a missing required column names the file, line 1 and the column", async () => {
    const users = "account,upn,displayName,licences\nacme,ann@acme.com,Ann,BP\n";
    const line = await refused({ "data/users.csv": users }, "data/users.csv:1: enabled:");
    expect(line).toContain('missing required column "enabled"');
  });

  it.each([
    [
      "boolean",
      { "data/users.csv": "account,upn,enabled\nacme,a@acme.com,true\nacme,b@acme.com,maybe\n" },
      "data/users.csv:3: enabled:",
      'expected true or false, got "maybe"',
    ],
    [
      "date",
      { "data/devices.csv": "account,hostname,type,lastSeen\nACME,PC1,workstation,2026-13-01\n" },
      "data/devices.csv:2: lastSeen:",
      'expected an ISO date such as 2026-11-01 or 2026-11-01T08:30:00Z, got "2026-13-01"',
    ],
    [
      "device type",
      {
        "data/devices.csv":
          "account,hostname,type,lastSeen\nACME,PC1,laptop,2026-10-30\nACME,PC2,desktop,2026-10-30\n",
      },
      "data/devices.csv:3: type:",
      'expected one of workstation, laptop, server, mobile, other, got "desktop"',
    ],
    [
      "number",
      { "data/pax8.csv": "account,sku,quantity\npx,BP,2\npx,S1,two\n" },
      "data/pax8.csv:3: quantity:",
      'expected a whole number, got "two"',
    ],
    [
      "negative quantity",
      { "data/psa.csv": "account,product,quantity,unitPrice\n100,GOLD,-2,100.00\n" },
      "data/psa.csv:2: quantity:",
      'a quantity cannot be negative, got "-2"',
    ],
    [
      "amount",
      { "data/psa.csv": "account,product,quantity,unitPrice\n100,GOLD,2,ten\n" },
      "data/psa.csv:2: unitPrice:",
      'expected an amount such as 12.50, got "ten"',
    ],
    [
      "empty required value",
      { "data/devices.csv": "account,hostname,type,lastSeen\nACME,,laptop,2026-10-30\n" },
      "data/devices.csv:2: hostname:",
      "is empty; a value is required",
    ],
  ])("a bad %s names file, line and column", async (_, files, where, says) => {
    expect(await refused(files, where)).toContain(says);
  });
});

describe("trueup.yaml references and ids", () => {
  it("a duplicate id names its YAML path and the first one", async () => {
    const yaml = yamlWith("sources:\n", "  - id: acme\n    name: Second\nsources:\n");
    const where = `trueup.yaml:${at(yaml, "acme\n    name: Second")}: clients[1].id:`;
    const line = await refused({ "trueup.yaml": yaml }, where);
    expect(line).toContain('duplicate client id "acme" (first at clients[0])');
  });

  it("an unknown service in a bundle names its YAML path and suggests the near one", async () => {
    const yaml = yamlWith("      - service: edr\n", "      - service: edrr\n");
    const where = `trueup.yaml:${at(yaml, "edrr")}: bundles[0].includes[1].service:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain(
      'unknown service "edrr" (did you mean "edr"?)',
    );
  });

  it("an unknown service in a plan names its YAML path", async () => {
    const yaml = yamlWith("      - bundle: gold\n", "      - bundle: gold\n      - service: archiving\n");
    const where = `trueup.yaml:${at(yaml, "archiving")}: clients[0].plans[1].service:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain('unknown service "archiving"');
  });

  it("an unknown bundle names its YAML path and the known ones", async () => {
    const yaml = yamlWith("      - bundle: gold\n", "      - bundle: silver\n");
    const where = `trueup.yaml:${at(yaml, "silver")}: clients[0].plans[0].bundle:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain('unknown bundle "silver" (known: gold)');
  });

  it("an unknown client on a source names its YAML path", async () => {
    const yaml = yamlWith("file: data/psa.csv }", "file: data/psa.csv, client: acne }");
    const where = `trueup.yaml:${at(yaml, "acne")}: sources[4].client:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain(
      'unknown client "acne" (did you mean "acme"?)',
    );
  });

  it("a deployments source naming a deployment no service has is an error at its YAML path", async () => {
    const yaml = yamlWith("deployment: edr }", "deployment: edrr }");
    const where = `trueup.yaml:${at(yaml, "edrr")}: sources[2].deployment:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain('unknown deployment "edrr"');
  });
});

describe("files", () => {
  it("a missing source file is named with the YAML path that names it", async () => {
    const line = await refused({ "data/pax8.csv": null }, "data/pax8.csv:");
    expect(line).toMatch(
      /^data\/pax8\.csv: file not found \(named by sources\[3\]\.file at trueup\.yaml:\d+\)$/,
    );
  });

  it("a missing trueup.yaml says the folder is not a workspace", async () => {
    const line = await refused({ "trueup.yaml": null }, "trueup.yaml:");
    expect(line).toContain("is this a workspace? (trueup init DIR makes one)");
  });

  it("a source that is a folder is an error, not a crash", async () => {
    const yaml = yamlWith("file: data/psa.csv", "file: data/more");
    const dir = await workspace({ "trueup.yaml": yaml });
    await mkdir(join(dir, "data", "more"));
    const v = await trueup("validate", "--workspace", dir);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain("data/more: is a folder, not a CSV file");
  });

  it("a CSV holding a NUL byte (a binary file) names the line it is on", async () => {
    const binary = Buffer.concat([
      Buffer.from("account,upn,enabled\nacme,a@acme.com,true\nacme,b"),
      Buffer.from([0, 1, 2]),
    ]);
    const line = await refused({ "data/users.csv": binary }, "data/users.csv:3:");
    expect(line).toContain("the file is not text");
  });

  it("a CSV whose first lines are UTF-8 and later ones are not names the first line that is not", async () => {
    const mixed = Buffer.concat([
      Buffer.from("account,upn,displayName,enabled\nacme,ann@acme.com,Zoë,true\n"),
      Buffer.from("acme,jos\xe9@acme.com,Jos\xe9,true\n", "latin1"),
    ]);
    const line = await refused({ "data/users.csv": mixed }, "data/users.csv:3:");
    expect(line).toContain("the file mixes encodings");
  });

  it("an Excel workbook saved in place of a CSV is named as such", async () => {
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(20)]);
    const line = await refused({ "data/users.csv": xlsx }, "data/users.csv:1:");
    expect(line).toContain("an Excel workbook");
  });

  it("a trueup.yaml that is not UTF-8 names the line of the first bad byte", async () => {
    const yaml = Buffer.from(yamlWith("name: Acme\n", "name: Acm\xe9\n"), "latin1");
    const where = `trueup.yaml:${at(BASE_YAML, "Acme\n").split(":")[0]}:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain("not UTF-8");
  });

  it.each([
    ["empty", ""],
    ["blank", "\n\r\n\n"],
  ])("an %s CSV expects a header row", async (_, text) => {
    const line = await refused({ "data/psa.csv": text }, "data/psa.csv:1:");
    expect(line).toContain("the file is empty: expected a header row");
  });

  it.each([
    ["empty", ""],
    ["comments-only", "# nothing yet\n"],
  ])("an %s trueup.yaml is an error, not an empty report", async (_, text) => {
    const line = await refused({ "trueup.yaml": text }, "trueup.yaml:1:");
    expect(line).toContain("the file is empty");
  });

  it("a YAML syntax error names its line and column", async () => {
    const yaml = yamlWith("    name: EDR\n", "    name: EDR: extra\n");
    const where = `trueup.yaml:${at(yaml, "EDR: extra")}:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain("YAML syntax error");
  });

  it("a YAML key given twice is a syntax error at the second one", async () => {
    const yaml = yamlWith("    unit: device\n", "    unit: device\n    unit: user\n");
    const where = `trueup.yaml:${at(yaml, "unit: user", "unit: device\n")}:`;
    expect(await refused({ "trueup.yaml": yaml }, where)).toContain("Map keys must be unique");
  });
});
