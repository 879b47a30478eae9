import { type Assignment, assign } from "../core/assign.ts";
import { Catalogue } from "../core/catalogue.ts";
import { type Device, DeviceIndex, dedupeDevices, isCurrent } from "../core/match.ts";
import { type Requirements, requirements } from "../core/requirements.ts";
import type { Client, DeploymentRow, Owner, ReconcileInput } from "../core/types.ts";
import { type BillableUser, billableUsers } from "../core/users.ts";

// One client as the core sees it, with what documents need beside the counts: which plan took each
// user and device, and which console row covers each device. Built from the core's own functions,
// so that a statement's quantities are the report's.

export interface ClientView {
  client: Client;
  catalogue: Catalogue;
  users: BillableUser[];
  current: Device[];
  stale: Device[];
  assignment: Assignment;
  req: Requirements;
  /** Console rows per deployment name, by the current device they stand for. */
  coveredBy: Map<string, Map<Device, DeploymentRow>>;
  /** Console rows that match no current device. */
  unknownAgents: DeploymentRow[];
}

function mine<T extends { owner: Owner }>(rows: readonly T[], clientId: string): T[] {
  return rows.filter((r) => "client" in r.owner && r.owner.client === clientId);
}

export function clientView(input: ReconcileInput, clientId: string): ClientView | undefined {
  const client = input.clients.find((c) => c.id === clientId);
  if (!client) return undefined;
  const catalogue = new Catalogue(input.services, input.bundles);
  const users = billableUsers(mine(input.users, clientId), input.rules, input.asOf);
  const devices = dedupeDevices(mine(input.devices, clientId));
  const current = devices.filter((d) => isCurrent(d, input.asOf, input.rules.staleDeviceDays));
  const stale = devices.filter((d) => !isCurrent(d, input.asOf, input.rules.staleDeviceDays));
  const assignment = assign(client.plans, catalogue.bundles, users, current);
  const req = requirements(client, catalogue, assignment, users, current);
  const index = new DeviceIndex(current);
  const coveredBy = new Map<string, Map<Device, DeploymentRow>>();
  const unknownAgents: DeploymentRow[] = [];
  for (const row of mine(input.deploymentRows, clientId)) {
    const device = index.find(row.hostname, row.serial);
    if (!device) {
      unknownAgents.push(row);
      continue;
    }
    const byDevice = coveredBy.get(row.deployment) ?? new Map<Device, DeploymentRow>();
    if (!byDevice.has(device)) byDevice.set(device, row);
    coveredBy.set(row.deployment, byDevice);
  }
  return { client, catalogue, users, current, stale, assignment, req, coveredBy, unknownAgents };
}

/** The protective services the client requires (those with a deployment whose console is a source). */
export function protectiveNeeds(view: ClientView, input: ReconcileInput) {
  const out: { serviceId: string; name: string; deployment: string; devices: Device[] }[] = [];
  for (const [id, need] of view.req.services) {
    const service = view.catalogue.service(id);
    if (service.deployment === undefined || need.devices.size === 0) continue;
    if (!input.sources.deployments.has(service.deployment)) continue;
    const devices = [...need.devices].sort((a, b) =>
      a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0,
    );
    out.push({ serviceId: id, name: service.name, deployment: service.deployment, devices });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function day(instant: string): string {
  return instant.slice(0, 10);
}
