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
  former = false,
): CoverageResult {
  const findings: Finding[] = [];
  // Every agent still running at a former client is unknown: its rows are matched against no device.
  const index = new DeviceIndex(former ? [] : currentDevices);
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
  // Without an inventory there is no device to count: deployed stays null, never a zero read from
  // absent data, and no agent is a gap or unknown. A former client's agents are unknown all the same.
  if (!haveInventory && !former) return { findings, deployed: new Map() };
  const deployed = haveInventory ? coveredCounts(catalogue, req, deployments, covered) : new Map();
  if (!former) findings.push(...coverageGaps(req, catalogue, deployments, covered));
  for (const [deployment, hosts] of unknown) {
    findings.push(finding("UNKNOWN_AGENT", `deployment:${deployment}`, hosts));
  }
  return { findings, deployed };
}

/** Per service with a deployment whose source exists: its counted devices that an agent covers. */
function coveredCounts(
  catalogue: Catalogue,
  req: Requirements,
  deployments: ReadonlySet<string>,
  covered: ReadonlyMap<string, Set<Device>>,
): Map<string, number> {
  const deployed = new Map<string, number>();
  for (const service of catalogue.services.values()) {
    if (service.deployment === undefined || !deployments.has(service.deployment)) continue;
    const agents = covered.get(service.deployment);
    const devices = [...(req.services.get(service.id)?.devices ?? [])];
    deployed.set(service.id, devices.filter((d) => agents?.has(d)).length);
  }
  return deployed;
}

function coverageGaps(
  req: Requirements,
  catalogue: Catalogue,
  deployments: ReadonlySet<string>,
  covered: ReadonlyMap<string, Set<Device>>,
): Finding[] {
  const findings: Finding[] = [];
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
  return findings;
}
