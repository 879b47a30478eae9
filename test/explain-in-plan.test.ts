import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainClient } from "../src/core/explain.ts";
import { loadOrThrow } from "../src/workspace/load.ts";
import { repoRoot } from "./fixtures.ts";

// The client page's devices table: a device is checked only against the deployments of the services
// its plan includes (a Silver device has EDR and no backup: backup is "not in plan", never missing).

const demoDir = join(repoRoot, "examples", "demo");

describe("the deployments a device's plan includes", () => {
  it("are those of the services that count the device, by plan and device type; none without a plan", async () => {
    const { input } = await loadOrThrow(demoDir, { today: "2026-11-25" });
    const seen = new Map<string, Set<string>>();
    for (const client of input.clients) {
      for (const d of explainClient(input, client.id)?.devices ?? []) {
        const key = `${d.plan ?? "none"} ${d.type}`;
        seen.set(key, new Set([...(seen.get(key) ?? []), d.inPlan.join("+")]));
        for (const n of d.inPlan) expect(Object.keys(d.deployments)).toContain(n);
      }
    }
    expect(seen.get("bundle:silver-user laptop") ?? seen.get("bundle:silver-user workstation")).toEqual(
      new Set(["edr"]),
    );
    expect(seen.get("bundle:gold-user workstation")).toEqual(new Set(["backup+edr"]));
    expect(seen.get("bundle:server server")).toEqual(new Set(["backup+edr"]));
    for (const [key, plans] of seen) if (key.startsWith("none ")) expect(plans).toEqual(new Set([""]));
  });
});
