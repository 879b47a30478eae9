import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { isFormer } from "../src/core/former.ts";
import { formatMoney, money } from "../src/core/money.ts";
import { reconcile } from "../src/core/reconcile.ts";
import type { ReconcileInput } from "../src/core/types.ts";
import { statementCsv } from "../src/statements/csv.ts";
import { statementHtml } from "../src/statements/html.ts";
import { statementPdf } from "../src/statements/pdf.ts";
import { buildStatement, type Statement } from "../src/statements/statement.ts";
import { amount, memberText } from "../src/statements/words.ts";
import { loadWorkspace } from "../src/workspace/load.ts";
import type { Msp } from "../src/workspace/msp.ts";
import { cleanup, repoRoot, tempDir, trueup, workspace, yamlWith } from "./fixtures.ts";
import { pdfPages } from "./pdf-text.ts";

// Client statements of the demo, read back: the PDF's text through pdf.js, the CSV through csv-parse.

afterAll(cleanup);

const demoDir = join(repoRoot, "examples", "demo");
const MSP: Msp = {
  name: "Northwind IT Services",
  address: ["12 Harbour Road", "Portland, ME 04101"],
  paper: "A4",
};

async function demoInput(): Promise<ReconcileInput> {
  const loaded = await loadWorkspace(demoDir, { today: "2026-11-01" });
  if (!loaded.input) throw new Error("demo does not load");
  return loaded.input;
}

const input = await demoInput();
const report = reconcile(input);
const statementOf = (id: string, previous?: Statement) =>
  buildStatement(input, id, { msp: MSP, ...(previous ? { previous } : {}) }) as Statement;

describe("a statement's lines are the report's", () => {
  for (const client of input.clients.filter((c) => !isFormer(c, input.asOf))) {
    it(`${client.id}: each line's quantity, unit price and total, and the statement's total`, () => {
      const s = statementOf(client.id);
      const lines = report.clients.find((c) => c.id === client.id)?.lines ?? [];
      expect(s.lines.length).toBeGreaterThan(0);
      let total = money("0");
      for (const l of s.lines) {
        const r = lines.find((x) => x.subject === l.subject);
        expect(r, l.subject).toBeDefined();
        expect(l.quantity).toBe(r?.required);
        expect(money(l.unitPrice).equals(r?.price ?? -1)).toBe(true);
        expect(l.total).toBe(formatMoney((r?.price ?? money("0")).times(r?.required ?? 0)));
        total = total.plus(money(l.total));
      }
      expect(s.total).toBe(formatMoney(total));
    });
  }

  it("a per-user bundle names its users; a per-device bundle its devices", () => {
    const harbor = statementOf("harbor");
    const gold = harbor.lines.find((l) => l.subject === "bundle:gold-user");
    expect(gold?.users.map((u) => u.name)).toContain("greta.lindqvist@harbordental.example");
    expect(gold?.users).toHaveLength(9);
    expect(gold?.devices.map((d) => d.name)).toContain("HDG-CEPH01");
    expect(gold?.devices.find((d) => d.name === "HDG-CEPH01")).toMatchObject({
      type: "workstation",
      lastSeen: "2026-10-28",
    });
    const evergreen = statementOf("evergreen");
    const bronze = evergreen.lines.find((l) => l.subject === "bundle:bronze-device");
    expect(bronze?.devices).toHaveLength(26);
    expect(bronze?.devices.map((d) => d.name)).not.toContain("EFC-NS03");
  });

  it("a minimum is explained, and the extra devices say how they are counted", () => {
    const hollis = statementOf("hollis").lines.find((l) => l.subject === "bundle:gold-user");
    expect(hollis?.quantity).toBe(15);
    expect(hollis?.users).toHaveLength(12);
    expect(hollis?.notes.join(" ")).toContain("minimum of 15; 12 users are counted");
    const extra = statementOf("harbor").lines.find((l) => l.subject === "service:device-addon");
    expect(extra?.notes.join(" ")).toContain(
      "9 users x 2 devices = 18 included; 24 devices are managed, so 6 extra",
    );
  });

  it("protection names the gaps of each protective service", () => {
    const evergreen = statementOf("evergreen");
    const edr = evergreen.protection.find((p) => p.service === "edr");
    expect(edr).toMatchObject({ counted: 27, covered: 25 });
    expect(edr?.gaps.map((g) => g.name)).toEqual(["EFC-EXAM07", "EFC-EXAM08"]);
    expect(edr?.why).toContain("not protected");
    expect(evergreen.protection.find((p) => p.service === "backup-ws")?.gaps).toEqual([]);
  });
});

