import { DEVICE_TYPES } from "../core/types.ts";
import type { Column } from "./fields.ts";
import type { Format } from "./format.ts";
import { splitLicences } from "./microsoft-skus.ts";

// The canonical trueup-* formats of spec section 3.

const col = (name: string, required = false, values?: readonly string[]): Column => ({
  name,
  required,
  values,
});
const BOOLEANS = ["true", "false", "yes", "no", "1", "0"];

/**
 * Each list of licences read once per workspace (its skuNames) and vendor: thousands of users hold
 * the same few lists, and their rows share one array (nothing changes a row's licences).
 */
const licenceLists = new WeakMap<object, Map<string, Map<string, string[]>>>();
const NO_OWN_NAMES = {};

/** SKUs joined by "+"; Microsoft's as part numbers, whether written so, as skuId GUIDs or product names. */
function licencesOf(text: string, vendor: string, own?: ReadonlyMap<string, string>): string[] {
  let byVendor = licenceLists.get(own ?? NO_OWN_NAMES);
  if (!byVendor) {
    byVendor = new Map();
    licenceLists.set(own ?? NO_OWN_NAMES, byVendor);
  }
  // By vendor, then by text: no key built per row.
  let lists = byVendor.get(vendor);
  if (!lists) {
    lists = new Map();
    byVendor.set(vendor, lists);
  }
  let list = lists.get(text);
  if (list === undefined) {
    list = splitLicencesOf(text, vendor, own);
    if (lists.size >= 100_000) lists.clear();
    lists.set(text, list);
  }
  return list;
}

function splitLicencesOf(text: string, vendor: string, own?: ReadonlyMap<string, string>): string[] {
  if (vendor.toLowerCase() === "microsoft") return splitLicences(text, undefined, own);
  return text
    .split("+")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Group names separated by ";" (a name may hold "," or spaces). */
export function groupsOf(text: string): string[] {
  if (text === "") return [];
  return text
    .split(";")
    .map((g) => g.trim())
    .filter((g) => g !== "");
}

const NO_EXTRAS = Object.freeze({});

/** The optional fields of a user row, left out when the source gives none. */
export function userExtras(
  groups: readonly string[],
  lastActive: string | undefined,
): { groups?: string[]; lastActive?: string } {
  if (groups.length === 0 && lastActive === undefined) return NO_EXTRAS;
  return {
    ...(groups.length > 0 ? { groups: [...groups] } : {}),
    ...(lastActive === undefined ? {} : { lastActive }),
  };
}

export const trueupUsers: Format<"users"> = {
  name: "trueup-users",
  kind: "users",
  columns: [
    col("account", true),
    col("upn", true),
    col("displayName"),
    col("enabled", true, BOOLEANS),
    col("licences"),
    col("userType", false, ["member", "guest"]),
    col("groups"),
    col("lastActive"),
  ],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const upn = f.required("upn");
    const enabled = f.bool("enabled");
    const userType = f.oneOf("userType", ["member", "guest"] as const, "member");
    const vendor = ctx.vendor ?? "microsoft";
    const lastActive = f.text("lastActive") === "" ? undefined : f.date("lastActive");
    if (!owner || upn === undefined || enabled === undefined || userType === undefined || !f.ok)
      return undefined;
    const row = {
      ref: ctx.ref,
      owner,
      upn,
      enabled,
      licences: licencesOf(f.text("licences"), vendor, ctx.skuNames),
      guest: userType === "guest",
      vendor,
    };
    // Most sources give neither: their rows are the literal as it stands (no copy per row).
    const groups = f.text("groups");
    if (groups === "" && lastActive === undefined) return row;
    return { ...row, ...userExtras(groupsOf(groups), lastActive) };
  },
};

export const trueupDevices: Format<"devices"> = {
  name: "trueup-devices",
  kind: "devices",
  columns: [
    col("account", true),
    col("hostname", true),
    col("serial"),
    col("type", true, DEVICE_TYPES),
    col("lastSeen", true),
    col("primaryUser"),
  ],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const hostname = f.required("hostname");
    const type = f.oneOf("type", DEVICE_TYPES);
    const lastSeen = f.date("lastSeen");
    if (!owner || hostname === undefined || type === undefined || lastSeen === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      hostname,
      serial: f.text("serial"),
      type,
      lastSeen,
      primaryUser: f.text("primaryUser"),
    };
  },
};

export const trueupDeployments: Format<"deployments"> = {
  name: "trueup-deployments",
  kind: "deployments",
  columns: [col("account", true), col("hostname", true), col("serial"), col("lastSeen")],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const hostname = f.required("hostname");
    if (f.text("lastSeen") !== "") f.date("lastSeen");
    if (!owner || hostname === undefined || !f.ok) return undefined;
    return { ref: ctx.ref, owner, deployment: ctx.deployment ?? "", hostname, serial: f.text("serial") };
  },
};

export const trueupLicences: Format<"licences"> = {
  name: "trueup-licences",
  kind: "licences",
  columns: [
    col("account", true),
    col("sku", true),
    col("quantity", true),
    col("unitCost"),
    col("commitmentEnd"),
  ],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const sku = f.required("sku");
    const quantity = f.quantity("quantity");
    const unitCost = f.text("unitCost") === "" ? undefined : f.money("unitCost");
    const end = f.text("commitmentEnd") === "" ? undefined : f.date("commitmentEnd");
    if (!owner || sku === undefined || quantity === undefined || !f.ok) return undefined;
    return {
      ref: ctx.ref,
      owner,
      vendor: ctx.vendor ?? "",
      sku,
      quantity,
      ...(unitCost === undefined ? {} : { unitCost }),
      ...(end === undefined ? {} : { commitmentEnd: end.slice(0, 10) }),
    };
  },
};

export const trueupBilling: Format<"billing"> = {
  name: "trueup-billing",
  kind: "billing",
  columns: [
    col("account", true),
    col("product", true),
    col("quantity", true),
    col("unitPrice", true),
    col("agreement"),
  ],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const product = f.required("product");
    const quantity = f.quantity("quantity");
    const unitPrice = f.money("unitPrice");
    if (!owner || product === undefined || quantity === undefined || unitPrice === undefined)
      return undefined;
    return { ref: ctx.ref, owner, product, quantity, unitPrice, agreement: f.text("agreement") };
  },
};
