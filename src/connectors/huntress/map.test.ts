import { describe, expect, it } from "vitest";
import { nextPageToken } from "./client.ts";
import { agentRow, agentRows, agentSkip } from "./map.ts";

const agent = {
  id: 1,
  organization_id: 7,
  hostname: " laptop01 ",
  serial_number: "wtIe1bvDbh",
  last_callback_at: "2022-03-01T20:05:10Z",
};

describe("huntress agentRow", () => {
  it("maps an agent to its organization id as text, hostname, serial and last callback", () => {
    expect(agentRow(agent)).toEqual({
      account: "7",
      hostname: "laptop01",
      serial: "wtIe1bvDbh",
      lastSeen: "2022-03-01T20:05:10.000Z",
    });
  });

  it("leaves serial and lastSeen empty when Huntress gives none or an unreadable date", () => {
    expect(agentRow({ ...agent, serial_number: null, last_callback_at: null })).toMatchObject({
      serial: "",
      lastSeen: "",
    });
    expect(agentRow({ ...agent, last_callback_at: "never" })?.lastSeen).toBe("");
  });

  it("skips an agent without a hostname or an organization, and counts it", () => {
    expect(agentSkip({ ...agent, hostname: "" })).toBe("no hostname");
    expect(agentSkip({ ...agent, organization_id: null })).toBe("no organization");
    const { rows, skipped } = agentRows([agent, { ...agent, hostname: null }]);
    expect(rows).toHaveLength(1);
    expect(skipped).toBe(1);
  });
});

describe("huntress nextPageToken", () => {
  it("takes next_page_token, else the page_token of next_page_url", () => {
    expect(
      nextPageToken({
        next_page_token: "abc",
        next_page_url: "https://api.huntress.io/v1/agents?page_token=xyz",
      }),
    ).toBe("abc");
    expect(
      nextPageToken({ next_page_url: "https://api.huntress.io/v1/agents?page_token=MjAy&limit=10" }),
    ).toBe("MjAy");
  });

  it("ends when neither is given, or they are empty or unreadable", () => {
    expect(nextPageToken(undefined)).toBeUndefined();
    expect(nextPageToken({})).toBeUndefined();
    expect(nextPageToken({ next_page_token: "", next_page_url: null })).toBeUndefined();
    expect(nextPageToken({ next_page_url: "not a url" })).toBeUndefined();
  });
});
