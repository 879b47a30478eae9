import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJsonText } from "../src/core/report.ts";
import { loadWorkspace } from "../src/workspace/load.ts";
import {
  type Client,
  contractPrice,
  productOf,
  type Refs,
  type Row,
  subjectOfProduct,
  type Workspace,
  workspaceArb,
  writeWorkspace,
} from "./arbitraries.ts";

// Properties of reconcile over generated workspaces, run through the real loader (spec 3 to 6).
// FC_SEED=<n> reruns with another seed; a failure prints its seed and shrunk counterexample.

const SEED = Number(process.env.FC_SEED ?? 20261101);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);
const params = { seed: SEED, numRuns: NUM_RUNS };
console.log(`property-reconcile: fast-check seed ${SEED}, ${NUM_RUNS} runs per property`);

const D = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP });
const cents = (d: Decimal.Value) => new D(d).toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2);
const shownPrice = (text: string) =>
  new D(text).decimalPlaces() <= 2 ? new D(text).toFixed(2) : new D(text).toString();

type FindingJson = {
  type: string;
  subject: string;
  expected: number | string | null;
  actual: number | string | null;
  monthlyImpact: string;
  evidence: string[];
  reducibleOn?: string;
};
type LineJson = {
  subject: string;
  required: number | null;
  billed: number | null;
  purchased: number | null;
  price: string | null;
};
type ClientJson = { id: string; lines: LineJson[]; findings: FindingJson[] } & Record<string, unknown>;
type Totals = Record<
  "underBilled" | "overBilled" | "licenceWaste" | "licenceShortfall" | "unmapped",
  string
> & {
  coverageGaps: number;
  findings: number;
};
type ReportJson = { asOf: string; currency: string; totals: Totals; clients: ClientJson[] };

const root = await mkdtemp(join(tmpdir(), "trueup-property-"));
afterAll(() => rm(root, { recursive: true, force: true }));
let runs = 0;