describe("the PDF, read back with a PDF parser", () => {
  for (const id of ["harbor", "cobalt", "evergreen", "hollis"]) {
    it(`${id}: every named user and device of every line, every total and the client`, async () => {
      const s = statementOf(id);
      const pages = await pdfPages(await statementPdf(s));
      const text = pages.join("\n");
      expect(text).toContain(s.client.name);
      expect(text).toContain("Northwind IT Services");
      expect(text).toContain("November 2026");
      for (const l of s.lines) {
        expect(text).toContain(l.name);
        expect(text).toContain(amount(l.total));
        for (const m of [...l.users, ...l.devices]) expect(text).toContain(memberText(m));
      }
      expect(text).toContain(`Total per month ${amount(s.total)}`);
      expect(text).toContain("We confirm that the users and devices");
      expect(pages.at(-1)).toContain(`Page ${pages.length} of ${pages.length}`);
    });
  }

  it("Letter paper when the workspace asks for it", async () => {
    const s = buildStatement(input, "delta", { msp: { ...MSP, paper: "Letter" } }) as Statement;
    const pdf = (await statementPdf(s)).toString("latin1");
    expect(pdf).toMatch(/\/MediaBox \[0 0 612 792\]/);
    const a4 = (await statementPdf(statementOf("delta"))).toString("latin1");
    expect(a4).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
  });

  it("the fonts are embedded", async () => {
    const pdf = (await statementPdf(statementOf("delta"))).toString("latin1");
    expect(pdf).toContain("/FontFile2");
    expect(pdf).not.toMatch(/\/BaseFont \/Helvetica/);
  });
});

describe("HTML and CSV", () => {
  it("the HTML page names every user and device and escapes names", () => {
    const s = statementOf("cobalt");
    const html = statementHtml(s);
    expect(html).toContain("Cobalt Freight &#38; Logistics");
    for (const l of s.lines) for (const m of [...l.users, ...l.devices]) expect(html).toContain(m.name);
    expect(html).toContain("@page { size: A4");
  });

  it("the CSV's line totals add up to the statement's total, and it lists every member", () => {
    const s = statementOf("harbor");
    const rows = parse(statementCsv(s), { columns: true }) as Record<string, string>[];
    const lineRows = rows.filter((r) => r.quantity !== "" && r.line !== "Total per month");
    const sum = lineRows.reduce((t, r) => t.plus(money(r.total as string)), money("0"));
    expect(formatMoney(sum)).toBe(s.total);
    expect(rows.find((r) => r.line === "Total per month")?.total).toBe(s.total);
    expect(rows.filter((r) => r.member === "user")).toHaveLength(9);
  });
});

describe("what changed since the previous month", () => {
  it("users and devices that joined or left, and the effect on each line", async () => {
    // Last month: one more user (since left), and without one of this month's devices.
    const before: ReconcileInput = {
      ...input,
      asOf: "2026-10-01",
      users: [
        ...input.users,
        {
          ...(input.users.find((u) => u.upn.startsWith("aaron.stein")) as ReconcileInput["users"][number]),
          upn: "old.timer@harbordental.example",
          ref: "x:1",
        },
      ],
      devices: input.devices
        .filter((d) => d.hostname !== "HDG-CEPH01")
        .map((d) => ({ ...d, lastSeen: "2026-09-30" })),
    };
    const previous = buildStatement(before, "harbor", { msp: MSP }) as Statement;
    expect(previous.month).toBe("2026-10");
    const now = statementOf("harbor", previous);
    const c = now.changes;
    expect(c?.previousMonth).toBe("2026-10");
    expect(c?.members).toContainEqual(
      expect.objectContaining({
        change: "joined",
        member: expect.objectContaining({ name: "HDG-CEPH01" }),
        date: "2026-11-01",
      }),
    );
    expect(c?.members).toContainEqual(
      expect.objectContaining({
        change: "left",
        member: { kind: "user", name: "old.timer@harbordental.example" },
        line: "Gold (per user)",
      }),
    );
    expect(c?.lines).toContainEqual({
      subject: "bundle:gold-user",
      name: "Gold (per user)",
      from: 10,
      to: 9,
      effect: "-165.00",
    });
    // 10 users allowed 20 devices for 23 (before), 9 users 18 for 24 (now): 3 -> 6 extra.
    expect(c?.lines).toContainEqual({
      subject: "service:device-addon",
      name: "Additional managed device",
      from: 3,
      to: 6,
      effect: "+75.00",
    });
    expect(c?.effect).toBe("-90.00");
    const text = (await pdfPages(await statementPdf(now))).join("\n");
    expect(text).toContain("What changed since October 2026");
    expect(text).toContain("old.timer@harbordental.example");
  });

  it("the first statement says there is nothing to compare with", () => {
    expect(statementOf("harbor").changes).toBeNull();
    expect(statementHtml(statementOf("harbor"))).toContain("This is the first statement");
  });
});

