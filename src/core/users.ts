import type { Rules, UserRow } from "./types.ts";

/** A user that counts for billing (spec 4.1). UPN lower-cased; licences as SKUs of `vendor`. */
export interface BillableUser {
  upn: string;
  licences: Set<string>;
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

export function isBillable(user: UserRow, rules: Rules, excluded: (upn: string) => boolean): boolean {
  if (!user.enabled || user.guest) return false;
  if (excluded(user.upn)) return false;
  return !rules.requireLicence || user.licences.length > 0;
}

export function billableUsers(rows: readonly UserRow[], rules: Rules): BillableUser[] {
  const excluded = globMatcher(rules.excludeUsers);
  return rows
    .filter((u) => isBillable(u, rules, excluded))
    .map((u) => ({ upn: u.upn.trim().toLowerCase(), licences: new Set(u.licences.map(lowerSku)) }))
    .sort((a, b) => (a.upn < b.upn ? -1 : a.upn > b.upn ? 1 : 0));
}

export function lowerSku(sku: string): string {
  return sku.trim().toLowerCase();
}
