import { describe, expect, it } from "vitest";
import { sentineloneAgentSkip } from "../../formats/sentinelone.ts";
import { consoleRoot } from "./client.ts";
import { agentRow, agentRows, agentSkip } from "./map.ts";

const live = {
  computerName: " CON-WS01 ",
  siteId: "225494730938493804",
  siteName: "Contoso",
  serialNumber: "5CD1111AAA ",
  lastActiveDate: "2026-10-31T20:30:00.257525Z",
  isActive: true,
  isDecommissioned: false,
  isUninstalled: false,
};

describe("sentinelone agentRow", () => {
  it("maps an agent to its site id, trimmed name and serial, and last activity in UTC", () => {
    expect(agentRow(live)).toEqual({
      account: "225494730938493804",
      hostname: "CON-WS01",
      serial: "5CD1111AAA",
      lastSeen: "2026-10-31T20:30:00.000Z",
    });
  });

  it("leaves lastSeen and serial empty when the console gives none or an unreadable date", () => {
    expect(agentRow({ ...live, serialNumber: null, lastActiveDate: null })).toMatchObject({
      serial: "",
      lastSeen: "",
    });
    expect(agentRow({ ...live, lastActiveDate: "yesterday" })?.lastSeen).toBe("");
  });

  it("skips decommissioned and uninstalled agents, and agents without a name or a site", () => {
    expect(agentSkip({ ...live, isDecommissioned: true })).toBe("decommissioned");
    expect(agentSkip({ ...live, isUninstalled: true })).toBe("uninstalled");
    expect(agentSkip({ ...live, computerName: "  " })).toBe("no hostname");
    expect(agentSkip({ ...live, siteId: null })).toBe("no site");
    expect(agentSkip(live)).toBeUndefined();
    expect(agentRow({ ...live, isDecommissioned: true })).toBeUndefined();
  });

  it("counts what it skips", () => {
    const { rows, skipped } = agentRows([live, { ...live, isUninstalled: true }, {}]);
    expect(rows).toHaveLength(1);
    expect(skipped).toBe(2);
  });

  it("follows the file format's rule, whose flags are text such as Yes and true", () => {
    expect(sentineloneAgentSkip({ isDecommissioned: "Yes", isUninstalled: "" })).toBe("decommissioned");
    expect(sentineloneAgentSkip({ isDecommissioned: "false", isUninstalled: "True" })).toBe("uninstalled");
    expect(sentineloneAgentSkip({ isDecommissioned: "No", isUninstalled: "" })).toBeUndefined();
  });
});

describe("sentinelone consoleRoot", () => {
  it("takes the console address with or without the API path", () => {
    expect(consoleRoot("https://usea1-partners.sentinelone.net/")).toBe(
      "https://usea1-partners.sentinelone.net",
    );
    expect(consoleRoot("https://usea1-partners.sentinelone.net/web/api/v2.1")).toBe(
      "https://usea1-partners.sentinelone.net",
    );
  });
});
