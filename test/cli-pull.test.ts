import { lstat, readdir, readFile, readlink, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PullFakes, runBinary, SECRETS, startPullFakes, writeWorkspace } from "./cli-harness.ts";
import { at, trueup } from "./fixtures.ts";
import { withEnv } from "./store-databases.ts";

// `trueup pull --workspace` against fake NinjaOne, Huntress, SentinelOne and ConnectWise servers:
// the canonical CSV files of each connection, a reconciliation over them, a failing connection that
// keeps its previous pull whole while the others are pulled, and trueup.yaml's connection errors.

let fakes: PullFakes;
const dirs: string[] = [];

beforeAll(async () => {
  fakes = await startPullFakes();
});
afterAll(async () => {
  await fakes.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function workspace(edit?: (text: string) => string): Promise<string> {
  const dir = await writeWorkspace(fakes.yaml(edit));
  dirs.push(dir);
  return dir;
}

/** Every file of pulls/<name>/ with its content, and where the link points. */
async function snapshot(dir: string, name: string) {
  const link = join(dir, "pulls", name);
  const files: Record<string, string> = {};
  for (const f of (await readdir(link)).sort()) files[f] = await readFile(join(link, f), "utf8");
  return { target: await readlink(link), files };
}

const csvLines = (text: string) => text.trimEnd().split("\n");

describe("trueup pull --workspace", () => {
  it("writes pulls/<connection>/*.csv for every connection, and reconcile reads them", async () => {
    const dir = await workspace();
    const run = await runBinary(["pull", "--workspace", dir], fakes.env);
    expect(run.stderr).not.toContain("failed");
    expect(run.code).toBe(0);
    for (const name of ["ninja", "hunt", "s1", "cw"]) expect(run.stdout).toContain(`-> pulls/${name}/`);
    expect((await lstat(join(dir, "pulls", "ninja"))).isSymbolicLink()).toBe(true);

    const devices = csvLines(await readFile(join(dir, "pulls/ninja/devices.csv"), "utf8"));
    expect(devices[0]).toBe("account,hostname,serial,type,lastSeen,primaryUser");
    expect(devices.slice(1).map((l) => l.split(",").slice(0, 4).join(","))).toEqual([
      "1,PC-1,SN1,workstation",
      "1,PC-2,SN2,workstation",
      "1,PC-3,SN3,workstation",
      "2,PC-4,SN4,workstation",
      "2,PC-5,SN5,workstation",
    ]);
    const edr = csvLines(await readFile(join(dir, "pulls/hunt/deployments.csv"), "utf8"));
    expect(edr[0]).toBe("account,hostname,serial,lastSeen");
    expect(edr.slice(1)).toHaveLength(5);
    expect(edr[1]).toMatch(/^7,PC-1,SN1,2026-10-30/);
    expect(csvLines(await readFile(join(dir, "pulls/s1/deployments.csv"), "utf8")).slice(1)).toHaveLength(3);
    const billing = csvLines(await readFile(join(dir, "pulls/cw/billing.csv"), "utf8"));
    expect(billing[0]).toBe("account,product,quantity,unitPrice,agreement,lineId");
    expect(billing.slice(1).sort()).toEqual([
      "101,EDR,2,9,501,9001",
      "101,MDR,3,6,501,9002",
      "102,EDR,5,9,502,9003",
    ]);
    const meta = JSON.parse(await readFile(join(dir, "pulls/ninja/pull.json"), "utf8"));
    expect(meta).toMatchObject({ connection: "ninja", kind: "ninjaone", files: ["devices.csv"] });

    const report = await trueup("reconcile", "--workspace", dir, "--format", "json");
    expect(report.stderr).toBe("");
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as {
      clients: { id: string; lines: { subject: string; required: number; billed: number }[] }[];
    };
    const acme = json.clients.find((c) => c.id === "acme");
    // Acme: 3 devices in NinjaOne, 3 Huntress agents, 3 SentinelOne agents; billed 2 EDR and 3 MDR.
    expect(acme?.lines.find((l) => l.subject === "service:edr")).toMatchObject({ required: 3, billed: 2 });
    expect(acme?.lines.find((l) => l.subject === "service:mdr")).toMatchObject({ required: 3, billed: 3 });
    const beta = json.clients.find((c) => c.id === "beta");
    expect(beta?.lines.find((l) => l.subject === "service:edr")).toMatchObject({ required: 2, billed: 5 });
  });

  it("a failing connection exits 3, names it, keeps its previous pull whole, and the others are pulled", async () => {
    const dir = await workspace();
    const first = await withEnv(fakes.env, () => trueup("pull", "--workspace", dir));
    expect(first.code).toBe(0);
    const huntBefore = await snapshot(dir, "hunt");
    const ninjaBefore = await snapshot(dir, "ninja");
    const wrong = "wrong-hunt-secret-LEAK99";
    const run = await withEnv({ ...fakes.env, TRUEUP_CONN_T_HUNT_SECRET: wrong }, () =>
      trueup("pull", "--workspace", dir),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/hunt \(Huntress\) failed, its previous pull is kept: .*401/);
    for (const secret of [wrong, SECRETS.TRUEUP_CONN_T_HUNT_KEY, SECRETS.TRUEUP_CONN_T_HUNT_SECRET]) {
      expect(run.stderr).not.toContain(secret);
      expect(run.stdout).not.toContain(secret);
    }
    expect(await snapshot(dir, "hunt")).toEqual(huntBefore);
    // The others were pulled again: a new snapshot each, with the same rows.
    for (const name of ["ninja", "s1", "cw"]) expect(run.stdout).toContain(`-> pulls/${name}/`);
    const ninjaAfter = await snapshot(dir, "ninja");
    expect(ninjaAfter.target).not.toBe(ninjaBefore.target);
    expect(ninjaAfter.files["devices.csv"]).toBe(ninjaBefore.files["devices.csv"]);
    // Only the live snapshot of each connection is left beside its link.
    const hidden = (await readdir(join(dir, "pulls"))).filter((e) => e.startsWith(".hunt"));
    expect(hidden).toEqual([huntBefore.target]);
    // Pulling only the failing connection touches no other.
    const only = await withEnv({ ...fakes.env, TRUEUP_CONN_T_HUNT_SECRET: wrong }, () =>
      trueup("pull", "--workspace", dir, "--connection", "hunt"),
    );
    expect(only.code).toBe(3);
    expect(only.stdout).toBe("");
    expect(await snapshot(dir, "ninja")).toEqual(ninjaAfter);
  });

  it("a connection whose name starts with another's keeps its pull when the other is pulled", async () => {
    const dir = await workspace((t) =>
      t
        .replace(
          "  s1:\n",
          "  hunt-2:\n    kind: huntress\n    url: @HUNT_URL@\n    apiKeyEnv: TRUEUP_CONN_T_HUNT_KEY\n    apiSecretEnv: TRUEUP_CONN_T_HUNT_SECRET\n  s1:\n",
        )
        .replace("@HUNT_URL@", fakes.hunt.url)
        .replace("connection: s1, deployment: mdr", "connection: hunt-2, deployment: mdr"),
    );
    for (const only of [[], ["--connection", "hunt"]]) {
      const run = await withEnv(fakes.env, () => trueup("pull", "--workspace", dir, ...only));
      expect(run.code, run.stderr).toBe(0);
    }
    expect(csvLines(await readFile(join(dir, "pulls/hunt-2/deployments.csv"), "utf8"))).toHaveLength(6);
    expect(csvLines(await readFile(join(dir, "pulls/hunt/deployments.csv"), "utf8"))).toHaveLength(6);
  });

  it("reconcile before any pull says which connection to pull, with trueup pull", async () => {
    const dir = await workspace();
    const run = await trueup("reconcile", "--workspace", dir);
    expect(run.code).toBe(2);
    for (const name of ["ninja", "hunt", "s1", "cw"])
      expect(run.stderr).toContain(
        `pulls/${name}/${name === "ninja" ? "devices" : name === "cw" ? "billing" : "deployments"}.csv: connection ${name} has not been pulled into this workspace yet (run: trueup pull --workspace DIR --connection ${name})`,
      );
  });

  it("an unknown connection named with --connection is a usage error", async () => {
    const dir = await workspace();
    const run = await withEnv(fakes.env, () => trueup("pull", "--workspace", dir, "--connection", "nope"));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no connection "nope" in trueup.yaml (connections: ninja, hunt, s1, cw)');
  });
});

describe("trueup pull: connection errors in trueup.yaml, each at its line", () => {
  const cases: { name: string; edit: (t: string) => string; needle: string; expected: string }[] = [
    {
      name: "a source naming an unknown connection",
      edit: (t) => t.replace("{ kind: devices, connection: ninja }", "{ kind: devices, connection: ninjo }"),
      needle: "ninjo",
      expected: 'sources[0].connection: unknown connection "ninjo" (connections: ninja, hunt, s1, cw)',
    },
    {
      name: "a secret written in trueup.yaml",
      edit: (t) =>
        t.replace("clientSecretEnv: TRUEUP_CONN_T_NINJA_SECRET", "clientSecret: inline-secret-LEAK42"),
      needle: "inline-secret-LEAK42",
      expected:
        "connections.ninja.clientSecret: secrets are not written in trueup.yaml: give clientSecretEnv: VARIABLE",
    },
    {
      name: "a missing required setting",
      edit: (t) => t.replace(/ {4}companyId: .*\n/, ""),
      needle: "kind: connectwise",
      expected: 'connections.cw: "companyId" is required for a connectwise connection',
    },
    {
      name: "a source asking a connection for what it does not give",
      edit: (t) => t.replace("{ kind: devices, connection: ninja }", "{ kind: users, connection: ninja }"),
      needle: "users, connection: ninja",
      expected: "sources[0].kind: connection ninja (NinjaOne) gives devices, not users",
    },
    {
      name: "a schedule that is not a cron expression",
      edit: (t) =>
        t.replace(
          "    apiTokenEnv: TRUEUP_CONN_T_S1_TOKEN\n",
          "    apiTokenEnv: TRUEUP_CONN_T_S1_TOKEN\n    schedule: every night\n",
        ),
      needle: "every night",
      expected:
        'connections.s1.schedule: not a cron expression (minute hour day month weekday, e.g. "0 2 * * *")',
    },
    {
      name: "an unknown connection kind",
      edit: (t) => t.replace("kind: sentinelone", "kind: sentinel-two"),
      needle: "sentinel-two",
      expected:
        'connections.s1.kind: expected one of connectwise, autotask, halopsa, msgraph, pax8, ninjaone, datto-rmm, sentinelone, huntress, sandbox, got "sentinel-two"',
    },
    {
      name: "a variable of Trueup itself named as a secret's variable",
      edit: (t) => t.replace("apiKeyEnv: TRUEUP_CONN_T_HUNT_KEY", "apiKeyEnv: TRUEUP_SECRET_KEY"),
      needle: "TRUEUP_SECRET_KEY",
      expected:
        "connections.hunt.apiKeyEnv: the variable TRUEUP_SECRET_KEY is refused: TRUEUP_SECRET_KEY belongs to Trueup itself and is never given to a connection",
    },
    {
      name: "a variable outside the allowed prefix",
      edit: (t) => t.replace("apiKeyEnv: TRUEUP_CONN_T_HUNT_KEY", "apiKeyEnv: HOME"),
      needle: "HOME",
      expected:
        "connections.hunt.apiKeyEnv: the variable HOME is refused: a connection may only read variables starting with TRUEUP_CONN_ (TRUEUP_CONN_ENV_PREFIX)",
    },
  ];

  it.each(cases)("$name", async ({ edit, needle, expected }) => {
    const dir = await workspace(edit);
    const yaml = await readFile(join(dir, "trueup.yaml"), "utf8");
    const run = await withEnv(fakes.env, () => trueup("pull", "--workspace", dir));
    expect(run.code).toBe(2);
    const lines = run.stderr.split("\n");
    const line = lines.find((l) => l.includes(expected));
    expect(line, run.stderr).toBeDefined();
    // file:line:column of the offending value (or, for a missing key, of its connection's first key).
    expect(line?.startsWith(`trueup.yaml:${at(yaml, needle)}: `), line).toBe(true);
    expect(run.stderr).not.toContain("LEAK42");
    // Nothing was pulled.
    await expect(readdir(join(dir, "pulls"))).rejects.toThrow();
  });
});

describe("trueup validate: the operator's allowance of variables and addresses", () => {
  it("names the refused variable and why, exits 2, and accepts it once the operator allows its prefix", async () => {
    const dir = await workspace((t) =>
      t
        .replace("apiKeyEnv: TRUEUP_CONN_T_HUNT_KEY", "apiKeyEnv: DATABASE_URL")
        .replace("apiSecretEnv: TRUEUP_CONN_T_HUNT_SECRET", "apiSecretEnv: HUNT_SECRET"),
    );
    const yaml = await readFile(join(dir, "trueup.yaml"), "utf8");
    const refused = await runBinary(["validate", "--workspace", dir], fakes.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `trueup.yaml:${at(yaml, "DATABASE_URL")}: connections.hunt.apiKeyEnv: the variable DATABASE_URL is refused: DATABASE_URL belongs to Trueup itself`,
    );
    expect(refused.stderr).toContain(
      `trueup.yaml:${at(yaml, "HUNT_SECRET")}: connections.hunt.apiSecretEnv: the variable HUNT_SECRET is refused: a connection may only read variables starting with TRUEUP_CONN_ (TRUEUP_CONN_ENV_PREFIX)`,
    );
    const allowed = await runBinary(["validate", "--workspace", dir], {
      ...fakes.env,
      TRUEUP_CONN_ENV_PREFIX: "HUNT_,DATABASE_",
    });
    expect(allowed.stderr).not.toContain("HUNT_SECRET is refused");
    expect(allowed.stderr).toContain("DATABASE_URL is refused");
  });

  it("refuses a plain http address unless TRUEUP_ALLOW_HTTP_HOSTS names its host", async () => {
    const dir = await workspace();
    const plain = await runBinary(["validate", "--workspace", dir], {
      ...fakes.env,
      TRUEUP_ALLOW_HTTP_HOSTS: "",
    });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("connections.ninja.url: http://127.0.0.1:");
    expect(plain.stderr).toContain(
      "is not https:// (allow plain http to this host with TRUEUP_ALLOW_HTTP_HOSTS=127.0.0.1)",
    );
    const allowed = await runBinary(["validate", "--workspace", dir], fakes.env);
    expect(allowed.stderr).not.toContain("https://");
  });
});
