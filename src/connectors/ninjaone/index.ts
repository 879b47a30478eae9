import type { CanonicalRow, Connection, Connector, ConnectorContext, PullResult } from "../types.ts";
import { NinjaClient } from "./client.ts";
import { ninjaDeviceRow } from "./map.ts";

// NinjaOne: every organization's devices, as trueup-devices rows whose account is the organization
// id (a client's `ids.rmm` is then its NinjaOne organization id, e.g. "12").

export const ninjaone: Connector = {
  kind: "ninjaone",
  title: "NinjaOne",
  provides: ["devices"],
  fields: [
    {
      name: "clientId",
      secret: true,
      required: true,
      help: "Client ID of an API Services (machine-to-machine) client app with the Monitoring scope (Administration > Apps > API)",
    },
    { name: "clientSecret", secret: true, required: true, help: "That client app's secret" },
  ],
  pull,
};

async function pull(conn: Connection, ctx: ConnectorContext): Promise<PullResult> {
  const client = new NinjaClient(conn, ctx);
  const organizations = await client.organizations();
  const devices = await client.devices();
  const rows: CanonicalRow[] = [];
  const skipped = new Map<string, number>();
  const notes = new Map<string, number>();
  const tally = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const d of devices) {
    const m = ninjaDeviceRow(d);
    if ("skip" in m) {
      tally(skipped, m.skip);
      continue;
    }
    rows.push(m.row);
    if (m.note) tally(notes, m.note);
  }
  for (const [why, n] of skipped) ctx.progress(`left out ${n} device${n === 1 ? "" : "s"}: ${why}`);
  for (const [what, n] of notes) ctx.progress(`${n} device${n === 1 ? "" : "s"}: ${what}`);
  return {
    rows: { devices: rows },
    counts: {
      organizations: organizations.length,
      devices: rows.length,
      skipped: devices.length - rows.length,
      requests: client.requests,
    },
  };
}
