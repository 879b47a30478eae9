import { assign } from "./assign.ts";
import { Catalogue } from "./catalogue.ts";
import { isFormer } from "./former.ts";
import { DeviceIndex, dedupeDevices, isCurrent } from "./match.ts";
import { requirements } from "./requirements.ts";
import type { ReconcileInput } from "./types.ts";
import { billableUsers } from "./users.ts";

// What stands behind one client's counts: each billable user and device with the plan that took
// it, and which deployments see each device. For the client page of the app.

export interface Explanation {
  users: { upn: string; plan: string | null }[];
  devices: {
    hostname: string;
    type: string;
    lastSeen: string;
    current: boolean;
    plan: string | null;
    deployments: Record<string, boolean>;
    /** The deployments its plan includes (a service of the plan counts it): only these can be missing. */
    inPlan: string[];
  }[];
}

function planLabel(plan: { kind: string; bundle?: string; service?: string }): string {
  return plan.kind === "bundle" ? `bundle:${plan.bundle}` : `service:${plan.service}`;
}

export function explainClient(input: ReconcileInput, clientId: string): Explanation | undefined {
  const client = input.clients.find((c) => c.id === clientId);
  if (!client) return undefined;
  const mine = <T extends { owner: { client: string } | object }>(rows: readonly T[]) =>
    rows.filter((r) => "client" in r.owner && r.owner.client === clientId);
  const catalogue = new Catalogue(input.services, input.bundles);
  const users = billableUsers(mine(input.users), input.rules, input.asOf);
  const devices = dedupeDevices(mine(input.devices));
  const current = devices.filter((d) => isCurrent(d, input.asOf, input.rules.staleDeviceDays));
  const isCurrentDevice = new Set(current);
  const assignment = assign(
    isFormer(client, input.asOf) ? [] : client.plans,
    catalogue.bundles,
    users,
    current,
  );

  const planOfUser = new Map<string, string>();
  const planOfDevice = new Map<object, string>();
  for (const pa of assignment.plans) {
    for (const u of pa.users) planOfUser.set(u.upn, planLabel(pa.plan));
    for (const d of pa.devices) planOfDevice.set(d, planLabel(pa.plan));
  }
  const index = new DeviceIndex(current);
  const seen = new Map<object, Set<string>>();
  for (const row of mine(input.deploymentRows)) {
    const d = index.find(row.hostname, row.serial);
    if (!d) continue;
    const set = seen.get(d) ?? new Set<string>();
    set.add(row.deployment);
    seen.set(d, set);
  }
  const deploymentNames = [...input.sources.deployments].sort();
  // The deployments each device must be seen by: those of the services that count it (4.4).
  const required = new Map<object, Set<string>>();
  for (const [id, need] of requirements(client, catalogue, assignment, users, current).services) {
    const deployment = catalogue.services.get(id)?.deployment;
    if (deployment === undefined) continue;
    for (const d of need.devices) required.set(d, (required.get(d) ?? new Set()).add(deployment));
  }
  return {
    users: users.map((u) => ({ upn: u.upn, plan: planOfUser.get(u.upn) ?? null })),
    devices: devices.map((d) => ({
      hostname: d.hostname,
      type: d.type,
      lastSeen: d.lastSeen,
      current: isCurrentDevice.has(d),
      plan: planOfDevice.get(d) ?? null,
      deployments: Object.fromEntries(deploymentNames.map((n) => [n, seen.get(d)?.has(n) ?? false])),
      inPlan: deploymentNames.filter((n) => required.get(d)?.has(n) ?? false),
    })),
  };
}
