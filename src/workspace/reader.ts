import { type Money, parseMoney } from "../core/money.ts";
import { type Path, pathText, type YamlFile } from "./yaml.ts";

type Obj = Record<string, unknown>;

/** Typed reads out of parsed YAML: each bad value becomes an issue at its path, never an exception. */
export class Reader {
  constructor(readonly y: YamlFile) {}

  obj(value: unknown, path: Path, known: readonly string[]): Obj | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.y.error(path, `expected a mapping (key: value), got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key))
        this.y.warn([...path, key], `unknown key "${key}" is ignored (known: ${known.join(", ")})`);
    }
    return value as Obj;
  }

  list(o: Obj, path: Path, key: string, required = false): unknown[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.y.error([...path, key], `"${key}" is required`);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.y.error([...path, key], `expected a list, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  str(o: Obj, path: Path, key: string, required = false): string | undefined {
    const v = o[key];
    if (v === undefined || v === null || v === "") {
      if (required) this.y.error([...path, key], `"${key}" is required`);
      return undefined;
    }
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean")
      return this.y.sourceText([...path, key]) ?? String(v);
    this.y.error([...path, key], `expected text, got ${describe(v)}`);
    return undefined;
  }

  oneOf<T extends string>(
    o: Obj,
    path: Path,
    key: string,
    values: readonly T[],
    required = false,
  ): T | undefined {
    const v = this.str(o, path, key, required);
    if (v === undefined) return undefined;
    if ((values as readonly string[]).includes(v)) return v as T;
    this.y.error([...path, key], `expected one of ${values.join(", ")}, got "${v}"`);
    return undefined;
  }

  money(o: Obj, path: Path, key: string, required = false): Money | undefined {
    const text = this.str(o, path, key, required);
    if (text === undefined) return undefined;
    const m = parseMoney(text);
    if (m === undefined || m.isNegative()) {
      this.y.error([...path, key], `expected an amount such as "9.90", got "${text}"`);
      return undefined;
    }
    return m;
  }

  count(o: Obj, path: Path, key: string, required = false): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.y.error([...path, key], `"${key}" is required`);
      return undefined;
    }
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
    this.y.error([...path, key], `expected a whole number of 0 or more, got ${describe(v)}`);
    return undefined;
  }

  bool(o: Obj, path: Path, key: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    this.y.error([...path, key], `expected true or false, got ${describe(v)}`);
    return undefined;
  }

  strings(o: Obj, path: Path, key: string): string[] | undefined {
    const list = this.list(o, path, key);
    if (!list) return undefined;
    const out: string[] = [];
    list.forEach((v, i) => {
      if (typeof v === "string" && v !== "") out.push(v);
      else if (typeof v === "number") out.push(String(v));
      else this.y.error([...path, key, i], `expected text, got ${describe(v)}`);
    });
    return out;
  }

  /** An ISO date; YAML turns an unquoted 2026-11-01 into a string here because of the core schema. */
  date(o: Obj, path: Path, key: string): string | undefined {
    const v = this.str(o, path, key);
    if (v === undefined) return undefined;
    if (isIsoDate(v)) return v;
    this.y.error([...path, key], `expected a date as YYYY-MM-DD, got "${v}"`);
    return undefined;
  }

  where(path: Path): string {
    return pathText(path);
  }
}

export function isIsoDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `"${v}"`;
  return String(v);
}
