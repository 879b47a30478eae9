import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Issue } from "./issues.ts";

export type Path = (string | number)[];

export function pathText(path: Path): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  return s;
}

/** A parsed YAML file that can say where any path is, for errors that point at a line. */
export class YamlFile {
  readonly issues: Issue[] = [];
  readonly value: unknown;
  private readonly lines = new LineCounter();
  private readonly doc;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const e of this.doc.errors) {
      const pos = this.lines.linePos(e.pos[0]);
      this.issues.push({
        severity: "error",
        file,
        line: pos.line,
        column: pos.col,
        message: `YAML syntax error: ${e.message.split("\n")[0]}`,
      });
    }
    this.value = this.doc.errors.length > 0 ? undefined : this.doc.toJS();
  }

  private node(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node) && typeof key === "number") node = node.get(key, true);
      else return undefined;
    }
    return node as Node | undefined;
  }

  /** Line and column of the value at `path`, or of its nearest existing parent. */
  position(path: Path): { line?: number; column?: number } {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node?.range) {
        const pos = this.lines.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  }

  /** The text of a scalar as written, so that `price: 9.90` stays "9.90" and never passes through a float. */
  sourceText(path: Path): string | undefined {
    const node = this.node(path);
    if (!isScalar(node)) return undefined;
    return node.source ?? String(node.value);
  }

  error(path: Path, message: string): void {
    this.issues.push({
      severity: "error",
      file: this.file,
      ...this.position(path),
      field: pathText(path),
      message,
    });
  }

  warn(path: Path, message: string): void {
    this.issues.push({
      severity: "warning",
      file: this.file,
      ...this.position(path),
      field: pathText(path),
      message,
    });
  }
}
