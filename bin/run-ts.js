#!/usr/bin/env node
// Runs a TypeScript file of the project (benchmarks, generators) through tsx.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

register();
const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error("usage: run-ts.js FILE [ARGS...]");
  process.exit(2);
}
process.argv = [process.argv[0] ?? "node", file, ...rest];
await import(pathToFileURL(resolve(file)).href);
