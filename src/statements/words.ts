import { MONTH_NAMES } from "../core/dates.ts";
import type { Member } from "./statement.ts";

// How documents write amounts, months and members: one place, so that HTML, PDF and CSV agree.

/** "2026-11" -> "November 2026". */
export function monthName(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;
}

/** "1234.50" -> "1,234.50" (the amount's text is exact; only separators are added). */
export function amount(text: string): string {
  const negative = text.startsWith("-");
  const [whole = "", cents] = (negative || text.startsWith("+") ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const sign = negative ? "-" : text.startsWith("+") ? "+" : "";
  return `${sign}${grouped}${cents === undefined ? "" : `.${cents}`}`;
}

export function memberText(m: Member): string {
  if (m.kind === "user") return m.name;
  return `${m.name} (${m.type ?? "device"}, last seen ${m.lastSeen ?? "?"})`;
}

export const PER_WORDS = { user: "per user", device: "per device", fixed: "fixed" } as const;

export const CHANGE_WORDS = { joined: "joined", left: "left", moved: "moved" } as const;

export const ACKNOWLEDGEMENT =
  "We confirm that the users and devices listed in this statement are ours and are to be managed and billed as shown.";
