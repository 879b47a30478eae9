import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two test files at a time. Vitest's default on this 2-core machine is one (cores - 1), but most
    // files wait on child processes, servers, PostgreSQL or Chromium: the whole suite took 882 s
    // with two against 1,358 s with one (all 1,292 tests passing both ways).
    maxWorkers: 2,
    // The fakes of outside systems listen on http://127.0.0.1: the operator's allowance of plain
    // http to named hosts (docs/security.md). Tests of the https-only rule clear it.
    env: { TRUEUP_ALLOW_HTTP_HOSTS: "127.0.0.1,localhost" },
  },
});
