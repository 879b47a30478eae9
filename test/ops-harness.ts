import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { childEnv, runBinary } from "./cli-harness.ts";
import { repoRoot } from "./fixtures.ts";

// What the operations tests share: `trueup serve` and other commands as an operator runs them, as
// child processes of the real binary.

export interface Served {
  child: ChildProcess;
  url: string;
  readonly stdout: string;
  readonly stderr: string;
  stop(): Promise<number | null>;
}

/** Starts `trueup serve --port 0 ARGS` and resolves once it says where it runs. */
export function serve(env: Record<string, string | undefined>, args: string[] = []): Promise<Served> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, "bin", "trueup.js"), "serve", "--port", "0", ...args],
    {
      env: childEnv({ TRUEUP_LOG_LEVEL: "warn", ...env }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (d) => {
      stdout += d;
      const found = /running at (http:\/\/\S+\/)/.exec(stdout);
      if (found?.[1] && stdout.endsWith("\n"))
        setTimeout(
          () =>
            resolve({
              child,
              url: found[1] as string,
              get stdout() {
                return stdout;
              },
              get stderr() {
                return stderr;
              },
              stop() {
                if (child.exitCode !== null) return Promise.resolve(child.exitCode);
                child.kill("SIGTERM");
                return exited;
              },
            }),
          100,
        );
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

/** Runs `trueup ARGS` to its end. */
export function trueupBinary(args: string[], env: Record<string, string | undefined>) {
  return runBinary(args, { TRUEUP_LOG_LEVEL: "warn", ...env });
}

/** Polls `f` until it returns true or `ms` have passed. */
export async function eventually(f: () => Promise<boolean>, ms = 30_000, every = 250): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await f().catch(() => false)) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, every));
  }
}
