// Calendar arithmetic on ISO dates (yyyy-mm-dd), all in UTC. The core gets `asOf` from its caller
// and never reads the clock.

const DAY_MS = 86_400_000;

// Rows share their dates' strings (a few thousand distinct ones): each is read once.
const days = new Map<string, number>();

function dayNumber(isoDate: string): number {
  let n = days.get(isoDate);
  if (n === undefined) {
    n = Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10)));
    if (days.size >= 100_000) days.clear();
    days.set(isoDate, n);
  }
  return n;
}

/** Whole days from `from` to `to` (negative when `from` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayNumber(to) - dayNumber(from)) / DAY_MS);
}

/** The date `months` calendar months after `isoDate`, kept at the month's last day when it has fewer days. */
export function addMonths(isoDate: string, months: number): string {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7)) - 1 + months;
  const d = Number(isoDate.slice(8, 10));
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d, last))).toISOString().slice(0, 10);
}

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;
