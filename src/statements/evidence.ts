import { daysBetween } from "../core/dates.ts";
import type { DeviceType, ReconcileInput } from "../core/types.ts";
import type { Msp } from "../workspace/msp.ts";
import { clientView, day, protectiveNeeds } from "./client-view.ts";

// Protection evidence (issue 14): for one client as of a date, every current device with each
// protective service's status and the console row that proves it, every gap, every stale device and
// every console agent that matches no managed device. What an insurer's questionnaire or an auditor
// asks for.

export interface EvidenceRow {
  hostname: string;
  type: DeviceType;
  /** YYYY-MM-DD */
  lastSeen: string;
  service: string;
  serviceName: string;
  status: "covered" | "gap";
  /** The console row that reports the device (file:line), or null for a gap. */
  consoleRow: string | null;
}

export interface Evidence {
  msp: Msp;
  client: { id: string; name: string };
  asOf: string;
  staleDeviceDays: number;
  services: { id: string; name: string; counted: number; covered: number }[];
  rows: EvidenceRow[];
  /** Current devices that no protective service is required for. */
  unprotected: { hostname: string; type: DeviceType; lastSeen: string }[];
  stale: { hostname: string; type: DeviceType; lastSeen: string; days: number }[];
  unknownAgents: { deployment: string; hostname: string; consoleRow: string }[];
}

export function buildEvidence(input: ReconcileInput, clientId: string, msp: Msp): Evidence | undefined {
  const view = clientView(input, clientId);
  if (!view) return undefined;
  const needs = protectiveNeeds(view, input);
  const rows: EvidenceRow[] = [];
  const protectedDevices = new Set<unknown>();
  for (const need of needs) {
    const covered = view.coveredBy.get(need.deployment);
    for (const d of need.devices) {
      protectedDevices.add(d);
      const row = covered?.get(d);
      rows.push({
        hostname: d.hostname,
        type: d.type,
        lastSeen: day(d.lastSeen),
        service: need.serviceId,
        serviceName: need.name,
        status: row ? "covered" : "gap",
        consoleRow: row?.ref ?? null,
      });
    }
  }
  rows.sort((a, b) => cmp(a.hostname, b.hostname) || cmp(a.serviceName, b.serviceName));
  const device = (d: { hostname: string; type: DeviceType; lastSeen: string }) => ({
    hostname: d.hostname,
    type: d.type,
    lastSeen: day(d.lastSeen),
  });
  return {
    msp,
    client: { id: view.client.id, name: view.client.name },
    asOf: input.asOf,
    staleDeviceDays: input.rules.staleDeviceDays,
    services: needs.map((n) => {
      const covered = view.coveredBy.get(n.deployment);
      return {
        id: n.serviceId,
        name: n.name,
        counted: n.devices.length,
        covered: n.devices.filter((d) => covered?.has(d)).length,
      };
    }),
    rows,
    unprotected: view.current.filter((d) => !protectedDevices.has(d)).map(device),
    stale: view.stale.map((d) => ({ ...device(d), days: daysBetween(d.lastSeen.slice(0, 10), input.asOf) })),
    unknownAgents: view.unknownAgents
      .map((r) => ({
        deployment: r.deployment,
        hostname: r.hostname.trim() || r.serial.trim(),
        consoleRow: r.ref,
      }))
      .sort((a, b) => cmp(a.hostname, b.hostname)),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
