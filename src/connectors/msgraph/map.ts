import { microsoftSku } from "../../formats/microsoft-skus.ts";
import type { CanonicalRow } from "../types.ts";

// Microsoft Graph users and subscribed SKUs -> trueup-users and trueup-licences rows. Pure functions.
// Field names confirmed against Microsoft's Graph v1.0 reference (user, assignedLicense,
// subscribedSku, licenseUnitsDetail): userPrincipalName, displayName, accountEnabled, userType,
// assignedLicenses[].skuId, skuId, skuPartNumber, capabilityStatus, prepaidUnits.enabled.

export interface GraphUser {
  id?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  /** "Member" or "Guest"; null on some old accounts. */
  userType?: string | null;
  assignedLicenses?: { skuId?: string | null; disabledPlans?: string[] }[] | null;
  /** Only in tenants with Microsoft Entra ID P1 or P2. */
  signInActivity?: {
    lastSignInDateTime?: string | null;
    lastNonInteractiveSignInDateTime?: string | null;
    lastSuccessfulSignInDateTime?: string | null;
  } | null;
}

export interface GraphGroup {
  id?: string | null;
  displayName?: string | null;
}

/**
 * The user's last sign-in, interactive or not (a mail client refreshing its token is someone using
 * the licence): the latest of the dates Graph gives, as a UTC instant; "" when it gives none.
 */
export function lastActive(u: GraphUser): string {
  const a = u.signInActivity;
  const times = [a?.lastSignInDateTime, a?.lastNonInteractiveSignInDateTime, a?.lastSuccessfulSignInDateTime]
    .map((t) => (t ? new Date(t) : undefined))
    .filter((t): t is Date => t !== undefined && !Number.isNaN(t.getTime()))
    .map((t) => t.toISOString())
    .sort();
  return times.at(-1) ?? "";
}

export interface GraphSku {
  skuId?: string | null;
  skuPartNumber?: string | null;
  /** Enabled, Warning, Suspended, Deleted or LockedOut. */
  capabilityStatus?: string | null;
  consumedUnits?: number | null;
  prepaidUnits?: { enabled?: number | null; suspended?: number | null; warning?: number | null } | null;
}

/** skuId (lower-case) -> skuPartNumber, from the tenant's own subscribedSkus. */
export function skuNames(skus: readonly GraphSku[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of skus) {
    if (s.skuId && s.skuPartNumber) names.set(s.skuId.toLowerCase(), s.skuPartNumber);
  }
  return names;
}

/**
 * A licence's part number: the tenant's subscribedSkus know every SKU it holds, including ones too new
 * for Microsoft's published table; the table covers a licence whose SKU the tenant no longer lists.
 * An skuId neither knows stays a GUID, which shows as an unmapped SKU rather than vanishing.
 */
export function partNumber(skuId: string, names: ReadonlyMap<string, string>): string {
  return names.get(skuId.toLowerCase()) ?? microsoftSku(skuId);
}

export function userRow(
  account: string,
  u: GraphUser,
  names: ReadonlyMap<string, string>,
  groups?: ReadonlyMap<string, readonly string[]>,
): CanonicalRow {
  const licences = (u.assignedLicenses ?? [])
    .map((l) => l.skuId ?? "")
    .filter((id) => id !== "")
    .map((id) => partNumber(id, names));
  const row: CanonicalRow = {
    account,
    upn: u.userPrincipalName ?? "",
    displayName: u.displayName ?? "",
    // Only an account Graph says is enabled counts as enabled (null is not proof of a billable user).
    enabled: u.accountEnabled === true ? "true" : "false",
    licences: licences.join("+"),
    // Graph knows Member and Guest only; anything else (null on old accounts) is read as a member,
    // which is the canonical format's default.
    userType: u.userType?.toLowerCase() === "guest" ? "guest" : "member",
  };
  // Group names are joined by ";" in the canonical format: a name holding one would split.
  const mine = (u.id ? groups?.get(u.id) : undefined) ?? [];
  if (mine.length > 0) row.groups = [...new Set(mine)].sort().join(";");
  const active = lastActive(u);
  if (active !== "") row.lastActive = active;
  return row;
}

export function userRows(
  account: string,
  users: readonly GraphUser[],
  skus: readonly GraphSku[],
  groups?: ReadonlyMap<string, readonly string[]>,
): CanonicalRow[] {
  const names = skuNames(skus);
  return users.map((u) => userRow(account, u, names, groups));
}

/**
 * Purchased quantity is `prepaidUnits.enabled`: the units of active subscriptions, which are the units
 * being paid for. Units in `warning` belong to an expired subscription in its grace period (not
 * renewed) and `suspended`/`lockedOut` ones to a cancelled one, so none of them are counted. A SKU
 * whose status is not Enabled has, by Graph's definition, no enabled unit: it gives no row (a
 * missing row is "0 purchased" to the reconciler, without an extra line to map). Should Graph ever
 * report enabled units under another status, they are still counted.
 */
export function licenceRow(account: string, s: GraphSku): CanonicalRow | undefined {
  const enabled = s.prepaidUnits?.enabled ?? 0;
  if (s.capabilityStatus !== "Enabled" && enabled <= 0) return undefined;
  const sku = s.skuPartNumber || (s.skuId ? microsoftSku(s.skuId) : "");
  if (sku === "") return undefined;
  return { account, sku, quantity: String(enabled), unitCost: "" };
}

export function licenceRows(account: string, skus: readonly GraphSku[]): CanonicalRow[] {
  const rows: CanonicalRow[] = [];
  for (const s of skus) {
    const row = licenceRow(account, s);
    if (row) rows.push(row);
  }
  return rows;
}
