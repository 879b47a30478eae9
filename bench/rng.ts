// Small deterministic PRNG helpers for the benchmark generator (no Math.random anywhere).

export type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, good enough for synthetic data. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed and an index into a new 32-bit seed, so that each client has its own stream. */
export function deriveSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Integer in [min, max], both inclusive. */
export function int(r: Rng, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

export function chance(r: Rng, p: number): boolean {
  return r() < p;
}

export function pick<T>(r: Rng, items: readonly T[]): T {
  const item = items[Math.floor(r() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

/** Picks a value with probability proportional to its weight. */
export function weighted<T>(r: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let x = r() * total;
  for (const [value, w] of items) {
    x -= w;
    if (x < 0) return value;
  }
  return pick(r, items)[0];
}

/** Adds realistic drift to a true count: mostly exact, sometimes over, sometimes under. */
export function drift(r: Rng, n: number, exact = 0.65): number {
  const x = r();
  if (x < exact) return n;
  if (x < exact + (1 - exact) * 0.55) return n + int(r, 1, 4);
  return Math.max(0, n - int(r, 1, 4));
}
