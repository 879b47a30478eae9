import { copyFile, cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runChanges } from "../src/cli/changes.ts";
import { loadDemoMonths } from "../src/cli/demo-store.ts";
import { bufferIo } from "../src/cli/io.ts";
import { runRenewals } from "../src/cli/renewals.ts";
import { repoRoot } from "./fixtures.ts";
import { call, signIn, startServer } from "./server-harness.ts";

// The demo's renewal windows and its month-over-month spike, as `trueup renewals` and `trueup changes`
// give them (docs/renewals.md walks through the same figures).

const demo = join(repoRoot, "examples", "demo");

async function json(run: (io: ReturnType<typeof bufferIo>) => Promise<number>) {
  const io = bufferIo();
  expect(await run(io)).toBe(0);
  return JSON.parse(io.stdout);
}

describe("trueup renewals on the demo", () => {
  it("Cobalt's 4 F3 seats can be cut on 2026-11-20, within 30 days, saving 32.00 a month", async () => {
    const r = await json((io) => runRenewals(io, { workspace: demo, format: "json", within: "30" }));
    expect(
      r.reducible.map(
        (w: { clientId: string; opensOn: string; days: number; surplus: number; savingPerMonth: string }) => [
          w.clientId,
          w.opensOn,
          w.days,
          w.surplus,
          w.savingPerMonth,
        ],
      ),
    ).toEqual([["cobalt", "2026-11-20", 19, 4, "32.00"]]);
    expect(r.horizons).toEqual([
      { days: 7, count: 0, savingPerMonth: "0.00" },
      { days: 30, count: 1, savingPerMonth: "32.00" },
      { days: 90, count: 1, savingPerMonth: "32.00" },
    ]);
    expect(
      r.windows.map((w: { clientId: string; status: string; opensOn?: string }) => [
        w.clientId,
        w.status,
        w.opensOn ?? null,
      ]),
    ).toEqual([
      ["cobalt", "upcoming", "2026-11-20"],
      ["ivy", "upcoming", "2027-01-31"],
      ["foxglove", "upcoming", "2027-03-31"],
      ["delta", "noTerm", null],
    ]);
  });

  it("after Cobalt's term end the window has passed; the source gives no term length, so no date is made up", async () => {
    const io = bufferIo();
    expect(
      await runRenewals(io, { workspace: demo, format: "table", asOf: "2026-12-01", within: "30" }),
    ).toBe(0);
    expect(io.stdout).toContain(
      "passed  Cobalt Freight & Logistics: Microsoft 365 F3, 4 seats (38 bought, 34 needed), saves 32.00 a month: the term ended 2026-11-20; the source does not give the term's length",
    );
    expect(io.stdout).toContain("next 90 days: 1 surplus, 75.00");
  });

  it("bad options are refused with exit 2", async () => {
    const io = bufferIo();
    expect(await runRenewals(io, { workspace: demo, within: "soon" })).toBe(2);
    expect(io.stderr).toContain("--within must be a whole number of days");
  });
});

