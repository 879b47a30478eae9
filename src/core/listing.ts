// Lists and counts inside messages, kept short whatever the input: a header of a million columns
// must not make a 45 MB error (docs/security.md "Malformed text and limits").

/** How many items a message lists before "... and N more". */
export const LISTED = 20;

/** 1000000 -> "1,000,000" */
export const countText = (n: number) => n.toLocaleString("en-US");

/** "a, b, c" or "a, b, ... and 999,996 more". */
export function listed(items: Iterable<string>, max = LISTED): string {
  const all = [...items];
  if (all.length <= max) return all.join(", ");
  return `${all.slice(0, max).join(", ")}, ... and ${countText(all.length - max)} more`;
}
