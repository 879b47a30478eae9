import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { basicDir, cleanup, repoRoot, workspace } from "./fixtures.ts";

// The real binary in a child process, run from the repository as a new user would.

afterAll(cleanup);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bin(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ["bin/trueup.js", ...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      done({ code: error ? (error.code as number | null) : 0, stdout, stderr });
    });
  });
}

describe("node bin/trueup.js", () => {
  it("reconciles the spec's worked example to expected.json", async () => {
    const ws = relative(repoRoot, basicDir); // ../shared/spec/examples/basic
    const r = await bin("reconcile", "--workspace", ws, "--as-of", "2026-11-01", "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(await readFile(join(basicDir, "expected.json"), "utf8")));
  });

  it("exits 2 on a broken workspace with the errors on stderr and nothing on stdout", async () => {
    const dir = await workspace({ "data/users.csv": "account,upn,enabled\nacme,a@acme.com,maybe\n" });
    const r = await bin("reconcile", "--workspace", dir, "--as-of", "2026-11-01", "--format", "json");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('data/users.csv:2: enabled: expected true or false, got "maybe"');
  });
});
