import { type Explanation, explainClient } from "../core/explain.ts";
import type { Owner, ReconcileInput } from "../core/types.ts";

// What stands behind a client's counts (core/explain.ts), from the stored input. The input is cut
// once, in one pass over its rows, into each client's rows (users, devices, deployment rows): the core
// filters the rows by client itself, so that a client's part gives what the whole input gives. Each
// explanation is kept with the input and date it was made from, until either changes.

const CUTS = new WeakMap<ReconcileInput, Map<string, ReconcileInput>>();

function byClient<T extends { owner: Owner }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    if (!("client" in r.owner)) continue;
    const list = out.get(r.owner.client);
    if (list) list.push(r);
    else out.set(r.owner.client, [r]);
  }
  return out;
}

function cut(input: ReconcileInput): Map<string, ReconcileInput> {
  const users = byClient(input.users);
  const devices = byClient(input.devices);
  const deployments = byClient(input.deploymentRows);
  const parts = new Map<string, ReconcileInput>();
  for (const client of input.clients) {
    parts.set(client.id, {
      ...input,
      users: users.get(client.id) ?? [],
      devices: devices.get(client.id) ?? [],
      deploymentRows: deployments.get(client.id) ?? [],
    });
  }
  return parts;
}

/** The input with only this client's users, devices and deployment rows; undefined: no such client. */
export function clientInput(input: ReconcileInput, clientId: string): ReconcileInput | undefined {
  let parts = CUTS.get(input);
  if (!parts) {
    parts = cut(input);
    CUTS.set(input, parts);
  }
  return parts.get(clientId);
}

const EXPLAINED = new WeakMap<ReconcileInput, { asOf: string; byClient: Map<string, Explanation> }>();

/** The core's explanation of a client as of a date (the same object while input and date hold: read-only). */
export function explained(input: ReconcileInput, clientId: string, asOf: string): Explanation | undefined {
  let kept = EXPLAINED.get(input);
  if (kept?.asOf !== asOf) {
    kept = { asOf, byClient: new Map() };
    EXPLAINED.set(input, kept);
  }
  const known = kept.byClient.get(clientId);
  if (known) return known;
  const mine = clientInput(input, clientId);
  const explanation = mine && explainClient({ ...mine, asOf }, clientId);
  // Unknown clients are not kept: anyone may ask for any id.
  if (explanation) kept.byClient.set(clientId, explanation);
  return explanation;
}
