import { daysBetween } from "./dates.ts";
import type { Rules, UserRow } from "./types.ts";

/** A user that counts for billing (spec 4.1). UPN lower-cased; licences as SKUs of `vendor`. */
export interface BillableUser {
  upn: string;
  licences: Set<string>;
  /** Group names, lower-cased (filters compare them without regard to case). */
  groups: Set<string>;
}

/** Compiles `excludeUsers` globs (`*` any run, `?` one character) into one case-insensitive test. */
export function globMatcher(globs: readonly string[]): (upn: string) => boolean {
  if (globs.length === 0) return () => false;
  const parts = globs.map((g) =>
    g
      .split("")
      .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
      .join(""),
  );
  const re = new RegExp(`^(?:${parts.join("|")})$`, "i");
  return (upn) => re.test(upn);
}

export function isBillable(
  user: UserRow,
  rules: Rules,
  excluded: (upn: string) => boolean,
  asOf: string,
): boolean {
  if (!user.enabled || user.guest) return false;
  if (excluded(user.upn)) return false;
  if (rules.requireLicence && user.licences.length === 0) return false;
  return !isInactive(user, rules, asOf);
}

/** Last active more than `inactiveUserDays` before asOf; a user with no lastActive is not judged. */
export function isInactive(user: UserRow, rules: Rules, asOf: string): boolean {
  if (rules.inactiveUserDays === undefined || user.lastActive === undefined) return false;
  return daysBetween(user.lastActive.slice(0, 10), asOf) > rules.inactiveUserDays;
}

export function billableUsers(rows: readonly UserRow[], rules: Rules, asOf: string): BillableUser[] {
  const excluded = globMatcher(rules.excludeUsers);
  // Users that share a list (rows read from one file share their licences' arrays) share its set:
  // the sets are only read.
  const sets = new Map<readonly string[], Set<string>>();
  const setOf = (list: readonly string[], lower: (s: string) => string): Set<string> => {
    let set = sets.get(list);
    if (!set) {
      set = new Set(list.map(lower));
      sets.set(list, set);
    }
    return set;
  };
  const noGroups = new Set<string>();
  return rows
    .filter((u) => isBillable(u, rules, excluded, asOf))
    .map((u) => ({
      upn: u.upn.trim().toLowerCase(),
      licences: setOf(u.licences, lowerSku),
      groups: u.groups === undefined ? noGroups : setOf(u.groups, lowerGroup),
    }))
    .sort((a, b) => (a.upn < b.upn ? -1 : a.upn > b.upn ? 1 : 0));
}

export function lowerSku(sku: string): string {
  return sku.trim().toLowerCase();
}

export function lowerGroup(group: string): string {
  return group.trim().toLowerCase();
}
