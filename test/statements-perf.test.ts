import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DeviceRow, ReconcileInput, UserRow } from "../src/core/types.ts";
import { statementHtml } from "../src/statements/html.ts";
import { statementPdf } from "../src/statements/pdf.ts";
import { buildStatement, type Statement } from "../src/statements/statement.ts";
import { loadWorkspace } from "../src/workspace/load.ts";
import { repoRoot } from "./fixtures.ts";
import { pdfPages } from "./pdf-text.ts";

// A statement of 500 users (and 900 devices) renders in under 2 s (issue 14). The machine running
// the tests may be shared: the budget is checked on the process's CPU time, and the wall time is
// printed beside it.

const BUDGET_MS = 2000;

async function bigInput(users: number): Promise<ReconcileInput> {
  const loaded = await loadWorkspace(join(repoRoot, "examples", "demo"), { today: "2026-11-01" });
  const input = loaded.input as ReconcileInput;
  const owner = { client: "harbor" };
  const extraUsers: UserRow[] = Array.from({ length: users }, (_, i) => ({
    ref: `gen:${i}`,
    owner,
    upn: `user${String(i).padStart(4, "0")}@harbordental.example`,
    enabled: true,
    licences: ["SPB"],
    guest: false,
    vendor: "microsoft",
  }));
  const extraDevices: DeviceRow[] = Array.from({ length: users * 1.8 }, (_, i) => ({
    ref: `gen:d${i}`,
    owner,
    hostname: `HDG-GEN-${String(i).padStart(4, "0")}`,
    serial: `SN-GEN-${i}`,
    type: i % 3 === 0 ? "laptop" : "workstation",
    lastSeen: "2026-10-30T08:00:00.000Z",
    primaryUser: "",
  }));
  return {
    ...input,
    users: [
      ...input.users.filter((u) => !("client" in u.owner) || u.owner.client !== "harbor"),
      ...extraUsers,
    ],
    devices: [...input.devices, ...extraDevices],
  };
}

describe("a 500-user statement", () => {
  it(`renders as PDF in under ${BUDGET_MS} ms, every row whole on one page`, async () => {
    const input = await bigInput(500);
    const msp = { name: "Northwind IT Services", address: ["400 Harbor Street"], paper: "A4" as const };
    // Fonts and modules load once per process: warm them on a small statement first.
    await statementPdf(buildStatement(input, "delta", { msp }) as Statement);
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const s = buildStatement(input, "harbor", { msp }) as Statement;
    const pdf = await statementPdf(s);
    const html = statementHtml(s);
    const wallMs = performance.now() - wall;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(
      `500-user statement: ${s.lines[0]?.users.length} users, ${s.counts.devices} devices, PDF ${pdf.length} bytes, ` +
        `HTML ${html.length} bytes; build + PDF + HTML: ${Math.round(cpuMs)} ms CPU, ${Math.round(wallMs)} ms wall`,
    );
    expect(s.lines.find((l) => l.subject === "bundle:gold-user")?.users).toHaveLength(500);
    expect(cpuMs).toBeLessThan(BUDGET_MS);
    const pages = await pdfPages(pdf);
    // A name split by a page break would be missing whole from every page.
    for (const m of s.lines.flatMap((l) => [...l.users, ...l.devices]))
      expect(
        pages.some((p) => p.includes(m.name)),
        m.name,
      ).toBe(true);
  });
});
