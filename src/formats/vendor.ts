import type { DeviceType } from "../core/types.ts";
import { vendorDate } from "./dates.ts";
import type { Column, Fields } from "./fields.ts";

export { vendorDate };

// What vendor export formats share: columns known by several headers, the dates consoles write, and
// how a device's class and chassis become one of the spec's device types.

export const col = (name: string, required = false, ...aliases: string[]): Column => ({
  name,
  required,
  aliases,
});

/**
 * A required vendor date from the first of `columns` with a value, in the file's date order (see
 * FileDates); an error names the first column.
 */
export function readVendorDate(f: Fields, ...columns: string[]): string | undefined {
  const column = columns[0] as string;
  const v = f.first(...columns);
  if (v === "") return f.error(column, "is empty; a date is required");
  return (
    f.dates.read(v, f.line, column) ??
    f.error(
      column,
      `expected a date such as 2026-10-31T08:30:00Z, 10/31/2026 8:30 PM, 31/10/2026 20:30 or 1793436600, got "${v}"${f.dates.why(v)}`,
    )
  );
}

// Win32_SystemEnclosure chassis types that are portable (as Datto RMM documents its laptop test).
const LAPTOP_CODES = new Set(["8", "9", "10", "11", "12", "14", "30", "31", "32"]);
const LAPTOP_WORDS = /laptop|notebook|portable|hand\s*-?held|tablet|convertible|detachable|docking/i;

/** Whether a chassis (a Win32 chassis code or a word such as LAPTOP or Notebook) is a portable one. */
export function isLaptopChassis(chassis: string): boolean {
  const c = chassis.trim();
  return c !== "" && (LAPTOP_CODES.has(c) || LAPTOP_WORDS.test(c));
}

/** A workstation, or a laptop when the chassis says so. */
export function workstationOr(chassis: string): DeviceType {
  return isLaptopChassis(chassis) ? "laptop" : "workstation";
}

/** A vendor's class name as a constant: "Windows Server" -> WINDOWS_SERVER. */
export function classKey(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/** Whether a yes/no column says yes (true, yes, 1, y), for flags such as "deleted". */
export function isYes(text: string): boolean {
  const t = text.trim().toLowerCase();
  return t === "true" || t === "yes" || t === "1" || t === "y";
}