describe("trueup changes on the demo", () => {
  it("compares November with the October workspace under history/: Granite's Gold users +40 % (+8)", async () => {
    const c = await json((io) => runChanges(io, { workspace: demo, format: "json" }));
    expect([c.since, c.asOf, c.thresholds]).toEqual([
      "2026-10-01",
      "2026-11-01",
      { amount: "50.00", percent: "20" },
    ]);
    expect(c.alerts.map((a: { text: string; money: string }) => [a.money, a.text])).toEqual([
      ["1320.00", "Granite Ridge Construction: Gold (per user) required +40 % (+8) since October"],
      ["1320.00", "Granite Ridge Construction: Gold (per user) billed +40 % (+8) since October"],
      [
        "176.00",
        "Granite Ridge Construction: Microsoft 365 Business Premium purchased +40 % (+8) since October",
      ],
    ]);
    expect(c.changes).toHaveLength(8);
  });

  it("--since compares with a saved report; the workspace's rules set the thresholds", async () => {
    const dir = await mkdtemp(join(tmpdir(), "trueup-changes-"));
    await cp(demo, join(dir, "ws"), { recursive: true });
    const yaml = join(dir, "ws", "trueup.yaml");
    const text = await readFile(yaml, "utf8");
    await writeFile(
      yaml,
      text.replace("rules:\n", "rules:\n  changeAmount: '1500.00'\n  changePercent: 10\n"),
    );
    const high = await json((io) => runChanges(io, { workspace: join(dir, "ws"), format: "json" }));
    expect(high.thresholds).toEqual({ amount: "1500.00", percent: "10" });
    expect(high.alerts).toEqual([]);
    await writeFile(yaml, text.replace("rules:\n", "rules:\n  changePercent: lots\n"));
    const bad = bufferIo();
    expect(await runChanges(bad, { workspace: join(dir, "ws"), format: "json" })).toBe(2);
    expect(bad.stderr).toMatch(/trueup\.yaml:\d+.*rules\.changePercent.*"lots"/);
    const saved = join(dir, "november.json");
    await copyFile(join(demo, "expected.json"), saved);
    // Against itself nothing moved.
    const same = await json((io) => runChanges(io, { workspace: demo, since: saved, format: "json" }));
    expect(same.changes).toEqual([]);
    await writeFile(join(dir, "bad.json"), "{}");
    const io = bufferIo();
    expect(await runChanges(io, { workspace: demo, since: join(dir, "bad.json") })).toBe(2);
    expect(io.stderr).toContain("is not a report");
  });
});

describe("the app's renewals and changes", () => {
  it("the demo as `trueup serve` loads it: an October run, then November's; the dashboard's two answers", async () => {
    const h = await startServer({ demo: false });
    try {
      const viewer = await signIn(h.app, "viewer");
      // Before any run there is nothing to compare; the thresholds are the defaults.
      const nothing = (await call(h.app, viewer, "GET", "/api/changes")).json();
      expect([nothing.sinceRunId, nothing.alerts, nothing.thresholds]).toEqual([
        null,
        [],
        { amount: "50.00", percent: "20" },
      ]);
      expect(await loadDemoMonths(bufferIo(), h.store, demo, { name: "test" })).toBeGreaterThan(0);
      expect((await h.store.listRuns({ limit: 10, offset: 0 })).items.map((r) => r.asOf)).toEqual([
        "2026-11-01",
        "2026-10-01",
      ]);
      const changes = (await call(h.app, viewer, "GET", "/api/changes")).json();
      expect([changes.runId, changes.sinceRunId, changes.since]).toEqual([2, 1, "2026-10-01"]);
      expect(changes.alerts.map((a: { text: string }) => a.text)).toEqual([
        "Granite Ridge Construction: Gold (per user) required +40 % (+8) since October",
        "Granite Ridge Construction: Gold (per user) billed +40 % (+8) since October",
        "Granite Ridge Construction: Microsoft 365 Business Premium purchased +40 % (+8) since October",
      ]);
      const renewals = (await call(h.app, viewer, "GET", "/api/renewals")).json();
      expect(
        renewals.horizons.map((x: { count: number; savingPerMonth: string }) => [x.count, x.savingPerMonth]),
      ).toEqual([
        [0, "0.00"],
        [1, "32.00"],
        [1, "32.00"],
      ]);
      expect(renewals.windows[0]).toMatchObject({
        clientId: "cobalt",
        serviceName: "Microsoft 365 F3",
        opensOn: "2026-11-20",
        days: 19,
      });
      // Read later than the run's date, Cobalt's window has gone by.
      const late = (await call(h.app, viewer, "GET", "/api/renewals?asOf=2026-12-01")).json();
      expect(late.windows[0]).toMatchObject({ clientId: "ivy", status: "upcoming" });
      expect(late.windows.find((w: { clientId: string }) => w.clientId === "cobalt")).toMatchObject({
        status: "passed",
        endedOn: "2026-11-20",
      });
    } finally {
      await h.close();
    }
  });
});
