// Preloaded into each process `npm run bench` times (node --import ./bench/peak.mjs bin/trueup.js ...):
// at exit it writes {"maxRssKb", "ms", "code"} on file descriptor 3: the process's peak RSS, the time
// from this preload (Node's own start-up excluded) and the exit code. Plain JavaScript, so the process
// runs as a user runs it (the compiled CLI), without tsx.
import { writeSync } from "node:fs";

const started = performance.now();
process.on("exit", (code) => {
  const ms = performance.now() - started;
  writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms, code }));
});
