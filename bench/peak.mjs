// Preloaded into each process `npm run bench` times (node --import ./bench/peak.mjs bin/trueup.js ...):
// at exit it writes {"maxRssKb", "ms", "cpuMs", "code"} on file descriptor 3: the process's peak RSS,
// the time from this preload (Node's own start-up excluded), its CPU time (user and system, all
// threads: what a busy machine does not inflate as it does the wall time) and the exit code. Plain JavaScript, so the process
// runs as a user runs it (the compiled CLI), without tsx.
import { writeSync } from "node:fs";

const started = performance.now();
process.on("exit", (code) => {
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage();
  const cpuMs = (user + system) / 1000;
  writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms, cpuMs, code }));
});
