/**
 * A setting given as a whole number from 0 to `max` (an environment variable's text); undefined when
 * the text is none (a sign, a fraction, a unit, spaces or more than `max`).
 */
export function wholeNumberUpTo(value: string | undefined, max: number): number | undefined {
  return value !== undefined && /^\d{1,6}$/.test(value) && Number(value) <= max ? Number(value) : undefined;
}
