import type { PsaConnector } from "../types.ts";
import { ZONE_URL } from "./client.ts";
import { billingRow } from "./map.ts";
import { findLines, readBilling, readLine } from "./read.ts";
import { createLine, writeLine } from "./write.ts";

// Autotask (Datto) PSA: recurring billing lines are the services and service bundles of active
// Recurring Service contracts; a line's product is the Service (or ServiceBundle) name, its
// quantity the units of the period that bills on a date. Without `url` (or with the global host,
// which only answers the zone lookup), the REST base of the API user's zone comes from the zone
// lookup; setting `zoneUrl` points that lookup elsewhere (tests, a private instance).

export const autotask: PsaConnector = {
  kind: "autotask",
  title: "Autotask PSA",
  provides: ["billing"],
  urlOptional: true,
  fields: [
    { name: "username", secret: true, required: true, help: "User name (email) of the API-only resource" },
    { name: "secret", secret: true, required: true, help: "Secret (password) of the API-only resource" },
    {
      name: "integrationCode",
      secret: true,
      required: true,
      help: "API tracking identifier (integration code) of the API user",
    },
    {
      name: "zoneUrl",
      help: `Where to look up the API user's zone when no url is given (default ${ZONE_URL})`,
    },
  ],
  async pull(conn, ctx) {
    const billing = await readBilling(conn, ctx);
    return { rows: { billing: billing.lines.map(billingRow) }, counts: billing.counts };
  },
  readBilling,
  readLine,
  findLines,
  writeLine,
  createLine,
};
