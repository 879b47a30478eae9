import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_FILES, cleanup, workspace } from "./fixtures.ts";
import { call, type Harness, type Session, signIn, startServer, TODAY } from "./server-harness.ts";

// One client with tens of thousands of devices and no EDR agent on them: one COVERAGE_GAP finding
// whose evidence lists every device. Lists carry its first 50 items and the count; the rest come a
// page at a time; the CSV has them all (docs/api.md).

const DEVICES = 30_000;
const host = (i: number) => `HOST-${String(i).padStart(6, "0")}`;

let h: Harness;
let viewer: Session;

beforeAll(async () => {
  const rows = Array.from({ length: DEVICES }, (_, i) => `ACME,${host(i)},SN${i},workstation,2026-10-30,`);
  const devices = `${BASE_FILES["data/devices.csv"]}${rows.join("\n")}\n`;
  const dir = await workspace({ "data/devices.csv": devices });
  h = await startServer({ demo: false });
  const loaded = await h.store.importWorkspace(dir, { name: "test" });
  if (loaded.issues.some((i) => i.severity === "error")) throw new Error(JSON.stringify(loaded.issues));
  await h.store.reconcile({ today: TODAY }, { name: "test" });
  viewer = await signIn(h.app, "viewer");
}, 300_000);
afterAll(async () => {
  await h?.close();
  await cleanup();
});

interface Listed {
  key: string;
  type: string;
  evidence: string[];
  evidenceTotal: number;
}

describe("a finding with long evidence", () => {
  it("comes in a list with its first 50 items and the total, in a small answer", async () => {
    const response = await call(h.app, viewer, "GET", "/api/findings?limit=50");
    expect(response.statusCode).toBe(200);
    expect(response.body.length).toBeLessThan(50_000);
    const gap = (response.json().items as Listed[]).find((f) => f.type === "COVERAGE_GAP");
    expect(gap?.evidence).toHaveLength(50);
    expect(gap?.evidenceTotal).toBeGreaterThanOrEqual(DEVICES);
  });

  it("pages the rest on demand, every item once, in the list's order", async () => {
    const list = (await call(h.app, viewer, "GET", "/api/findings?limit=50")).json().items as Listed[];
    const gap = list.find((f) => f.type === "COVERAGE_GAP") as Listed;
    const all: string[] = [];
    for (let offset = 0; ; offset += 5000) {
      const url = `/api/findings/evidence?key=${encodeURIComponent(gap.key)}&offset=${offset}&limit=5000`;
      const page = await call(h.app, viewer, "GET", url);
      expect(page.statusCode).toBe(200);
      const body = page.json() as { items: string[]; total: number };
      expect(body.total).toBe(gap.evidenceTotal);
      all.push(...body.items);
      if (body.items.length < 5000) break;
    }
    expect(all).toHaveLength(gap.evidenceTotal);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, 50)).toEqual(gap.evidence);
    for (let i = 0; i < DEVICES; i += 997) expect(all).toContain(host(i));
  });

  it("is complete in the CSV", async () => {
    const response = await call(h.app, viewer, "GET", "/api/findings.csv?type=COVERAGE_GAP");
    expect(response.statusCode).toBe(200);
    for (let i = 0; i < DEVICES; i += 997) expect(response.body).toContain(host(i));
  });

  it("is 404 for a finding that is not in the run", async () => {
    const response = await call(h.app, viewer, "GET", "/api/findings/evidence?key=nobody%7CCOVERAGE_GAP%7Cx");
    expect(response.statusCode).toBe(404);
  });
});
