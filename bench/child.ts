// Runs `trueup reconcile --workspace DIR --format json` in this process, for bench/reconcile.ts.
// Launched as `node --import tsx bench/child.ts DIR` with stdout discarded; it reports its own timing
// and peak RSS as one JSON object on file descriptor 3: {"maxRssKb": ..., "ms": ..., "code": ...}.

import { writeSync } from "node:fs";

import { main } from "../src/cli/main.ts";

const workspace = process.argv[2];
if (!workspace) {
  console.error("usage: node --import tsx bench/child.ts WORKSPACE");
  process.exit(2);
}

const started = performance.now();
const code = await main(["node", "trueup", "reconcile", "--workspace", workspace, "--format", "json"]);
const ms = performance.now() - started;
writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms, code }));
process.exitCode = code;
