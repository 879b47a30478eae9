import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The fakes of outside systems listen on http://127.0.0.1: the operator's allowance of plain
    // http to named hosts (docs/security.md). Tests of the https-only rule clear it.
    env: { TRUEUP_ALLOW_HTTP_HOSTS: "127.0.0.1,localhost" },
  },
});
