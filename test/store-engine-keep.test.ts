import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeRunTasks, ENGINE_KEEP_ENV, engineKeepSeconds, runTasks } from "../src/store/run-worker.ts";
import type { Config } from "../src/workspace/config.ts";
import { checkConfig } from "../src/workspace/load.ts";
import { repoRoot } from "./fixtures.ts";

// The engine's thread keeps the input of the latest imports while it is used, and stops once idle for
// TRUEUP_ENGINE_KEEP_S (default 60 s), its memory with it (src/store/run-worker.ts): a server left
// alone after a run held 850 MB for as long as it ran.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const demo = checkConfig(await readFile(join(repoRoot, "examples", "demo", "trueup.yaml"), "utf8"));
const config = demo.config as Config;
const owners: object[] = [];

afterAll(async () => {
  await Promise.all(owners.map((o) => closeRunTasks(o)));
});

function tasksWith(env: NodeJS.ProcessEnv) {
  const owner = {};
  owners.push(owner);
  return runTasks(owner, env).engine;
}

describe("the engine's thread", () => {
  it("stops once idle for TRUEUP_ENGINE_KEEP_S, its input with it, and starts again when asked", async () => {
    expect(demo.issues).toEqual([]);
    const engine = tasksWith({ [ENGINE_KEEP_ENV]: "1" });
    await engine.begin("k1", config);
    expect(await engine.has("k1")).toBe(true);
    // Each task restarts the wait: asked every 400 ms for 1.6 s, it keeps the input.
    for (let i = 0; i < 4; i++) {
      await sleep(400);
      expect(await engine.has("k1")).toBe(true);
    }
    await sleep(1800);
    expect(await engine.has("k1")).toBe(false);
    await engine.begin("k2", config);
    expect(await engine.has("k2")).toBe(true);
  }, 30_000);

  it("keeps the input a minute by default", async () => {
    const engine = tasksWith({});
    await engine.begin("k", config);
    await sleep(1800);
    expect(await engine.has("k")).toBe(true);
  }, 30_000);

  it("reads TRUEUP_ENGINE_KEEP_S as whole seconds up to a day", () => {
    expect(["0", "60", "86400"].map(engineKeepSeconds)).toEqual([0, 60, 86400]);
    for (const bad of ["", "86401", "-1", "1.5", "1m", " 60"]) expect(engineKeepSeconds(bad)).toBeUndefined();
  });
});
