import type { DeviceType } from "../core/types.ts";
import { type Column, type Fields, utcDate } from "./fields.ts";

// What vendor export formats share: columns known by several headers, the dates consoles write, and
// how a device's class and chassis become one of the spec's device types.

export const col = (name: string, required = false, ...aliases: string[]): Column => ({
  name,
  required,
  aliases,
});

const EPOCH = /^\d{9,13}(\.\d+)?$/;
const US =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?(?:\s*(?:UTC|GMT|Z))?$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

const pad = (n: number | string) => String(n).padStart(2, "0");

/**
 * A date as consoles export it, as a UTC instant: ISO 8601 (2026-10-31T08:30:00Z), epoch seconds or
 * milliseconds (NinjaOne's lastContact), US month/day/year with an optional 12- or 24-hour time
 * (10/31/2026 8:30 PM), or day.month.year (31.10.2026 20:30). A time without an offset is UTC.
 */
export function vendorDate(text: string): string | undefined {
  const v = text.trim();
  const iso = utcDate(v.replace(/^(\d{4})\/(\d{2})\/(\d{2})/, "$1-$2-$3"));
  if (iso !== undefined) return iso;
  if (EPOCH.test(v)) {
    const n = Number(v);
    const d = new Date(n >= 1e11 ? n : n * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  const us = US.exec(v);
  if (us) {
    const [, mo, d, y, h, mi, s, half] = us;
    let hour = Number(h ?? 0);
    if (half !== undefined) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (half.toLowerCase() === "p" ? 12 : 0);
    }
    return utcDate(`${y}-${pad(mo as string)}-${pad(d as string)}T${pad(hour)}:${mi ?? "00"}:${s ?? "00"}Z`);
  }
  const dotted = DOTTED.exec(v);
  if (dotted) {
    const [, d, mo, y, h, mi, s] = dotted;
    return utcDate(
      `${y}-${pad(mo as string)}-${pad(d as string)}T${pad(h ?? 0)}:${mi ?? "00"}:${s ?? "00"}Z`,
    );
  }
  return undefined;
}

/** A required vendor date from the first of `columns` with a value; an error names the first column. */
export function readVendorDate(f: Fields, ...columns: string[]): string | undefined {
  const v = f.first(...columns);
  if (v === "") return f.error(columns[0] as string, "is empty; a date is required");
  return (
    vendorDate(v) ??
    f.error(
      columns[0] as string,
      `expected a date such as 2026-10-31T08:30:00Z, 10/31/2026 8:30 PM or 1793436600, got "${v}"`,
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
