#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` and `npm install` run
// through `prepare`). While the TypeScript sources are newer than that build (someone is editing
// them), or without a build, or with TRUEUP_TSX=1, it runs the sources through tsx instead, so
// `npx trueup` always runs the code as it stands.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The newest modification time of `dir` and everything under it (files and folders). */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtIsCurrent() {
  if (process.env.TRUEUP_TSX === "1") return false;
  const built = statSync(join(root, "dist", ".built"), { throwIfNoEntry: false });
  if (!built) return false;
  const src = join(root, "src");
  return !statSync(src, { throwIfNoEntry: false }) || newest(src) <= built.mtimeMs;
}

let main;
if (builtIsCurrent()) ({ main } = await import("../dist/cli/main.js"));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv);
