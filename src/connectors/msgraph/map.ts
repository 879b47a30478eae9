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

export function licenceRows(
  account: string,
  skus: readonly GraphSku[],
  subscriptions?: readonly GraphSubscription[],
  onUnclear?: (sku: string, why: string) => void,
): CanonicalRow[] {
  const rows: CanonicalRow[] = [];
  for (const s of skus) {
    const row = licenceRow(account, s);
    if (!row) continue;
    if (!subscriptions) {
      rows.push(row);
      continue;
    }
    const id = s.skuId?.toLowerCase() ?? "";
    const mine = subscriptions.filter((c) => id !== "" && c.skuId?.toLowerCase() === id);
    const termed = withTermEnds(row, mine);
    if (termed.unclear) onUnclear?.(row.sku ?? "", termed.unclear);
    rows.push(...termed.rows);
  }
  return rows;
}

/**
 * One commercial subscription of the tenant (`GET /v1.0/directory/subscriptions`, the
 * companySubscription resource; fields confirmed in Microsoft's Graph v1.0 reference).
 */
export interface GraphSubscription {
  id?: string | null;
  skuId?: string | null;
  skuPartNumber?: string | null;
  /** Enabled, Deleted, Suspended, Warning or LockedOut. */
  status?: string | null;
  totalLicenses?: number | null;
  /** When the subscription moves to its next state (as status defines it) if not renewed. */
  nextLifecycleDateTime?: string | null;
  isTrial?: boolean | null;
  createdDateTime?: string | null;
  ownerType?: string | null;
}

/**
 * The subscription's term end as a UTC date: "" when it has none (no nextLifecycleDateTime) or is a
 * free trial (nothing is paid, so nothing is locked). A value that is no date is an error naming the
 * subscription and the field.
 */
export function subscriptionEnd(sub: GraphSubscription): string {
  if (sub.isTrial === true) return "";
  const end = sub.nextLifecycleDateTime;
  if (end === undefined || end === null || end.trim() === "") return "";
  const t = new Date(end);
  if (Number.isNaN(t.getTime()))
    throw new Error(
      `subscription ${sub.id ?? "?"} (${sub.skuPartNumber ?? sub.skuId ?? "?"}): nextLifecycleDateTime ${JSON.stringify(end)} is not a date`,
    );
  return t.toISOString().slice(0, 10);
}

/**
 * A SKU's licence row (quantity `prepaidUnits.enabled`) with the term ends of the SKU's subscriptions.
 * Only subscriptions whose status is Enabled are those units. When their `totalLicenses` add up to the
 * row's quantity, the row is split per term end, each part with its subscriptions' licences (as the
 * Pax8 connector splits subscriptions locked until different dates). When they do not (a count Graph
 * has not caught up with, a licence missing), subscribedSkus' quantity is kept in one row, which
 * carries a term end only when every such subscription ends on the same date; otherwise it carries
 * none and `unclear` says why.
 */
export function withTermEnds(
  row: CanonicalRow,
  subscriptions: readonly GraphSubscription[],
): { rows: CanonicalRow[]; unclear?: string } {
  const enabled = subscriptions.filter((s) => s.status === "Enabled");
  const ends = new Map<string, number>();
  let total = 0;
  let counted = true;
  for (const s of enabled) {
    const end = subscriptionEnd(s);
    const n = s.totalLicenses;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) counted = false;
    else total += n;
    ends.set(end, (ends.get(end) ?? 0) + (typeof n === "number" ? n : 0));
  }
  const dated = [...ends.keys()].filter((e) => e !== "");
  if (dated.length === 0) return { rows: [row] };
  const quantity = Number(row.quantity);
  if (counted && total === quantity) {
    const rows = [...ends.entries()]
      .filter(([, n]) => n > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([end, n]) => {
        const part: CanonicalRow = { ...row, quantity: String(n) };
        if (end !== "") part.commitmentEnd = end;
        return part;
      });
    return { rows: rows.length > 0 ? rows : [row] };
  }
  if (ends.size === 1) return { rows: [{ ...row, commitmentEnd: dated[0] as string }] };
  const theirs = counted ? String(total) : "an unknown number of";
  return {
    rows: [row],
    unclear: `its enabled subscriptions hold ${theirs} licences, subscribedSkus ${row.quantity}, and end on different dates (${dated.sort().join(", ")})`,
  };
}
