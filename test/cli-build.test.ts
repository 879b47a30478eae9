import { execFile } from "node:child_process";
import { cp, mkdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, Help } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, commandOf } from "../src/cli/commands.ts";
import { bufferIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { repoRoot } from "./fixtures.ts";

// The compiled CLI: `npm ci` builds dist/ (through `prepare`) and bin/trueup.js runs it, loading only
// the command asked for; while the sources are newer than the build, it runs them through tsx.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: repoRoot, env: { ...process.env, TRUEUP_TSX: undefined, ...env } },
      (error, stdout, stderr) => done({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
    );
  });
}

// A package laid out as installed: bin/, dist/ built by scripts/build.js, and src/ holding a stand-in
// main that says it ran from the sources.
const pkg = join(repoRoot, "test-output", `build-${process.pid}`);

beforeAll(async () => {
  await rm(pkg, { recursive: true, force: true });
  await mkdir(join(pkg, "src", "cli"), { recursive: true });
  await cp(join(repoRoot, "bin", "trueup.js"), join(pkg, "bin", "trueup.js"));
  await symlink(join(repoRoot, "node_modules"), join(pkg, "node_modules"));
  await writeFile(
    join(pkg, "src", "cli", "main.ts"),
    'export async function main(): Promise<number> {\n  process.stdout.write("from the sources\\n");\n  return 0;\n}\n',
  );
  const past = new Date(Date.now() - 60_000);
  await utimes(join(pkg, "src", "cli", "main.ts"), past, past);
  await utimes(join(pkg, "src", "cli"), past, past);
  await utimes(join(pkg, "src"), past, past);
  const built = await node([join(repoRoot, "scripts", "build.js"), "--outdir", join(pkg, "dist"), "--quiet"]);
  expect(built.stderr).toBe("");
  expect(built.code).toBe(0);
}, 60_000);

afterAll(() => rm(pkg, { recursive: true, force: true }));

describe("the compiled CLI", () => {
  it("prints the same help as the sources", async () => {
    const io = bufferIo();
    await main(["node", "trueup", "--help"], io);
    const r = await node([join(pkg, "bin", "trueup.js"), "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(io.stdout);
    expect(r.stdout).toContain("validate [options]");
  });

  it("validates a workspace", async () => {
    const r = await node([join(pkg, "bin", "trueup.js"), "validate", "--workspace", "examples/demo"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok: 9 clients, \d+ rows, no errors/);
    expect(r.code).toBe(0);
  });

  it("runs the sources when one is newer than the build, or when TRUEUP_TSX=1", async () => {
    expect((await node([join(pkg, "bin", "trueup.js"), "--help"])).stdout).not.toContain("from the sources");
    expect((await node([join(pkg, "bin", "trueup.js")], { TRUEUP_TSX: "1" })).stdout).toBe(
      "from the sources\n",
    );
    const future = new Date(Date.now() + 60_000);
    await utimes(join(pkg, "src", "cli", "main.ts"), future, future);
    expect((await node([join(pkg, "bin", "trueup.js")])).stdout).toBe("from the sources\n");
  });
});

describe("commands load only when named", () => {
  it("each command's listed term and summary are its own", async () => {
    for (const entry of COMMANDS) {
      const program = new Command("trueup");
      const define = await entry.load();
      define(
        program,
        bufferIo(),
        (f) =>
          async (...args) =>
            void (await f(...args)),
      );
      const cmd = program.commands.find((c) => c.name() === entry.name);
      expect(cmd, entry.name).toBeDefined();
      if (!cmd) continue;
      expect(new Help().subcommandTerm(cmd)).toBe(entry.term);
      expect(cmd.description()).toBe(entry.summary);
    }
  });

  it("the command is the first word that is not an option, or the one after help", () => {
    expect(commandOf(["node", "trueup", "validate", "-w", "x"])?.name).toBe("validate");
    expect(commandOf(["node", "trueup", "help", "sync"])?.name).toBe("sync");
    expect(commandOf(["node", "trueup", "--help"])).toBeUndefined();
    expect(commandOf(["node", "trueup", "bogus"])).toBeUndefined();
  });

  it("an unknown command is refused with the list of commands", async () => {
    const io = bufferIo();
    expect(await main(["node", "trueup", "reconcil"], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'reconcil'");
    expect(io.stderr).toContain("(Did you mean reconcile?)");
  });
});
