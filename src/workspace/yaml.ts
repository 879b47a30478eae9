import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import { fastYaml, type NumberTexts } from "./fast-yaml.ts";
import type { Issue } from "./issues.ts";

/**
 * The yaml library's guard against alias bombs: an alias may expand to at most this many nodes per
 * alias in the file (its own default, written here so that it is a decision, not an accident).
 */
const MAX_ALIAS_COUNT = 100;

export type Path = (string | number)[];
type Obj = Record<string | number, unknown>;

export function pathText(path: Path): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  return s;
}

/**
 * A parsed YAML file that can say where any path is, for errors that point at a line. Plain YAML is
 * read by fast-yaml.ts; the `yaml` package's document, with every node's position, is built only when
 * the text needs it or when a position or a scalar's source text is asked for (an error, a warning).
 */
export class YamlFile {
  readonly issues: Issue[] = [];
  readonly value: unknown;
  private readonly lines = new LineCounter();
  private parsed?: Document.Parsed;
  /** Numbers' texts as written, when fast-yaml read the file. */
  private readonly numbers?: NumberTexts;

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    const fast = fastYaml(text);
    if (fast) {
      this.value = fast.value;
      this.numbers = fast.numbers;
      return;
    }
    const doc = this.doc;
    for (const e of doc.errors) {
      const pos = this.lines.linePos(e.pos[0]);
      this.issues.push({
        severity: "error",
        file,
        line: pos.line,
        column: pos.col,
        message: `YAML syntax error: ${e.message.split("\n")[0]}`,
      });
    }
    this.value = doc.errors.length > 0 ? undefined : this.toValue(doc);
  }

  /** The document as plain values; a "billion laughs" of aliases is an error at its first alias. */
  private toValue(doc: Document.Parsed): unknown {
    try {
      return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      let at: number | undefined;
      visit(doc, {
        Alias: (_key, node) => {
          if (isAlias(node) && node.range) at = node.range[0];
          return visit.BREAK;
        },
      });
      const pos = at === undefined ? undefined : this.lines.linePos(at);
      this.issues.push({
        severity: "error",
        file: this.file,
        ...(pos && { line: pos.line, column: pos.col }),
        message: `too many YAML aliases (*name) expand to too much data; at most ${MAX_ALIAS_COUNT} are read`,
      });
      return undefined;
    }
  }

  private get doc(): Document.Parsed {
    this.parsed ??= parseDocument(this.text, {
      lineCounter: this.lines,
      prettyErrors: false,
      uniqueKeys: true,
    });
    return this.parsed;
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
    if (this.numbers && path.length > 0) {
      let container: unknown = this.value;
      for (const key of path.slice(0, -1)) {
        container = container !== null && typeof container === "object" ? (container as Obj)[key] : undefined;
      }
      const text =
        container !== null && typeof container === "object"
          ? this.numbers.get(container)?.get(path[path.length - 1] as string | number)
          : undefined;
      if (text !== undefined) return text;
    }
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
