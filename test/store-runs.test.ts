import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainClient } from "../src/core/explain.ts";
import { money } from "../src/core/money.ts";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJson } from "../src/core/report.ts";
import { margin } from "../src/margin/margin.ts";
import { marginToJson } from "../src/margin/render.ts";
import { inputWith, whatIf } from "../src/margin/whatif.ts";
import { whatIfToJson } from "../src/margin/whatif-render.ts";
import type { Db } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { FindingView, RunView, Store } from "../src/store/store.ts";
import { WorkspaceError } from "../src/workspace/issues.ts";
import { loadOrThrow } from "../src/workspace/load.ts";
import { basicDir, cleanup, repoRoot, workspace, yamlWith } from "./fixtures.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// Reconciliation runs over the stored data: the report the workspace folder gives, kept as history
// with one row per finding; findings with their status, decisions on them, and what changed.

const ACTOR = { name: "bill@msp.example" };
const TODAY = "2026-11-25";
const demoDir = join(repoRoot, "examples", "demo");
const psaText = await readFile(join(demoDir, "data/psa.csv"), "utf8");

afterAll(cleanup);

async function workspaceReport(dir: string, asOf?: string) {
  const { input } = await loadOrThrow(dir, { today: TODAY, asOf });
  return reportToJson(reconcile(input));
}

/** The demo's PSA export with some lines edited: line number -> new text. */
function psaWith(lines: Record<number, string>): Buffer {
  return Buffer.from(
    psaText
      .split("\n")
      .map((l, i) => lines[i + 1] ?? l)
      .join("\n"),
  );
}

const keys = (list: FindingView[]) => list.map((f) => f.key);

