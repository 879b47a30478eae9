import { afterAll, describe, expect, it } from "vitest";
import { at, BASE_FILES, cleanup, trueup, workspace, yamlWith } from "./fixtures.ts";

// How the CSV reader meets real exports: BOMs, CRLF, RFC 4180 quoting, shuffled and extra columns,
// and every error of a workspace listed at once.

afterAll(cleanup);

type Files = Record<string, string | Buffer | null>;

interface Finding {
  type: string;
  subject: string;
  evidence: string[];
}
interface Report {
  clients: { id: string; counts: { billableUsers: number }; findings: Finding[] }[];
}

async function validate(files: Files): Promise<{ code: number; errors: string[] }> {
  const v = await trueup("validate", "--workspace", await workspace(files));
  const errors = v.stderr.split("\n").filter((l) => /^\S+:\d+/.test(l) && !l.includes(" warning:"));
  return { code: v.code, errors };
}

async function report(files: Files): Promise<Report> {
  const r = await trueup("reconcile", "--workspace", await workspace(files), "--format", "json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const users = (...rows: string[]) => ({ "data/users.csv": `${rows.join("\n")}\n` });

describe("every error at once", () => {
  it("lists errors of trueup.yaml and of two CSV files in one run", async () => {
    const yaml = yamlWith("      - bundle: gold\n", "      - bundle: gould\n");
    const v = await validate({
      "trueup.yaml": yaml,
      ...users("account,upn,enabled", "acme,a@acme.com,true", "acme,b@acme.com,sometimes"),
      "data/psa.csv": "account,product,quantity,unitPrice\n100,GOLD,1,100.00\n100,EDR,-1,0.00\n",
    });
    expect(v.code).toBe(2);
    expect(v.errors).toEqual([
      `trueup.yaml:${at(yaml, "gould")}: clients[0].plans[0].bundle: unknown bundle "gould" (did you mean "gold"?)`,
      'data/users.csv:3: enabled: expected true or false, got "sometimes"',
      'data/psa.csv:3: quantity: a quantity cannot be negative, got "-1"',
    ]);
  });

  it("lists every bad row of one file, not only the first", async () => {
    const v = await validate(
      users("account,upn,enabled", "acme,a@acme.com,x", "acme,b@acme.com,true", "acme,,y"),
    );
    expect(v.errors.map((e) => e.split(" ")[0])).toEqual([
      "data/users.csv:2:",
      "data/users.csv:4:",
      "data/users.csv:4:",
    ]);
  });
});

describe("encodings and line ends", () => {
  it("accepts a UTF-8 byte-order mark before the header", async () => {
    const r = await report({ "data/users.csv": `\ufeff${BASE_FILES["data/users.csv"]}` });
    expect(r.clients[0]?.counts.billableUsers).toBe(2);
  });

  it("reads a workspace whose files all end lines with \\r\\n exactly like one with \\n", async () => {
    const crlf: Files = {};
    for (const [name, text] of Object.entries(BASE_FILES)) crlf[name] = text.replaceAll("\n", "\r\n");
    expect(await report(crlf)).toEqual(await report({}));
  });

  it("counts lines right in a \\r\\n file with a quoted line break", async () => {
    const text =
      'account,upn,displayName,enabled\r\nacme,a@acme.com,"Ann\r\nArcher",true\r\nacme,b@acme.com,B,no way\r\n';
    const v = await validate({ "data/users.csv": text });
    expect(v.errors).toEqual(['data/users.csv:4: enabled: expected true or false, got "no way"']);
  });
});

describe("columns", () => {
  it("matches header names without regard to case or surrounding spaces", async () => {
    const upper = users(
      "ACCOUNT, UPN ,Enabled,Licences",
      "acme,ann@acme.com,true,BP",
      "acme,bob@acme.com,true,BP",
    );
    expect(await report(upper)).toEqual(await report({}));
  });

  it("takes columns in any order and ignores unknown ones", async () => {
    const shuffled = users(
      "notes,enabled,licences,upn,costCentre,account",
      '"VIP, do not disable",true,BP,ann@acme.com,42,acme',
      "temp,true,BP,bob@acme.com,,acme",
    );
    expect(await report(shuffled)).toEqual(await report({}));
  });

  it("a row with more values than the header is an error naming its line", async () => {
    const v = await validate(
      users("account,upn,enabled", "acme,a@acme.com,true", "acme,b@acme.com,true,oops"),
    );
    expect(v.errors).toEqual(["data/users.csv:3: has 4 values but the header has 3 columns"]);
  });

  it("a row with fewer values than the header is an error naming its line", async () => {
    const v = await validate(users("account,upn,enabled", "acme,a@acme.com"));
    expect(v.errors).toEqual(["data/users.csv:2: has 2 values but the header has 3 columns"]);
  });

  it("names every missing required column", async () => {
    const v = await validate({ "data/psa.csv": "account,quantity\n100,1\n" });
    expect(v.errors.map((e) => e.split(":").slice(0, 3).join(":"))).toEqual([
      "data/psa.csv:1: product",
      "data/psa.csv:1: unitPrice",
    ]);
  });
});

describe("RFC 4180 quoting", () => {
  // An account that matches no client comes back as written, with its file:line, in UNMAPPED_ACCOUNT.
  const quoted = users(
    "account,upn,displayName,enabled,licences",
    'acme,ann@acme.com,"Archer, Ann",true,BP',
    'acme,bob@acme.com,"Bob ""the builder""\nBaker",true,BP',
    '"Big, ""Quoted""\nCo",x@big.com,"X",true,BP',
    "nobody,y@else.com,Y,true,BP",
  );

  it("reads quoted commas, doubled quotes and quoted line breaks as values", async () => {
    const r = await report(quoted);
    expect(r.clients.find((c) => c.id === "acme")?.counts.billableUsers).toBe(2);
    const unmapped = r.clients.find((c) => c.id === "_unmapped")?.findings ?? [];
    expect(unmapped.map((f) => [f.subject, f.evidence])).toEqual([
      ['account:microsoft:Big, "Quoted"\nCo', ["data/users.csv:5"]],
      ["account:microsoft:nobody", ["data/users.csv:7"]],
    ]);
  });

  it("cites the right line for a row after quoted line breaks", async () => {
    const bad = { "data/users.csv": `${quoted["data/users.csv"]}acme,c@acme.com,C,perhaps,BP\n` };
    const v = await validate(bad);
    expect(v.errors).toEqual(['data/users.csv:8: enabled: expected true or false, got "perhaps"']);
  });

  it.each([
    ["text after a closing quote", 'acme,"b"x@acme.com,true', "a quoted value is followed by more text"],
    ["a quote inside an unquoted value", 'acme,b"x@acme.com,true', 'a " inside an unquoted value'],
    ["a quote never closed", 'acme,"b@acme.com,true', "a quoted value is never closed"],
  ])("%s names its line", async (_, row, says) => {
    const v = await validate(
      users("account,upn,enabled", "acme,a@acme.com,true", row, "acme,c@acme.com,true"),
    );
    expect(v.code).toBe(2);
    expect(v.errors).toHaveLength(1);
    expect(v.errors[0]).toMatch(/^data\/users\.csv:3: /);
    expect(v.errors[0]).toContain(says);
  });

  it("an unclosed quote deep in a long file names the line it opens on", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `acme,u${i}@acme.com,true`);
    const v = await validate(users("account,upn,enabled", ...rows, 'acme,"late@acme.com,true', ...rows));
    expect(v.errors).toEqual(["data/users.csv:3002: a quoted value is never closed"]);
  });
});

describe("duplicate users", () => {
  it("a UPN listed twice for one client is an error naming both lines", async () => {
    const v = await validate(
      users(
        "account,upn,enabled",
        "acme,ann@acme.com,true",
        "acme,bob@acme.com,true",
        "ACME,Ann@Acme.com,false",
      ),
    );
    expect(v.errors).toEqual([
      'data/users.csv:4: upn: UPN "Ann@Acme.com" is listed twice for one client (first at data/users.csv:2)',
    ]);
  });

  it("the same UPN for two different clients is not an error", async () => {
    const yaml = yamlWith("sources:\n", "  - { id: beta, name: Beta, ids: { microsoft: beta } }\nsources:\n");
    const v = await validate({
      "trueup.yaml": yaml,
      ...users("account,upn,enabled", "acme,ann@acme.com,true", "beta,ann@acme.com,true"),
    });
    expect(v).toEqual({ code: 0, errors: [] });
  });
});
