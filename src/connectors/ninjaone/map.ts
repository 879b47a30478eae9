import { ninjaType } from "../../formats/ninjaone.ts";
import { vendorDate } from "../../formats/vendor.ts";
import type { CanonicalRow } from "../types.ts";

// NinjaOne's detailed devices as trueup-devices rows. The type mapping, the skip of devices waiting
// for approval and the date reading are the ninjaone-devices file format's own functions, so a pull
// and an export of the same devices give the same rows.
//
// Fields, checked against the NinjaOne Public API 2.0 spec (ninjaone/openapi.yml):
// - confirmed (schema Device): id, organizationId, nodeClass (enum), approvalStatus (PENDING |
//   APPROVED), systemName, displayName, dnsName, lastContact (a number, "format: double").
// - confirmed (schema AgentDevice, the agent-managed subtype): system (ComputerSystem: serialNumber,
//   biosSerialNumber, chassisType) and lastLoggedInUser ("Username that logged in most recently").
//   Other subtypes (cloud monitors, NMS targets, MDM) have neither: their serial and user stay empty.
// - guessed: that lastContact is in epoch seconds (the spec gives no unit; the formats README and
//   community clients say seconds). vendorDate also reads milliseconds, so either unit works.

export interface NinjaSystem {
  serialNumber?: string;
  biosSerialNumber?: string;
  chassisType?: string;
}

export interface NinjaDevice {
  id?: number;
  organizationId?: number;
  nodeClass?: string;
  approvalStatus?: string;
  systemName?: string;
  displayName?: string;
  dnsName?: string;
  lastContact?: number | string;
  lastLoggedInUser?: string;
  system?: NinjaSystem;
}

export interface NinjaOrganization {
  id?: number;
  name?: string;
}

/** A row, or why the device is left out (a reason shown in the pull's progress). */
export type Mapped = { row: CanonicalRow; note?: string } | { skip: string };

/** A JSON scalar as trimmed text (ids and times come as numbers). */
export function text(v: unknown): string {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  return "";
}

function first(...values: unknown[]): string {
  for (const v of values) {
    const t = text(v);
    if (t !== "") return t;
  }
  return "";
}

/**
 * One device as a trueup-devices row. A device waiting for approval is not managed yet and is left
 * out, as the file format does. Where a file would get an error (no name, no last contact), a pull
 * cannot ask anyone to fix the line, so the device is left out and the reason reported; a node class
 * newer than this code counts as other rather than failing the whole pull.
 */
export function ninjaDeviceRow(d: NinjaDevice): Mapped {
  if (text(d.approvalStatus).toUpperCase() === "PENDING") return { skip: "pending approval" };
  const account = text(d.organizationId);
  if (account === "") return { skip: "no organization" };
  const hostname = first(d.systemName, d.displayName, d.dnsName);
  if (hostname === "") return { skip: "no name" };
  const lastSeen = vendorDate(text(d.lastContact));
  if (lastSeen === undefined) return { skip: "no last contact" };
  const cls = text(d.nodeClass);
  const known = ninjaType(cls, text(d.system?.chassisType));
  const row: CanonicalRow = {
    account,
    hostname,
    serial: first(d.system?.serialNumber, d.system?.biosSerialNumber),
    type: known ?? "other",
    lastSeen,
    primaryUser: text(d.lastLoggedInUser),
  };
  return known === undefined ? { row, note: `node class "${cls}" counted as other` } : { row };
}
