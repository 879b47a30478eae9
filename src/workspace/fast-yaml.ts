// A fast reader of the plain YAML a trueup.yaml is written in: block mappings and sequences, flow
// mappings and lists (over several lines too), quoted and plain one-line scalars, comments. It gives
// what `yaml`'s parse gives (core schema) or nothing (`undefined`) when the text uses anything else
// (anchors, tags, block scalars, multi-line plain scalars, escapes, numbers other than whole ones and
// plain decimals, duplicate keys, anything odd): yaml.ts then parses it with the `yaml` package, which
// also gives every node's position. checkConfig of a 2,000-client trueup.yaml: 5-8x less CPU.
// A number's text as written ("0.780", "9.90") is kept beside the value (`NumberTexts`), so that an
// amount read from it never passes through a float and needs no `yaml` document either.

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

const INT = /^[-+]?[0-9]+$/;
/** A plain decimal ("0.78", "-12.50"): the core schema reads it as a float, as Number does. */
const DECIMAL = /^[-+]?[0-9]+\.[0-9]+$/;
/** Plain scalars the core schema reads as something other than text and that this reader leaves to `yaml`. */
const OTHER =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** A plain scalar's value as the core schema reads it. */
function plain(s: string): unknown {
  // Text that starts with a letter and is longer than "false" is text (most keys and values): no
  // pattern below can take it.
  const c = s.charCodeAt(0) | 32;
  if (c >= 97 && c <= 122 && s.length > 5) return s;
  if (s === "" || s === "null" || s === "~") return null;
  if (s === "true") return true;
  if (s === "false") return false;
  if (INT.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : bail();
  }
  if (DECIMAL.test(s)) return Number(s);
  if (OTHER.test(s)) return bail();
  // Characters that start another kind of node, or that need the full parser's rules.
  if (/^[&*!|>%@`'"{}[\],#?:-]/.test(s) && !/^-[^\s]/.test(s) && !/^[?:][^\s]/.test(s)) return bail();
  return s;
}

type Obj = Record<string, unknown>;

/** The text of each number as written, by the mapping or list that holds it and its key there. */
export type NumberTexts = WeakMap<object, Map<string | number, string>>;

function noteNumber(texts: NumberTexts, container: object, key: string | number, text: string): void {
  let byKey = texts.get(container);
  if (!byKey) {
    byKey = new Map();
    texts.set(container, byKey);
  }
  byKey.set(key, text);
}

function setKey(o: Obj, key: string, value: unknown): void {
  if (key === "__proto__" || key === "<<" || Object.hasOwn(o, key)) bail();
  o[key] = value;
}

class FastYaml {
  private readonly lines: string[];
  private i = 0;
  readonly numbers: NumberTexts = new WeakMap();
  /** The text of the plain scalar `inline` read last (its number's text as written). */
  private lastText = "";

  constructor(text: string) {
    if (/[\t\r\\]/.test(text) || text.startsWith("%") || /^(---|\.\.\.)/m.test(text)) bail();
    this.lines = text.split("\n");
  }

  /** Indentation of line k (-1 for a blank or comment-only line). */
  private indent(k: number): number {
    const line = this.lines[k] as string;
    let n = 0;
    while (line.charCodeAt(n) === 32) n++;
    return n === line.length || line[n] === "#" ? -1 : n;
  }

  /** The next line that holds something, from line i. */
  private skip(): void {
    while (this.i < this.lines.length && this.indent(this.i) === -1) this.i++;
  }

  document(): unknown {
    this.skip();
    if (this.i >= this.lines.length) return null;
    const n = this.indent(this.i);
    if (n !== 0) bail();
    const v = this.block(n, n);
    this.skip();
    if (this.i < this.lines.length) bail();
    return v;
  }

  /** A block node whose first line is line i from column `col`, its other lines at indent `n`. */
  private block(n: number, col: number): unknown {
    const line = this.lines[this.i] as string;
    const rest = line.slice(col);
    if (rest === "-" || rest.startsWith("- ")) return this.sequence(n, col);
    return this.mapping(n, col);
  }

  private sequence(n: number, col: number): unknown[] {
    const out: unknown[] = [];
    let c = col;
    for (;;) {
      const line = this.lines[this.i] as string;
      if (!(line.length === c + 1 || line[c + 1] === " ") || line[c] !== "-") bail();
      let s = c + 1;
      while (line.charCodeAt(s) === 32) s++;
      if (s >= line.length || line[s] === "#") {
        // "-" alone: the item is on the lines below, or is null.
        this.i++;
        this.skip();
        const m = this.i < this.lines.length ? this.indent(this.i) : -1;
        out.push(m > n ? this.block(m, m) : null);
      } else if (this.isKey(line, s)) {
        out.push(this.mapping(s, s));
      } else {
        const v = this.inline(line, s, n);
        if (typeof v === "number") noteNumber(this.numbers, out, out.length, this.lastText);
        out.push(v);
      }
      this.skip();
      if (this.i >= this.lines.length || this.indent(this.i) !== n) break;
      c = n;
      const next = this.lines[this.i] as string;
      if (next[n] !== "-") break;
    }
    return out;
  }

  /** Whether a block mapping's entry starts at column s of the line: a key, then ":". */
  private isKey(line: string, s: number): boolean {
    const ch = line[s];
    if (ch === "{" || ch === "[") return false;
    if (ch === '"' || ch === "'") {
      const end = this.quotedEnd(line, s);
      return line[end] === ":";
    }
    const colon = line.indexOf(":", s);
    return colon !== -1 && (colon + 1 === line.length || line[colon + 1] === " ");
  }

  private mapping(n: number, col: number): Obj {
    const out: Obj = {};
    let c = col;
    for (;;) {
      const line = this.lines[this.i] as string;
      let key: string;
      let at: number;
      if (line[c] === '"' || line[c] === "'") {
        const end = this.quotedEnd(line, c);
        key = this.quoted(line.slice(c, end));
        at = end;
      } else {
        at = line.indexOf(":", c);
        if (at === -1) bail();
        key = line.slice(c, at).trimEnd();
        if (key === "" || plain(key) !== key || / #/.test(key)) bail();
      }
      if (line[at] !== ":" || !(at + 1 === line.length || line[at + 1] === " ")) bail();
      let s = at + 1;
      while (line.charCodeAt(s) === 32) s++;
      if (s >= line.length || line[s] === "#") {
        this.i++;
        this.skip();
        const m = this.i < this.lines.length ? this.indent(this.i) : -1;
        const lineM = this.lines[this.i] ?? "";
        if (m > n) setKey(out, key, this.block(m, m));
        else if (m === n && (lineM.slice(m) === "-" || lineM.slice(m).startsWith("- ")))
          setKey(out, key, this.sequence(m, m));
        else setKey(out, key, null);
      } else {
        const v = this.inline(line, s, n);
        setKey(out, key, v);
        if (typeof v === "number") noteNumber(this.numbers, out, key, this.lastText);
      }
      this.skip();
      if (this.i >= this.lines.length) break;
      const m = this.indent(this.i);
      if (m < n) break;
      if (m > n) bail();
      c = n;
      const next = this.lines[this.i] as string;
      if (next[n] === "-" && (next.length === n + 1 || next[n + 1] === " ")) break;
    }
    return out;
  }

  /** A value on one line from column s (a flow node may go on over more lines); moves past it. */
  private inline(line: string, s: number, n: number): unknown {
    const ch = line[s];
    let value: unknown;
    let end: number;
    if (ch === "{" || ch === "[") {
      const flow = new Flow(this.lines, this.i, s, this.numbers);
      value = flow.node();
      this.i = flow.line;
      const rest = (this.lines[this.i] as string).slice(flow.col);
      if (rest.trim() !== "" && !rest.trimStart().startsWith("#")) bail();
      this.i++;
      return value;
    }
    if (ch === '"' || ch === "'") {
      end = this.quotedEnd(line, s);
      value = this.quoted(line.slice(s, end));
      const rest = line.slice(end);
      if (rest.trim() !== "" && !/^\s+#/.test(rest)) bail();
    } else {
      const hash = line.indexOf(" #", s);
      const text = (hash === -1 ? line.slice(s) : line.slice(s, hash)).trimEnd();
      if (text.includes(": ") || text.endsWith(":")) bail();
      value = plain(text);
      this.lastText = text;
    }
    this.i++;
    // A more indented line after a scalar would continue it (a multi-line plain scalar).
    this.skip();
    if (this.i < this.lines.length && this.indent(this.i) > n) {
      const next = this.lines[this.i] as string;
      const m = this.indent(this.i);
      if (!(next[m] === "-" && m === n)) bail();
    }
    return value;
  }

  /** Column just after the quoted scalar that starts at column s (on the same line). */
  private quotedEnd(line: string, s: number): number {
    const q = line[s] as string;
    let k = s + 1;
    for (;;) {
      const e = line.indexOf(q, k);
      if (e === -1) return bail();
      if (q === "'" && line[e + 1] === "'") {
        k = e + 2;
        continue;
      }
      return e + 1;
    }
  }

  private quoted(token: string): string {
    const body = token.slice(1, -1);
    return token[0] === "'" ? body.replaceAll("''", "'") : body;
  }
}

/** Where a plain scalar in a flow node ends (see Flow.scalar). */
const PLAIN_END = /[,{}[\]]|:(?=[ ,}\]]|$)|(?<= )#/g;

/** A flow mapping or list from (line, col), over as many lines as it takes. */
class Flow {
  /** The text of the plain scalar `scalar` read last. */
  private lastText = "";

  constructor(
    private readonly lines: string[],
    public line: number,
    public col: number,
    private readonly numbers: NumberTexts,
  ) {}

  private get text(): string {
    return this.lines[this.line] as string;
  }

  /** Moves to the next character that is not a space, a line end or a comment. */
  private space(): void {
    for (;;) {
      const t = this.text;
      while (this.col < t.length && t.charCodeAt(this.col) === 32) this.col++;
      if (this.col < t.length && t[this.col] !== "#") return;
      if (this.col < t.length && t[this.col] === "#" && this.col > 0 && t[this.col - 1] !== " ") bail();
      this.line++;
      this.col = 0;
      if (this.line >= this.lines.length) bail();
    }
  }

  node(): unknown {
    this.space();
    const ch = this.text[this.col];
    if (ch === "{") return this.map();
    if (ch === "[") return this.list();
    return this.scalar(false);
  }

  private map(): Obj {
    const out: Obj = {};
    this.col++;
    for (;;) {
      this.space();
      if (this.text[this.col] === "}") {
        this.col++;
        return out;
      }
      const key = this.scalar(true);
      if (typeof key !== "string" || key === "") bail();
      this.space();
      if (this.text[this.col] !== ":") bail();
      this.col++;
      this.space();
      const ch = this.text[this.col];
      const v = ch === "," || ch === "}" ? null : this.node();
      setKey(out, key as string, v);
      if (typeof v === "number") noteNumber(this.numbers, out, key as string, this.lastText);
      this.space();
      if (this.text[this.col] === ",") this.col++;
      else if (this.text[this.col] !== "}") bail();
    }
  }

  private list(): unknown[] {
    const out: unknown[] = [];
    this.col++;
    for (;;) {
      this.space();
      if (this.text[this.col] === "]") {
        this.col++;
        return out;
      }
      const v = this.node();
      if (typeof v === "number") noteNumber(this.numbers, out, out.length, this.lastText);
      out.push(v);
      this.space();
      const ch = this.text[this.col];
      if (ch === ":") bail(); // a single-pair mapping inside a list
      if (ch === ",") this.col++;
      else if (ch !== "]") bail();
    }
  }

  /** A quoted or plain scalar on the current line; a key's plain scalar ends at ":". */
  private scalar(key: boolean): unknown {
    const t = this.text;
    const ch = t[this.col];
    if (ch === '"' || ch === "'") {
      let k = this.col + 1;
      for (;;) {
        const e = t.indexOf(ch, k);
        if (e === -1) bail();
        if (ch === "'" && t[e + 1] === "'") {
          k = e + 2;
          continue;
        }
        const body = t.slice(this.col + 1, e);
        this.col = e + 1;
        return ch === "'" ? body.replaceAll("''", "'") : body;
      }
    }
    // The scalar ends at a flow indicator, a ": " (or ":" before one), or a comment's "#".
    PLAIN_END.lastIndex = this.col;
    const end = PLAIN_END.exec(t);
    const e = end === null ? t.length : end.index;
    const text = t.slice(this.col, e).trimEnd();
    const value = text === "" ? bail() : plain(text);
    if (key && value !== text) bail();
    this.col = e;
    // A plain scalar that reaches the end of its line could go on on the next: leave that to `yaml`.
    if (e >= t.length || t[e] === "#") bail();
    this.lastText = text;
    return value;
  }
}

/** The value of a YAML text as `yaml`'s parse gives it, or undefined when the text needs the full parser. */
export function fastYaml(text: string): { value: unknown; numbers: NumberTexts } | undefined {
  try {
    const reader = new FastYaml(text);
    return { value: reader.document(), numbers: reader.numbers };
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}