/** Writes the workspace, loads it with the real loader and reconciles it. */
async function run(ws: Workspace, shuffleSeed?: number) {
  const dir = join(root, String(runs++));
  try {
    const refs = await writeWorkspace(ws, dir, shuffleSeed);
    const loaded = await loadWorkspace(dir, { today: "2000-01-01" });
    const errors = loaded.issues.filter((i) => i.severity === "error");
    if (!loaded.input) throw new Error(`the generator wrote a bad workspace: ${JSON.stringify(errors)}`);
    const text = reportToJsonText(reconcile(loaded.input));
    return { text, json: JSON.parse(text) as ReportJson, refs, input: loaded.input };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const clientOf = (ws: Workspace, id: string) => ws.clients.find((c) => c.id === id) as Client;
const psaRow = (refs: Refs, f: FindingJson) => refs.get(f.evidence[0] ?? "") ?? {};
const cost = (ws: Workspace, subject: string) => ws.services.find((s) => `service:${s.id}` === subject)?.cost;
const psaIds = (client: Client) => [client.ids.psa ?? []].flat().map((id) => id.toLowerCase());
const isFormer = (ws: Workspace, client: Client) => client.ended !== undefined && ws.asOf >= client.ended;

/** The client's PSA rows of a subject, from the generated rows (under any of its PSA ids). */
function billedRows(ws: Workspace, client: Client, subject: string): Row[] {
  const ids = psaIds(client);
  return (ws.files.psa ?? []).filter(
    (r) =>
      ids.includes(r.account?.trim().toLowerCase() ?? "") &&
      subjectOfProduct(ws, r.product ?? "") === subject,
  );
}
const billedQuantity = (ws: Workspace, client: Client, subject: string) =>
  billedRows(ws, client, subject).reduce((n, r) => n + Number.parseInt(r.quantity ?? "", 10), 0);

/** A licence comparison runs for the service (4.5): a pax8 source, a pax8 SKU, not client-paid. */
function licenceRuns(ws: Workspace, client: Client, subject: string): boolean {
  const s = ws.services.find((x) => `service:${x.id}` === subject);
  if (!s || !ws.files.pax8 || client.clientPaid?.includes(s.id)) return false;
  return s.vendorSkus.some((v) => v.vendor === "pax8");
}

/** The money on unmapped rows (5): billed quantity x unitPrice, bought quantity x unitCost. */
function rowsMoney(refs: Refs, f: FindingJson): Decimal {
  let total = new D(0);
  for (const ref of f.evidence) {
    const r = refs.get(ref) ?? {};
    if (ref.startsWith("data/psa.csv"))
      total = total.plus(new D(r.unitPrice ?? "0").times(r.quantity ?? "0"));
    if (ref.startsWith("data/pax8.csv"))
      total = total.plus(new D(r.unitCost || "0").times(r.quantity ?? "0"));
  }
  return total;
}

/** Findings as a multiset with file:line evidence cut to the file (line numbers move with the rows). */
function normalise(r: ReportJson) {
  const evidence = (e: string) => (/\.csv:\d+$/.test(e) ? e.replace(/:\d+$/, "") : e);
  const clients = r.clients.map((c) => ({
    ...c,
    findings: c.findings
      .map((f) => JSON.stringify({ ...f, evidence: f.evidence.map(evidence).sort() }))
      .sort(),
  }));
  return { ...r, clients };
}

/** Shuffling every CSV's rows and columns (with BOM and CRLF) changes nothing but file:line evidence. */
async function sameWhenShuffled(ws: Workspace, shuffle: number) {
  const plain = await run(ws);
  const shuffled = await run(ws, shuffle);
  expect(normalise(shuffled.json)).toEqual(normalise(plain.json));
}

/** Totals recomputed from the printed findings; PRICE_MISMATCH sides judged on the exact input prices. */
async function totalsAddUp(ws: Workspace) {
  const { json, refs } = await run(ws);
  const zero = new D(0);
  const sum = {
    underBilled: zero,
    overBilled: zero,
    licenceWaste: zero,
    licenceShortfall: zero,
    unmapped: zero,
  };
  const add = (key: keyof typeof sum, f: FindingJson) => {
    sum[key] = sum[key].plus(f.monthlyImpact);
  };
  let coverageGaps = 0;
  let findings = 0;
  for (const c of json.clients) {
    for (const f of c.findings) {
      findings += 1;
      if (f.type === "UNDER_BILLED") add("underBilled", f);
      if (f.type === "OVER_BILLED") add("overBilled", f);
      if (f.type === "LICENCE_SURPLUS" || f.type === "ORPHAN_LICENCE") add("licenceWaste", f);
      if (f.type === "LICENCE_SHORTFALL") add("licenceShortfall", f);
      if (f.type.startsWith("UNMAPPED_")) add("unmapped", f);
      if (f.type === "COVERAGE_GAP") coverageGaps += f.evidence.length;
      if (f.type === "PRICE_MISMATCH") {
        const contract = contractPrice(ws, clientOf(ws, c.id), f.subject) ?? "";
        add(new D(psaRow(refs, f).unitPrice ?? "").lessThan(contract) ? "underBilled" : "overBilled", f);
      }
    }
  }
  const [u, o, w, s] = [sum.underBilled, sum.overBilled, sum.licenceWaste, sum.licenceShortfall];
  const printed = { underBilled: u.toFixed(2), overBilled: o.toFixed(2), licenceWaste: w.toFixed(2) };
  const unmapped = sum.unmapped.toFixed(2);
  expect(json.totals).toEqual({
    ...printed,
    licenceShortfall: s.toFixed(2),
    unmapped,
    coverageGaps,
    findings,
  });
}

describe("reconcile over generated workspaces", () => {
  // Rows of one device that tie on lastSeen and hostname (spec 4.1 leaves them unordered) are
  // generated too: the engine orders them by their other fields, so row order still never matters.
  it("gives the same report whatever the order of rows and columns (spec 3, 4.1, 5)", async () => {
    const arb = fc.tuple(workspaceArb(), fc.integer());
    await fc.assert(
      fc.asyncProperty(arb, ([ws, shuffle]) => sameWhenShuffled(ws, shuffle)),
      params,
    );
  });

  it("totals are the sums of the findings as printed (spec 6)", async () => {
    await fc.assert(fc.asyncProperty(workspaceArb(), totalsAddUp), params);
  });

  it("billing exactly the missing quantity removes that UNDER_BILLED and nothing else (spec 5)", async () => {
    let exercised = 0;
    await fc.assert(
      fc.asyncProperty(workspaceArb(), fc.nat(), async (ws, pick) => {
        const before = await run(ws);
        const candidates = before.json.clients.flatMap((c) =>
          c.findings
            .filter((f) => f.type === "UNDER_BILLED" && productOf(ws, f.subject))
            .map((f) => ({ c, f })),
        );
        const chosen = candidates[pick % Math.max(1, candidates.length)];
        if (!chosen) return;
        exercised += 1;
        const { c, f } = chosen;
        const client = clientOf(ws, c.id);
        const missing = Number(f.expected) - Number(f.actual);
        const more = structuredClone(ws);
        more.files.psa?.push({
          account: [client.ids.psa ?? ""].flat()[0] ?? "",
          product: productOf(ws, f.subject) ?? "",
          quantity: String(missing),
          unitPrice: contractPrice(ws, client, f.subject) ?? "",
          agreement: "true-up",
        });
        const after = await run(more);
        const expected = before.json.clients.map((x) =>
          x !== c
            ? x
            : {
                ...x,
                findings: x.findings.filter((y) => y !== f),
                lines: x.lines.map((l) => (l.subject === f.subject ? { ...l, billed: f.expected } : l)),
              },
        );
        expect(after.json.clients).toEqual(expected);
        const underBilled = new D(before.json.totals.underBilled).minus(f.monthlyImpact).toFixed(2);
        const findings = before.json.totals.findings - 1;
        expect(after.json.totals).toEqual({ ...before.json.totals, underBilled, findings });
      }),
      params,
    );
    expect(exercised).toBeGreaterThan(NUM_RUNS / 3);
  });

  it("writes every amount as exact decimal cents, computed without binary floating point (spec 5)", async () => {
    let floatWouldErr = 0; // impacts that binary floating point gets wrong (1.005 x 1 -> "1.00")
    await fc.assert(
      fc.asyncProperty(workspaceArb(), async (ws) => {
        const { json, refs } = await run(ws);
        const money: string[] = [json.totals.underBilled, json.totals.overBilled];
        money.push(json.totals.licenceWaste, json.totals.licenceShortfall, json.totals.unmapped);
        for (const c of json.clients) {
          for (const l of c.lines) if (l.price !== null) money.push(l.price);
          for (const f of c.findings) money.push(f.monthlyImpact);
        }
        for (const m of money) expect(m).toMatch(/^-?\d+\.\d{2}$/);

        for (const c of json.clients) {
          const client = clientOf(ws, c.id);
          for (const f of c.findings) {
            const gap = () => Math.abs(Number(f.expected) - Number(f.actual));
            let exact: Decimal;
            if (f.type === "OVER_BILLED" && isFormer(ws, client)) {
              // What a former client is still charged: its lines' quantity x their own price (4.6).
              expect(f.actual).toBe(billedQuantity(ws, client, f.subject));
              exact = billedRows(ws, client, f.subject).reduce(
                (t, r) => t.plus(new D(r.unitPrice ?? "").times(r.quantity ?? "")),
                new D(0),
              );
            } else if (f.type === "UNDER_BILLED" || f.type === "OVER_BILLED") {
              expect(f.actual).toBe(billedQuantity(ws, client, f.subject));
              const price = contractPrice(ws, client, f.subject) ?? "";
              exact = new D(price).times(gap());
              if ((Number(price) * gap()).toFixed(2) !== cents(exact)) floatWouldErr += 1;
            } else if (f.type === "PRICE_MISMATCH") {
              const r = psaRow(refs, f);
              const contract = contractPrice(ws, client, f.subject) ?? "";
              // The prices themselves are shown exactly: two places, or more when they have them.
              expect([f.expected, f.actual]).toEqual([contract, r.unitPrice].map((p) => shownPrice(p ?? "")));
              exact = new D(r.unitPrice ?? "")
                .minus(contract)
                .abs()
                .times(Number.parseInt(r.quantity ?? "", 10));
            } else if (f.type === "LICENCE_SHORTFALL" || f.type === "LICENCE_SURPLUS") {
              exact = new D(cost(ws, f.subject) ?? "").times(gap());
            } else if (f.type === "ORPHAN_LICENCE") {
              // Seats already in a licence comparison are not counted again (contract 2, 8.1).
              const seats = licenceRuns(ws, client, f.subject) ? 0 : f.evidence.length;
              exact = new D(cost(ws, f.subject) ?? "").times(seats);
            } else if (f.type.startsWith("UNMAPPED_")) {
              exact = rowsMoney(refs, f);
            } else exact = new D(0);
            expect({ ...f, monthlyImpact: f.monthlyImpact }).toEqual({ ...f, monthlyImpact: cents(exact) });
          }
        }
      }),
      params,
    );
    expect(floatWouldErr).toBeGreaterThan(0);
  });

  it("reports every billed line whose quantities differ as UNDER/OVER_BILLED, and no other (spec 5)", async () => {
    await fc.assert(
      fc.asyncProperty(workspaceArb(), async (ws) => {
        if (!ws.files.psa) return; // no billing source: no billing comparison (4.5)
        for (const c of (await run(ws)).json.clients) {
          for (const l of c.lines.filter((x) => x.price !== null && x.required !== null)) {
            const billed = l.billed ?? 0;
            const f = c.findings.find((x) => x.subject === l.subject && x.type.endsWith("_BILLED"));
            const type = billed < Number(l.required) ? "UNDER_BILLED" : "OVER_BILLED";
            const want = billed === l.required ? undefined : { type, expected: l.required, actual: billed };
            expect(f && { type: f.type, expected: f.expected, actual: f.actual }).toEqual(want);
          }
        }
      }),
      params,
    );
  });

  it("counts no seat, and no unmapped row, in two totals (spec 6, contract 2)", async () => {
    let orphanMoney = 0;
    await fc.assert(
      fc.asyncProperty(workspaceArb(), async (ws) => {
        const { json } = await run(ws);
        const rowsSeen = new Set<string>();
        for (const c of json.clients) {
          for (const f of c.findings) {
            if (f.type === "ORPHAN_LICENCE" && f.monthlyImpact !== "0.00") {
              orphanMoney += 1;
              // Leavers' seats carry money only where no licence comparison counts them already.
              const compared = c.findings.filter(
                (x) => x.subject === f.subject && x.type.startsWith("LICENCE_"),
              );
              expect(compared).toEqual([]);
              expect(c.lines.find((l) => l.subject === f.subject)?.purchased ?? null).toBeNull();
            }
            if (!f.type.startsWith("UNMAPPED_")) continue;
            // A row's money is under one unmapped finding only: its account, else its SKU or product.
            for (const ref of f.evidence) {
              expect(rowsSeen.has(ref)).toBe(false);
              rowsSeen.add(ref);
            }
          }
        }
      }),
      params,
    );
    expect(orphanMoney).toBeGreaterThan(0);
  });

  it("a former client requires nothing: only refunds, licences to cancel and stray agents (4.6)", async () => {
    let former = 0;
    await fc.assert(
      fc.asyncProperty(workspaceArb(), async (ws) => {
        const { json } = await run(ws);
        for (const c of json.clients) {
          const client = clientOf(ws, c.id);
          if (!client || !isFormer(ws, client)) continue;
          former += 1;
          for (const l of c.lines) expect([l.subject, l.required, l.price]).toEqual([l.subject, null, null]);
          for (const f of c.findings) {
            expect([
              "OVER_BILLED",
              "LICENCE_SURPLUS",
              "UNKNOWN_AGENT",
              "UNMAPPED_SKU",
              "UNMAPPED_PRODUCT",
            ]).toContain(f.type);
            if (f.type === "OVER_BILLED" || f.type === "LICENCE_SURPLUS") expect(f.expected).toBe(0);
          }
          // Every PSA product it is still billed for is a refund to make.
          const billed = c.lines.filter((l) => (l.billed ?? 0) > 0).map((l) => l.subject);
          const refunds = c.findings.filter((f) => f.type === "OVER_BILLED").map((f) => f.subject);
          expect(refunds.sort()).toEqual(billed.sort());
        }
      }),
      params,
    );
    expect(former).toBeGreaterThan(0);
  });

  it("a surplus's reducibleOn is the earliest term end on or after asOf of the client's rows (5)", async () => {
    let seen = 0;
    await fc.assert(
      fc.asyncProperty(workspaceArb(), async (ws) => {
        const { json, refs } = await run(ws);
        const pax8 = [...refs].filter(([ref]) => ref.startsWith("data/pax8.csv")).map(([, r]) => r);
        for (const c of json.clients) {
          const client = clientOf(ws, c.id);
          if (!client) continue;
          for (const f of c.findings.filter((x) => x.type.startsWith("LICENCE_"))) {
            const service = ws.services.find((s) => `service:${s.id}` === f.subject);
            const skus = (service?.vendorSkus ?? [])
              .filter((v) => v.vendor === "pax8")
              .map((v) => v.sku.toLowerCase());
            const id = (client.ids.pax8 as string).toLowerCase();
            const ends = pax8
              .filter((r) => r.account?.toLowerCase() === id && skus.includes(r.sku?.toLowerCase() ?? ""))
              .map((r) => r.commitmentEnd ?? "")
              .filter((e) => e !== "" && e >= ws.asOf)
              .sort();
            const want = f.type === "LICENCE_SURPLUS" ? ends[0] : undefined;
            if (want) seen += 1;
            expect(f.reducibleOn).toBe(want);
          }
        }
      }),
      params,
    );
    expect(seen).toBeGreaterThan(0);
  });

  it("gives byte-identical JSON for the same workspace, every time (spec 5)", async () => {
    await fc.assert(
      fc.asyncProperty(workspaceArb(), async (ws) => {
        const first = await run(ws);
        expect(reportToJsonText(reconcile(first.input))).toBe(first.text);
        expect((await run(ws)).text).toBe(first.text);
      }),
      params,
    );
  });
});
