import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./fixtures.ts";

// A rule left open in styles.css makes every rule after it a nested rule that never applies, with no
// error anywhere (two merges did this). Blocks must close, and only at-rules may hold rules.

/** Each problem: a rule opened inside a rule, a brace closing nothing, or blocks left open at the end. */
function openRules(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
  const problems: string[] = [];
  const stack: { atRule: boolean; line: number }[] = [];
  let start = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") line++;
    if (ch === "{") {
      const head = text.slice(start, i).trim();
      const parent = stack[stack.length - 1];
      if (parent && !parent.atRule && !head.startsWith("@"))
        problems.push(`line ${line}: "${head}" opens inside the rule of line ${parent.line}`);
      stack.push({ atRule: head.startsWith("@"), line });
      start = i + 1;
    } else if (ch === "}") {
      if (!stack.pop()) problems.push(`line ${line}: } closes nothing`);
      start = i + 1;
    } else if (ch === ";") start = i + 1;
  }
  for (const open of stack) problems.push(`line ${open.line}: block never closed`);
  return problems;
}

describe("web/src/styles.css", () => {
  it("closes every rule (a rule left open silently swallows the rest of the file)", async () => {
    expect(openRules(await readFile(join(repoRoot, "web", "src", "styles.css"), "utf8"))).toEqual([]);
  });

  it("finds a rule left open", () => {
    expect(openRules(".a {\n  color: red;\n.b {\n  color: blue;\n}\n")).toEqual([
      'line 3: ".b" opens inside the rule of line 1',
      "line 1: block never closed",
    ]);
    expect(openRules("@media print {\n  .a { color: red; }\n}\n")).toEqual([]);
  });
});
