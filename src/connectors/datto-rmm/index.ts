import type { CanonicalRow, Connection, Connector, ConnectorContext, PullResult } from "../types.ts";
import { DattoClient } from "./client.ts";
import { dattoDeviceRow } from "./map.ts";

// Datto RMM: every site's devices, as trueup-devices rows whose account is the site's uid (a client's
// `ids.rmm` is then its Datto RMM site uid, which the datto-rmm-devices file format also accepts in
// its siteUid column, so one id serves both an export and a pull).

export const dattoRmm: Connector = {
  kind: "datto-rmm",
  title: "Datto RMM",
  provides: ["devices"],
  fields: [
    {
      name: "apiKey",
      secret: true,
      required: true,
      help: "API key of a Datto RMM user (Setup > Users > Generate API Keys; API access enabled in Global Settings)",
    },
    { name: "apiSecret", secret: true, required: true, help: "That user's API secret key" },
  ],
  pull,
};

async function pull(conn: Connection, ctx: ConnectorContext): Promise<PullResult> {
  const client = new DattoClient(conn, ctx);
  const sites = await client.sites();
  const rows: CanonicalRow[] = [];
  const skipped = new Map<string, number>();
  const notes = new Map<string, number>();
  const tally = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let listed = 0;
  for (const [i, site] of sites.entries()) {
    const uid = site.uid?.trim();
    if (!uid) continue;
    const devices = await client.devices(uid);
    listed += devices.length;
    for (const d of devices) {
      const m = dattoDeviceRow(d, uid);
      if ("skip" in m) tally(skipped, m.skip);
      else {
        rows.push(m.row);
        if (m.note) tally(notes, m.note);
      }
    }
    ctx.progress(`site ${i + 1} of ${sites.length} (${site.name ?? uid}): ${rows.length} devices so far`);
  }
  for (const [why, n] of skipped) ctx.progress(`left out ${n} device${n === 1 ? "" : "s"}: ${why}`);
  for (const [what, n] of notes) ctx.progress(`${n} device${n === 1 ? "" : "s"}: ${what}`);
  return {
    rows: { devices: rows },
    counts: {
      sites: sites.length,
      devices: rows.length,
      skipped: listed - rows.length,
      requests: client.requests,
    },
  };
}
