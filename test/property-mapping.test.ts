import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJsonText } from "../src/core/report.ts";
import { loadWorkspace } from "../src/workspace/load.ts";
import { COLUMNS, KINDS, type Kind, type Workspace, workspaceArb, writeWorkspace } from "./arbitraries.ts";

// Any CSV read through a mapping (random header names in `columns:`, random words for every value in
// `values:`) gives the report the same data give in the canonical formats, evidence lines included.
// FC_SEED=<n> reruns with another seed.

const SEED = Number(process.env.FC_SEED ?? 20261125);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 60);
console.log(`property-mapping: fast-check seed ${SEED}, ${NUM_RUNS} runs`);

const root = await mkdtemp(join(tmpdir(), "trueup-mapping-"));
afterAll(() => rm(root, { recursive: true, force: true }));
let runs = 0;

// Any text but line breaks (they would move the lines evidence cites).
const word = fc.string({ unit: "grapheme", maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, " "));

/** Per kind of file: which columns are renamed and to what, which get a values table, their words. */
const kindMappingArb = fc.record({
  rename: fc.array(fc.tuple(fc.boolean(), word), { minLength: 7, maxLength: 7 }),
  table: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  words: fc.array(word, { minLength: 1, maxLength: 12 }),
});
type KindMapping = typeof kindMappingArb extends fc.Arbitrary<infer T> ? T : never;
const mappingArb = fc.tuple(...KINDS.map(() => kindMappingArb));

/** Quoted when it holds a separator, a quote or edge spaces, so that the header says "comma". */
const csvField = (v: string) => (/[",;\t]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

interface MappedFile {
  text: string;
  columns: Record<string, string>;
  values: Record<string, Record<string, string>>;
}

/** The rows of one file with renamed headers and every value of the tabled columns translated. */
function mappedFile(kind: Kind, rows: Record<string, string>[], m: KindMapping): MappedFile {
  const cols = COLUMNS[kind];
  const columns: Record<string, string> = {};
  const values: Record<string, Record<string, string>> = {};
  const header = cols.map((c, i) => {
    const [renamed, name] = m.rename[i] ?? [false, ""];
    // "#i" keeps names distinct however headers compare; canonical names have no "#".
    if (!renamed && c !== "notes") return c;
    if (c !== "notes") columns[c] = `${name}#${i}`;
    return `${name}#${i}`;
  });
  const theirs = new Map<string, Map<string, string>>();
  cols.forEach((c, i) => {
    if (!m.table[i] || c === "notes") return;
    const distinct = [...new Set(rows.map((r) => (r[c] ?? "").trim()))];
    const table = new Map(distinct.map((v, j) => [v, `${m.words[j % m.words.length]}~${j}`]));
    theirs.set(c, table);
    values[c] = Object.fromEntries([...table].map(([ours, their]) => [their, ours]));
  });
  const line = (r: Record<string, string>) =>
    cols.map((c) => csvField(theirs.get(c)?.get((r[c] ?? "").trim()) ?? r[c] ?? "")).join(",");
  const text = [header.map(csvField).join(","), ...rows.map(line)].join("\n");
  return { text: `${text}\n`, columns, values };
}

async function reportOf(dir: string): Promise<string> {
  const loaded = await loadWorkspace(dir, { today: "2000-01-01" });
  if (!loaded.input) throw new Error(JSON.stringify(loaded.issues.filter((i) => i.severity === "error")));
  return reportToJsonText(reconcile(loaded.input));
}

async function sameAsCanonical(ws: Workspace, mapping: KindMapping[]): Promise<void> {
  const dir = join(root, String(runs++));
  try {
    await writeWorkspace(ws, join(dir, "canonical"));
    await writeWorkspace(ws, join(dir, "mapped"));
    const config = JSON.parse(await readFile(join(dir, "mapped", "trueup.yaml"), "utf8"));
    for (const [k, kind] of KINDS.entries()) {
      const rows = ws.files[kind];
      if (rows === undefined) continue;
      const file = mappedFile(kind, rows, mapping[k] as KindMapping);
      await mkdir(join(dir, "mapped", "data"), { recursive: true });
      await writeFile(join(dir, "mapped", "data", `${kind}.csv`), file.text);
      const source = config.sources.find((s: { file: string }) => s.file === `data/${kind}.csv`);
      Object.assign(source, { format: undefined, columns: file.columns, values: file.values });
    }
    await writeFile(join(dir, "mapped", "trueup.yaml"), JSON.stringify(config, null, 2));
    expect(await reportOf(join(dir, "mapped"))).toBe(await reportOf(join(dir, "canonical")));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("mapping-based sources", () => {
  it("give the report of the same data in the canonical formats", async () => {
    await fc.assert(
      fc.asyncProperty(workspaceArb(), mappingArb, (ws, mapping) => sameAsCanonical(ws, mapping)),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });
});
