import type { Fields } from "./fields.ts";
import type { Format } from "./format.ts";
import { splitLicences } from "./microsoft-skus.ts";
import { col } from "./vendor.ts";

// The Microsoft 365 admin center's "Export users" CSV (Users > Active users > Export users). The
// column list is the one commonly seen, not published by Microsoft: see docs/formats.md.

const UPN = "User principal name";
const LICENSES = "Licenses";
const BLOCKED = "Block credential";
// The older layout's licences, when its Licenses column is empty.
const DETAILS = "License assignment details";
// A deleted user waits 30 days in the recycle bin, still listed, with the time it was deleted.
const SOFT_DELETED = "Soft deletion time stamp";

// A "tenant:SKU" licence: the tenant's onmicrosoft.com prefix, then the SKU part number.
const TENANT = /^\s*([^\s:+]+):(\S.*)$/;

const NO_TENANT =
  'names no tenant (the user is Unlicensed, or its licences have no "tenant:" prefix, as when the export gives product names)';

/** The tenants of a Licenses value ("contoso:SPB+contoso:FLOW_FREE" -> contoso), in order. */
function tenantsOf(licenses: string): string[] {
  const out: string[] = [];
  for (const piece of licenses.split("+")) {
    const t = TENANT.exec(piece)?.[1];
    if (t !== undefined && !out.includes(t)) out.push(t);
  }
  return out;
}

const withoutTenant = (piece: string) => TENANT.exec(piece)?.[2] ?? piece;

/** The licences of a Licenses value as SKU part numbers; "Unlicensed" holds none. */
export function m365Licences(licenses: string, own?: ReadonlyMap<string, string>): string[] {
  const t = licenses.trim();
  if (t === "" || t.toLowerCase() === "unlicensed") return [];
  return splitLicences(t.replaceAll(";", "+"), withoutTenant, own);
}

function blocked(f: Fields): boolean | undefined {
  const v = f.required(BLOCKED);
  if (v === undefined) return undefined;
  const t = v.toLowerCase();
  if (t === "true" || t === "yes" || t === "1") return true;
  if (t === "false" || t === "no" || t === "0") return false;
  return f.error(BLOCKED, `expected True or False, got "${v}"`);
}

export const m365UsersExport: Format<"users"> = {
  name: "m365-users-export",
  kind: "users",
  columns: [
    col(UPN, true, "UserPrincipalName", "UPN"),
    col("Display name"),
    col(LICENSES, true, "Licences"),
    col(BLOCKED, true),
    col("User type"),
    col(DETAILS),
    col(SOFT_DELETED, false, "Soft deletion timestamp"),
  ],
  row(f, ctx) {
    // A soft-deleted user is gone: not billable, its licences freed.
    if (f.text(SOFT_DELETED) !== "") return ctx.skip("soft-deleted user");
    const upn = f.required(UPN);
    const isBlocked = blocked(f);
    const licenses = f.text(LICENSES) || f.text(DETAILS);
    const tenant = tenantsOf(licenses)[0];
    const owner =
      tenant === undefined
        ? ctx.fileOwner(f, LICENSES, NO_TENANT)
        : ctx.ownerOf(f, LICENSES, [tenant, `${tenant}.onmicrosoft.com`]);
    const userType = f.text("User type").toLowerCase();
    if (!owner || upn === undefined || isBlocked === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      upn,
      enabled: !isBlocked,
      licences: m365Licences(licenses, ctx.skuNames),
      // A guest's UPN carries #EXT# when the export has no user type column.
      guest: userType === "guest" || (userType === "" && upn.toUpperCase().includes("#EXT#")),
      vendor: ctx.vendor ?? "microsoft",
    };
  },
};
