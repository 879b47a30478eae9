import type { Assignment } from "./assign.ts";
import { type Finding, finding } from "./findings.ts";
import type { Device } from "./match.ts";

// Spec 5, inventory: stale devices and what no plan takes.

export function staleFindings(stale: readonly Device[]): Finding[] {
  return stale.map((d) => finding("STALE_DEVICE", `device:${d.hostname}`, [d.hostname]));
}

export function uncoveredFindings(assignment: Assignment): Finding[] {
  return [
    ...assignment.uncoveredUsers.map((u) => finding("UNCOVERED", `user:${u.upn}`, [u.upn])),
    ...assignment.uncoveredDevices.map((d) => finding("UNCOVERED", `device:${d.hostname}`, [d.hostname])),
  ];
}
