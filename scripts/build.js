#!/usr/bin/env node
// `npm run build` (also run by `prepare`, so by `npm ci` and `npm install`): compiles the CLI and the
// server to JavaScript in dist/, which bin/trueup.js runs. One bundle per entry, split into chunks
// that each command loads only when it runs, so `trueup --help` reads a few hundred kB, not the
// server's and the database's code. Packages stay in node_modules (not bundled).
// A stamp (dist/.built) records when, so bin/trueup.js can tell a build older than the sources.
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Entries: the CLI, and the worker thread the server reconciles and parses imports in. */
export const ENTRIES = ["src/cli/main.ts", "src/store/worker.ts", "src/store/db-worker.ts"];

/**
 * Small pure-JavaScript packages every command uses are bundled: loading yaml alone from
 * node_modules reads about 80 files. The others (the server's, the database's) stay where they are.
 */
const BUNDLED = new Set(["yaml", "csv-parse", "csv-parse/sync", "decimal.js", "commander"]);
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(args.path) ? undefined : { external: true }));
  },
};

/** `--outdir DIR` builds elsewhere (the tests do); the default is dist/, where bin/trueup.js looks. */
const at = process.argv.indexOf("--outdir");
const OUT = resolve(ROOT, at > 0 ? (process.argv[at + 1] ?? "dist") : "dist");

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  // Entries and chunks are two folders deep (dist/cli/main.js, dist/chunks/x.js), as the sources are
  // (src/cli/files.ts): packagePath() finds templates/ and examples/ the same way from both.
  outdir: OUT,
  outbase: "src",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  plugins: [externalPackages],
  // Bundled CommonJS packages (yaml, commander) require Node's own modules.
  banner: {
    js: 'import { createRequire as __trueupRequire } from "node:module";\nconst require = __trueupRequire(import.meta.url);',
  },
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  logLevel: "warning",
});
writeFileSync(join(OUT, ".built"), `${new Date().toISOString()}\n`);
if (!process.argv.includes("--quiet"))
  console.log(`trueup: built ${OUT} in ${Math.round(performance.now() - started)} ms`);
