import { DEVICE_TYPES } from "../core/types.ts";
import type { Format } from "./format.ts";

// The canonical trueup-* formats of spec section 3.

const col = (name: string, required = false) => ({ name, required });

export const trueupUsers: Format<"users"> = {
  name: "trueup-users",
  kind: "users",
  columns: [
    col("account", true),
    col("upn", true),
    col("displayName"),
    col("enabled", true),
    col("licences"),
    col("userType"),
  ],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const upn = f.required("upn");
    const enabled = f.bool("enabled");
    const userType = f.oneOf("userType", ["member", "guest"] as const, "member");
    const licences = f
      .text("licences")
      .split("+")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (!owner || upn === undefined || enabled === undefined || userType === undefined) return undefined;
    return {
      ref: ctx.ref,
      owner,
      upn,
      enabled,
      licences,
      guest: userType === "guest",
      vendor: ctx.vendor ?? "microsoft",
    };
  },
};

export const trueupDevices: Format<"devices"> = {
  name: "trueup-devices",
  kind: "devices",
  columns: [
    col("account", true),
    col("hostname", true),
    col("serial"),
    col("type", true),
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
  columns: [col("account", true), col("sku", true), col("quantity", true), col("unitCost")],
  row(f, ctx) {
    const owner = ctx.owner(f);
    const sku = f.required("sku");
    const quantity = f.quantity("quantity");
    if (f.text("unitCost") !== "") f.money("unitCost");
    if (!owner || sku === undefined || quantity === undefined || !f.ok) return undefined;
    return { ref: ctx.ref, owner, vendor: ctx.vendor ?? "", sku, quantity };
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
