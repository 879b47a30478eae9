import { Decimal } from "decimal.js";
import { money } from "../core/money.ts";

// Values sent to the store's worker thread and back are copied by the structured clone algorithm,
// which keeps no class: the configuration's decimal amounts travel as text, marked, and are made
// decimals again on arrival.

const DECIMAL = "$trueupDecimal";

/** `value` with every decimal replaced by a marked text (arrays and plain objects followed). */
export function pack(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return { [DECIMAL]: (value as Decimal).toFixed() };
  if (Array.isArray(value)) return value.map(pack);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = pack(v);
  return out;
}

/** The value `pack` was given. */
export function unpack<T>(value: unknown): T {
  return unpackValue(value) as T;
}

function unpackValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unpackValue);
  if (value === null || typeof value !== "object") return value;
  const text = (value as Record<string, unknown>)[DECIMAL];
  if (typeof text === "string") return money(text);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = unpackValue(v);
  return out;
}
