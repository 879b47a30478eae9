import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCsv } from "../src/workspace/csv.ts";
import { formatIssue } from "../src/workspace/issues.ts";
import {
  checkConfig,
  loadSources,
  type SourceRows,
  type SourceSummary,
  sortIssues,
} from "../src/workspace/load.ts";
import { repoRoot } from "./fixtures.ts";

// Runs sources of any format through the real loader (checkConfig, loadSources, readCsv) on files
// held in memory, for tests that look at the rows a format makes and the errors it reports.

/** A sample export of test/fixtures/formats/. */
export function sample(name: string): Buffer {
  return readFileSync(join(repoRoot, "test", "fixtures", "formats", name));
}

export const CATALOGUE = `currency: USD
services:
  - { id: m365, name: M365, unit: user, cost: "20.00", price: "25.00", vendorSkus: [{ vendor: microsoft, sku: SPB }] }
  - id: edr
    name: EDR
    unit: device
    cost: "4.50"
    price: "9.00"
    deployment: edr
    vendorSkus: [{ vendor: pax8, sku: S1-CMPL-M }]
bundles:
  - { id: gold, name: Gold, per: user, price: "100.00", includes: [{ service: m365 }, { service: edr }] }
`;

export const CLIENTS = `clients:
  - id: contoso
    name: Contoso
    ids: { microsoft: contoso.onmicrosoft.com, rmm: Contoso Ltd, pax8: c0c0-0001, edr: Contoso }
    plans: [{ bundle: gold }]
  - id: fabrikam
    name: Fabrikam
    ids: { microsoft: 5d1e2f3a-0000-4b5c-8d9e-0f1a2b3c4d5e, rmm: 9f8e7d6c-0001, pax8: Fabrikam Inc, edr: fabrikam }
    plans: [{ bundle: gold }]
`;

export interface Loaded {
  rows: SourceRows;
  /** Every error and warning as `validate` prints it. */
  issues: string[];
  /** Per source: rows read, rows left out by reason, the date order used. */
  summaries: SourceSummary[];
}

/** Loads `sources` (YAML list items) reading each `file` from `files`. */
export async function load(
  sources: string,
  files: Record<string, string | Buffer>,
  clients = CLIENTS,
): Promise<Loaded> {
  const { config, issues } = checkConfig(`${CATALOGUE}${clients}sources:\n${sources}`);
  if (!config)
    return {
      rows: { users: [], devices: [], deployments: [], licences: [], billing: [] },
      issues: issues.map(formatIssue),
      summaries: [],
    };
  // Left out: the warning that an invoice file is a vendor's only licence source, which every
  // Partner Center test here would carry (test/workspace-real-exports.test.ts checks it).
  const found = issues.filter((i) => !i.message.startsWith("a Partner Center invoice file is the only"));
  const summaries: SourceSummary[] = [];
  const records = (s: { file: string }) => readCsv(Buffer.from(files[s.file] ?? ""));
  const rows = await loadSources(config, records, found, undefined, summaries);
  sortIssues(found);
  return { rows, issues: found.map(formatIssue), summaries };
}

/** Owners as short text: the client id, or "system:account" when no client matched. */
export function ownerText(o: { client: string } | { account: string; system: string }): string {
  return "client" in o ? o.client : `${o.system}:${o.account}`;
}
