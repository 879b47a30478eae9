import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainClient } from "../src/core/explain.ts";
import type { ReconcileInput, UserRow } from "../src/core/types.ts";
import { ClientRows, packClientRows } from "../src/store/client-rows.ts";
import type { Config } from "../src/workspace/config.ts";
import { loadWorkspace } from "../src/workspace/load.ts";
import { repoRoot } from "./fixtures.ts";

// The client pages explain a client from its rows packed apart from the others (client-rows.ts): the
// thread that answers requests never holds the whole input. What they give must be what the core
// gives over the whole input.

const TODAY = "2026-11-25";

async function demo(): Promise<{ config: Config; input: ReconcileInput }> {
  const loaded = await loadWorkspace(join(repoRoot, "examples", "demo"), { today: TODAY });
  if (!loaded.config || !loaded.input) throw new Error(loaded.issues[0]?.message);
  return { config: loaded.config, input: loaded.input };
}

const mine = <T extends { owner: object }>(rows: readonly T[], clientId: string) =>
  rows.filter((r) => "client" in r.owner && r.owner.client === clientId);

describe("clients' rows, packed", () => {
  it("give each client its own rows, and the core's explanation of every client on every date", async () => {
    const { config, input } = await demo();
    const rows = new ClientRows(config, packClientRows(input));
    for (const { id } of input.clients) {
      expect(rows.rows(id)).toEqual({
        users: mine(input.users, id),
        devices: mine(input.devices, id),
        deploymentRows: mine(input.deploymentRows, id),
      });
      for (const asOf of [input.asOf, "2026-12-31", "2025-01-01"])
        expect(rows.explain(id, asOf)).toEqual(explainClient({ ...input, asOf }, id));
    }
    expect(rows.explain("nobody", input.asOf)).toBeUndefined();
    // Rows of no client (an account not mapped yet) are in no client's part.
    const unmapped = input.users.filter((u) => !("client" in u.owner)).length;
    const packed = input.clients.reduce((n, c) => n + rows.rows(c.id).users.length, 0);
    expect(packed + unmapped).toBe(input.users.length);
  });

  it("keep a client whose rows take more than the first buffer (1 MB of JSON), text outside ASCII included", async () => {
    const { config, input } = await demo();
    const client = input.clients[0]?.id as string;
    const users: UserRow[] = Array.from({ length: 30_000 }, (_, i) => ({
      ref: `data/users.csv:${i + 2}`,
      owner: { client },
      upn: `zoë.ångström${i}@client.example`,
      enabled: i % 7 !== 0,
      licences: ["O365_BUSINESS_PREMIUM"],
      guest: false,
      vendor: "microsoft",
    }));
    const packed = packClientRows({ ...input, users });
    expect(JSON.stringify(users).length).toBeGreaterThan(2 * 1024 * 1024);
    const rows = new ClientRows(config, packed);
    expect(rows.rows(client).users).toEqual(users);
    // Each part is a buffer of its own, no larger than its bytes.
    for (const [, bytes] of packed) expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(rows.bytes).toBeLessThan(JSON.stringify(users).length / 10);
  });

  it("keep the explanations made, and give the same again for a client and date", async () => {
    const { config, input } = await demo();
    const rows = new ClientRows(config, packClientRows(input));
    for (const asOf of [TODAY, "2026-12-31", "2025-01-01", TODAY])
      for (const { id } of input.clients) {
        const made = rows.explain(id, asOf);
        expect(made).toEqual(explainClient({ ...input, asOf }, id));
        expect(rows.explain(id, asOf)).toEqual(made);
      }
  });
});
