// DuckDB's side of `npm run bench`, compiled by bench/reconcile.ts to bench/out/duckdb-child.mjs and
// run as `node --import ./bench/peak.mjs bench/out/duckdb-child.mjs DIR` (no tsx, as `trueup` runs):
// prints the core counts of the workspace DIR as JSON on stdout.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { duckdbCounts } from "./duckdb.ts";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node bench/out/duckdb-child.mjs WORKSPACE");
  process.exit(2);
}
const config = JSON.parse(readFileSync(join(dir, "bench-rules.json"), "utf8"));
process.stdout.write(JSON.stringify(await duckdbCounts(dir, config)));
