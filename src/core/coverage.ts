import type { Catalogue } from "./catalogue.ts";
import { type Finding, finding } from "./findings.ts";
import { type Device, DeviceIndex } from "./match.ts";
import type { Requirements } from "./requirements.ts";
import type { DeploymentRow } from "./types.ts";

// Spec 5, coverage: the devices counted for a service against the agents its console reports.

export interface CoverageResult {
  findings: Finding[];
  /**
   * Per service with a `deployment` whose source exists: the devices counted for the service that
   * match a row of that source (so that required - deployed is the coverage gap). Not every row of
   * the source: two services sharing one console would each count the other's agents.
   */
  deployed: Map<string, number>;
}

export function compareCoverage(
  rows: readonly DeploymentRow[],
  currentDevices: readonly Device[],
  req: Requirements,
  catalogue: Catalogue,
  deployments: ReadonlySet<string>,
  haveInventory: boolean,
): CoverageResult {
  const findings: Finding[] = [];
  const index = new DeviceIndex(currentDevices);
  const covered = new Map<string, Set<Device>>();
  const unknown = new Map<string, string[]>();
  for (const row of rows) {
    const device = index.find(row.hostname, row.serial);
    if (device) {
      const set = covered.get(row.deployment) ?? new Set<Device>();
      set.add(device);
      covered.set(row.deployment, set);
    } else {
      const list = unknown.get(row.deployment) ?? [];
      list.push(row.hostname.trim() || row.serial.trim());
      unknown.set(row.deployment, list);
    }
  }
  const deployed = new Map<string, number>();
  for (const service of catalogue.services.values()) {
    if (service.deployment === undefined || !deployments.has(service.deployment)) continue;
    const agents = covered.get(service.deployment);
    const devices = [...(req.services.get(service.id)?.devices ?? [])];
    deployed.set(service.id, devices.filter((d) => agents?.has(d)).length);
  }
  if (!haveInventory) return { findings, deployed };

  for (const [id, need] of req.services) {
    const deployment = catalogue.service(id).deployment;
    if (deployment === undefined || !deployments.has(deployment) || need.devices.size === 0) continue;
    const agents = covered.get(deployment);
    const gaps = [...need.devices].filter((d) => !agents?.has(d));
    if (gaps.length === 0) continue;
    findings.push(
      finding(
        "COVERAGE_GAP",
        `service:${id}`,
        gaps.map((d) => d.hostname),
        { expected: need.devices.size, actual: need.devices.size - gaps.length },
      ),
    );
  }
  for (const [deployment, hosts] of unknown) {
    findings.push(finding("UNKNOWN_AGENT", `deployment:${deployment}`, hosts));
  }
  return { findings, deployed };
}
