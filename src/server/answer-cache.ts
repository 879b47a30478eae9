// JSON answers kept as the bytes sent, each with what it was made from: an answer holds while every
// part of it is the very same value or object. The store hands out the same objects (a run's findings,
// the configuration, a client's explanation) until what they were read from changes, and new ones
// after: a changed part makes a new answer, and nothing has to tell the cache. Least recently used
// answers go first once the bytes kept pass the limit.

interface Entry {
  parts: readonly unknown[];
  body: Buffer;
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class AnswerCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The answer kept for a key, if it was made from these very parts. */
  get(key: string, parts: readonly unknown[]): Buffer | undefined {
    const entry = this.#entries.get(key);
    if (!entry || !same(entry.parts, parts)) return undefined;
    // Most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.body;
  }

  /** Keeps an answer (unless it alone passes the limit) and returns it. */
  set(key: string, parts: readonly unknown[], body: Buffer): Buffer {
    this.#forget(key);
    if (body.length > this.maxBytes) return body;
    this.#entries.set(key, { parts, body });
    this.#bytes += body.length;
    for (const old of this.#entries.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.#forget(old);
    }
    return body;
  }

  get size(): number {
    return this.#entries.size;
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
  }
}

/** The JSON text of a value, as bytes. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}