describe("the statement and statements commands", () => {
  it("statements writes every client's files by month and compares with the previous month's JSON", async () => {
    const out = await tempDir();
    const first = await trueup(
      "statements",
      "--workspace",
      demoDir,
      "--out",
      out,
      "--month",
      "2026-10",
      "--as-of",
      "2026-10-01",
    );
    expect(first.code, first.stderr).toBe(0);
    const second = await trueup("statements", "--workspace", demoDir, "--out", out, "--formats", "json,pdf");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("harbor: 1785.00 USD (compared with 2026-10)");
    expect(second.stdout).toContain("ivy: no statement, a former client (ended 2026-09-01)");
    const s = JSON.parse(await readFile(join(out, "2026-11", "harbor.json"), "utf8")) as Statement;
    expect(s.changes?.previousMonth).toBe("2026-10");
    expect((await readFile(join(out, "2026-11", "birchwood.pdf"))).subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("statement --previous reads a JSON statement; a bad one is refused", async () => {
    const out = await tempDir();
    const prev = join(out, "prev.json");
    expect(
      (
        await trueup(
          "statement",
          "--workspace",
          demoDir,
          "--client",
          "delta",
          "--format",
          "json",
          "--out",
          prev,
        )
      ).code,
    ).toBe(0);
    const run = await trueup(
      "statement",
      "--workspace",
      demoDir,
      "--client",
      "delta",
      "--format",
      "csv",
      "--previous",
      prev,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("delta,2026-11,USD,Silver (per user),user,15,99.00,1485.00");
    const bad = await trueup(
      "statement",
      "--workspace",
      demoDir,
      "--client",
      "delta",
      "--previous",
      join(demoDir, "trueup.yaml"),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not a statement in JSON");
    const former = await trueup("statement", "--workspace", demoDir, "--client", "ivy");
    expect(former.code).toBe(2);
    expect(former.stderr).toContain("ivy is a former client (ended 2026-09-01): it gets no statement");
    expect((await trueup("statement", "--workspace", demoDir, "--client", "nobody")).stderr).toContain(
      'no client "nobody"',
    );
    expect(
      (await trueup("statement", "--workspace", demoDir, "--client", "delta", "--format", "pdf")).stderr,
    ).toContain("needs --out");
  });
});

describe("the msp: block of trueup.yaml", () => {
  it("is read with its paper size, and a bad value is an error at its line", async () => {
    const good = await workspace({
      "trueup.yaml": yamlWith(
        "currency: USD\n",
        "currency: USD\nmsp:\n  name: Acme IT\n  address: [1 Road, Town]\n  paper: Letter\n",
      ),
    });
    expect((await loadWorkspace(good, { today: "2026-11-01" })).config?.msp).toEqual({
      name: "Acme IT",
      address: ["1 Road", "Town"],
      paper: "Letter",
    });
    const bad = await workspace({
      "trueup.yaml": yamlWith(
        "currency: USD\n",
        "currency: USD\nmsp:\n  name: Acme IT\n  paper: A5\n  logo: logo.gif\n",
      ),
    });
    const issues = (await loadWorkspace(bad, { today: "2026-11-01" })).issues;
    expect(issues).toContainEqual(
      expect.objectContaining({ file: "trueup.yaml", line: 4, field: "msp.paper", severity: "error" }),
    );
    expect(issues).toContainEqual(expect.objectContaining({ line: 5, field: "msp.logo", severity: "error" }));
    const noName = await workspace({
      "trueup.yaml": yamlWith("currency: USD\n", "currency: USD\nmsp:\n  paper: A4\n"),
    });
    expect((await loadWorkspace(noName, { today: "2026-11-01" })).issues).toContainEqual(
      expect.objectContaining({ field: "msp.name", message: '"name" is required' }),
    );
  });
});