describe.each(testDatabases())("runs on $name", (target) => {
  let db: Db;
  let store: Store;
  let first: RunView;

  beforeAll(async () => {
    db = await target.open();
    store = createStore(db, testClock());
    const { issues } = await store.importWorkspace(demoDir, ACTOR);
    expect(issues).toEqual([]);
    first = await store.reconcile({ today: TODAY }, ACTOR);
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  const billingId = async () => (await store.listSources()).find((s) => s.kind === "billing")?.id as number;
  const statusOf = async (key: string, runId?: number) => {
    const page = await store.listFindings({ limit: 500, offset: 0, runId });
    return page.items.find((f) => f.key === key);
  };

  it("reconciling the database gives the report the workspace folder gives", async () => {
    expect(first).toMatchObject({ id: expect.any(Number), asOf: "2026-11-01", createdBy: ACTOR.name });
    const report = await store.runReport(first.id);
    expect(report).toEqual(await workspaceReport(demoDir));
    expect(report).toEqual(JSON.parse(await readFile(join(demoDir, "expected.json"), "utf8")));
    expect(first.totals).toEqual((report as { totals: object }).totals);
  });

  it("keeps the imports a run read and one row per finding, keyed by client, type and subject", async () => {
    const run = await db.selectFrom("runs").selectAll().where("id", "=", first.id).executeTakeFirstOrThrow();
    const sources = await store.listSources();
    expect(run.imports).toEqual(sources.map((s) => s.lastImport?.id));
    const rows = await db
      .selectFrom("findings")
      .selectAll()
      .where("run_id", "=", first.id)
      .orderBy("position")
      .execute();
    expect(rows).toHaveLength(25);
    const granite = rows.find((r) => r.client_id === "granite" && r.type === "UNDER_BILLED");
    expect(granite).toMatchObject({
      key: "granite|UNDER_BILLED|service:domain-hosting",
      figures: "5|3|8.00",
      client_name: "Granite Ridge Construction",
    });
    expect(rows.find((r) => r.type === "PRICE_MISMATCH")?.figures).toBe("165.00|155.00|140.00");
  });

  it("lists runs newest first with their totals, and the latest run", async () => {
    const page = await store.listRuns({ limit: 10, offset: 0 });
    expect(page).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(page.items).toEqual([first]);
    expect(await store.latestRun()).toEqual(first);
    expect(await store.runReport(first.id + 1000)).toBeUndefined();
    expect(first.totals).toMatchObject({ underBilled: "198.00", findings: 25, coverageGaps: 3 });
  });

  it("lists findings of the latest run in the report's order, filtered and a page at a time", async () => {
    const all = await store.listFindings({ limit: 500, offset: 0 });
    expect(all.total).toBe(25);
    const report = (await store.runReport(first.id)) as {
      clients: { id: string; findings: { subject: string }[] }[];
    };
    expect(all.items.map((f) => `${f.clientId} ${f.subject}`)).toEqual(
      report.clients.flatMap((c) => c.findings.map((f) => `${c.id} ${f.subject}`)),
    );
    expect(all.items.find((f) => f.type === "PRICE_MISMATCH")).toEqual({
      runId: first.id,
      clientId: "cobalt",
      clientName: "Cobalt Freight & Logistics",
      type: "PRICE_MISMATCH",
      subject: "bundle:gold-user",
      expected: "165.00",
      actual: "155.00",
      monthlyImpact: "140.00",
      evidence: ["data/psa.csv:8"],
      key: "cobalt|PRICE_MISMATCH|bundle:gold-user",
      status: "open",
    });
    const page = await store.listFindings({ limit: 5, offset: 5 });
    expect(page).toMatchObject({ total: 25, limit: 5, offset: 5 });
    expect(page.items).toEqual(all.items.slice(5, 10));
    const cobalt = await store.listFindings({ limit: 50, offset: 0, clientId: "cobalt" });
    expect(cobalt.items.map((f) => f.type)).toEqual([
      "LICENCE_SURPLUS",
      "ORPHAN_LICENCE",
      "PRICE_MISMATCH",
      "TRACKING_DRIFT",
    ]);
    const stale = await store.listFindings({ limit: 50, offset: 0, type: "STALE_DEVICE", runId: first.id });
    expect(stale.items.map((f) => f.subject)).toEqual([
      "device:EFC-DR-LT07",
      "device:EFC-NS03",
      "device:GRC-SRV00",
    ]);
    expect((await store.listFindings({ limit: 50, offset: 0, status: "open" })).total).toBe(25);
    expect((await store.listFindings({ limit: 50, offset: 0, status: "dismissed" })).total).toBe(0);
  });

  it("explains a client's counts from the stored data, as the core does from the workspace", async () => {
    const { input } = await loadOrThrow(demoDir, { today: TODAY });
    expect(input.clients.length).toBeGreaterThan(5);
    for (const { id } of input.clients) {
      expect(await store.explainClient(id)).toEqual(explainClient(input, id));
    }
    const later = await store.explainClient("evergreen", "2026-12-31");
    expect(later?.devices.filter((d) => d.current).length).toBeLessThan(
      explainClient(input, "evergreen")?.devices.filter((d) => d.current).length ?? 0,
    );
    expect(await store.explainClient("nobody")).toBeUndefined();
  });

  it("gives the latest run's margin and what-ifs as the core's functions do over the workspace, also after a newer import", async () => {
    const { input } = await loadOrThrow(demoDir, { today: TODAY });
    const config = await store.loadConfig();
    const dearer = {
      ...config,
      bundles: config.bundles.map((b) => (b.id === "gold-user" ? { ...b, price: money("175.00") } : b)),
    };
    const margins = marginToJson(margin(input));
    const whatIfs = whatIfToJson(whatIf(inputWith(input, config), inputWith(input, dearer)));
    expect(whatIfs.lines.length).toBeGreaterThan(0);
    // Worked out in the engine's thread, which holds the input of the latest imports.
    expect(await store.latestRunMargin()).toEqual(margins);
    expect(await store.latestRunWhatIf(config, dearer)).toEqual(whatIfs);
    // A newer import (the same file again) that no run has read yet: the latest run's own imports.
    await store.importFile(await billingId(), "data/psa.csv", psaWith({}), ACTOR);
    expect(await store.latestRunMargin()).toEqual(margins);
    expect(await store.latestRunWhatIf(config, dearer)).toEqual(whatIfs);
  });

  it("a decision holds in later runs while the figures stay, and the finding opens when they change", async () => {
    const granite = "granite|UNDER_BILLED|service:domain-hosting";
    const evergreen = "evergreen|OVER_BILLED|bundle:bronze-device";
    const delta = "delta|UNCOVERED|device:DLT-FS01";
    await expect(store.decide(granite, { status: "dismissed" }, ACTOR)).rejects.toMatchObject({
      code: "invalid",
    });
    await expect(store.decide("x|y|z", { status: "accepted" }, ACTOR)).rejects.toMatchObject({
      code: "not_found",
    });
    await store.decide(
      granite,
      { status: "dismissed", reason: "two domains are free under the contract" },
      ACTOR,
    );
    await store.decide(evergreen, { status: "accepted" }, ACTOR);
    await store.decide(delta, { status: "dismissed", reason: "file server, billed separately" }, ACTOR);
    expect(await statusOf(granite)).toMatchObject({
      status: "dismissed",
      reason: "two domains are free under the contract",
      decidedBy: ACTOR.name,
    });
    expect(
      (await store.listFindings({ limit: 50, offset: 0, status: "dismissed" })).items.map((f) => f.key),
    ).toEqual([delta, granite]);
    expect((await store.listFindings({ limit: 50, offset: 0, status: "open" })).total).toBe(22);

    // Next month: Granite now bills 4 domains (figures change), Harbor bills its 6 extra devices.
    const { issues } = await store.importFile(
      await billingId(),
      "psa-2026-12.csv",
      psaWith({
        2: "10231,Birchwood Legal LLP - Managed IT 2026,GOLD-U,Gold managed user,20,160.00",
        18: "10333,Granite Ridge Construction - Managed IT 2026,DOM-HOST,Domain hosting,4,4.00",
        21: "10356,Harbor Dental Group - Managed IT 2026,DEV-ADD,Additional device,6,25.00",
      }),
      ACTOR,
    );
    expect(issues).toEqual([]);
    const second = await store.reconcile({ today: TODAY }, ACTOR);
    expect(await statusOf(granite)).toMatchObject({ status: "open", expected: 5, actual: 4 });
    expect((await statusOf(granite))?.reason).toBeUndefined();
    expect(await statusOf(evergreen)).toMatchObject({ status: "accepted", decidedBy: ACTOR.name });
    expect(await statusOf(delta)).toMatchObject({ status: "dismissed" });
    // The first run still shows the decision on the figures it was taken on.
    expect(await statusOf(granite, first.id)).toMatchObject({ status: "dismissed" });
    expect((await store.latestRun())?.id).toBe(second.id);

    await store.decide(evergreen, { status: "open" }, ACTOR);
    expect(await statusOf(evergreen)).toMatchObject({ status: "open" });
    const audit = await store.audit({ limit: 10, offset: 0 });
    expect(audit.items.filter((e) => e.action === "finding.decide")).toHaveLength(4);
  });

  it("diffRuns tells what appeared, what was fixed and what changed", async () => {
    const latest = (await store.latestRun()) as RunView;
    const diff = await store.diffRuns(first.id, latest.id);
    expect(diff).toMatchObject({ from: first.id, to: latest.id });
    expect(keys(diff.appeared)).toEqual(["birchwood|PRICE_MISMATCH|bundle:gold-user"]);
    expect(keys(diff.fixed)).toEqual(["harbor|UNDER_BILLED|service:device-addon"]);
    expect(diff.changed.map((c) => [c.before.key, c.before.actual, c.after.actual])).toEqual([
      ["granite|UNDER_BILLED|service:domain-hosting", 3, 4],
    ]);
    const back = await store.diffRuns(latest.id, first.id);
    expect(keys(back.appeared)).toEqual(keys(diff.fixed));
    expect(keys(back.fixed)).toEqual(keys(diff.appeared));
    expect((await store.diffRuns(first.id, first.id)).changed).toEqual([]);
    await expect(store.diffRuns(first.id, 9999)).rejects.toMatchObject({ code: "not_found" });
  });

  it("runs are history: a later import and run leave an earlier run's report and findings as they were", async () => {
    expect(await store.runReport(first.id)).toEqual(await workspaceReport(demoDir));
    const findings = await store.listFindings({ limit: 500, offset: 0, runId: first.id });
    expect(findings.total).toBe(25);
    expect(findings.items.every((f) => f.runId === first.id)).toBe(true);
    expect((await store.listRuns({ limit: 1, offset: 0 })).total).toBe(2);
  });

  it("two runs of unchanged data give the same report, and no difference", async () => {
    const a = await store.reconcile({ today: TODAY }, ACTOR);
    const b = await store.reconcile({ today: TODAY }, ACTOR);
    expect(b.id).toBeGreaterThan(a.id);
    expect(await store.runReport(b.id)).toEqual(await store.runReport(a.id));
    expect(await store.diffRuns(a.id, b.id)).toEqual({
      from: a.id,
      to: b.id,
      appeared: [],
      fixed: [],
      changed: [],
    });
  });

  it("the spec's worked example gives its expected report from the database", async () => {
    expect((await store.importWorkspace(basicDir, ACTOR)).issues).toEqual([]);
    const run = await store.reconcile({ today: TODAY }, ACTOR);
    expect(run.asOf).toBe("2026-11-01");
    const expected = JSON.parse(await readFile(join(basicDir, "expected.json"), "utf8"));
    expect(await store.runReport(run.id)).toEqual(expected);
    const later = await store.reconcile({ today: TODAY, asOf: "2026-12-15" }, ACTOR);
    expect(await store.runReport(later.id)).toEqual(await workspaceReport(basicDir, "2026-12-15"));
  });

  it("a source with no import yet is left out of the run, never read as empty", async () => {
    const noBilling = yamlWith("  - { kind: billing, format: trueup-billing, file: data/psa.csv }\n", "");
    const dir = await workspace({ "trueup.yaml": noBilling, "data/psa.csv": null });
    expect((await store.importWorkspace(dir, ACTOR)).issues).toEqual([]);
    expect(
      (
        await store.saveConfigYaml(
          `${noBilling}  - { kind: billing, format: trueup-billing, file: data/psa.csv }\n`,
          ACTOR,
        )
      ).issues,
    ).toEqual([]);
    const run = await store.reconcile({ today: TODAY }, ACTOR);
    expect(await store.runReport(run.id)).toEqual(await workspaceReport(dir));
    const stored = await db
      .selectFrom("runs")
      .select("imports")
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(stored.imports).toHaveLength(4);
  });

  it("refuses to run on stored data that clash, with every error and its line", async () => {
    const yaml = yamlWith(
      "sources:\n",
      "sources:\n  - { kind: users, format: trueup-users, file: data/google.csv, vendor: google }\n",
    );
    const dir = await workspace({
      "trueup.yaml": yaml,
      "data/google.csv": "account,upn,enabled,licences\nacme-g,ann@acme.com,true,BP\n",
    });
    expect((await store.importWorkspace(dir, ACTOR)).issues.filter((i) => i.severity === "error")).toEqual(
      [],
    );
    await store.saveConfigYaml(yaml.replace("ids: { psa:", "ids: { google: acme-g, psa:"), ACTOR);
    const runs = (await store.listRuns({ limit: 1, offset: 0 })).total;
    const error = await store.reconcile({ today: TODAY }, ACTOR).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).issues).toEqual([
      expect.objectContaining({ file: "data/users.csv", line: 2, field: "upn" }),
    ]);
    expect((await store.listRuns({ limit: 1, offset: 0 })).total).toBe(runs);
    await expect(store.reconcile({ today: TODAY, asOf: "01/11/2026" }, ACTOR)).rejects.toMatchObject({
      code: "invalid",
    });
  });
});
