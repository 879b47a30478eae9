import type { Assignment } from "./assign.ts";
import { type Finding, type FindingType, finding } from "./findings.ts";
import type { Device } from "./match.ts";

// Spec 5, inventory: stale devices and what no plan takes.

// Two devices may share a hostname (different serials): one finding per subject all the same.
function bySubject(type: FindingType, prefix: string, names: readonly string[]): Finding[] {
  return [...new Set(names)].map((name) => finding(type, `${prefix}:${name}`, [name]));
}

export function staleFindings(stale: readonly Device[]): Finding[] {
  return bySubject(
    "STALE_DEVICE",
    "device",
    stale.map((d) => d.hostname),
  );
}

export function uncoveredFindings(assignment: Assignment): Finding[] {
  return [
    ...bySubject(
      "UNCOVERED",
      "user",
      assignment.uncoveredUsers.map((u) => u.upn),
    ),
    ...bySubject(
      "UNCOVERED",
      "device",
      assignment.uncoveredDevices.map((d) => d.hostname),
    ),
  ];
}
