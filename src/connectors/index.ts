import { autotask } from "./autotask/index.ts";
import { connectwise } from "./connectwise/index.ts";
import { dattoRmm } from "./datto-rmm/index.ts";
import { halopsa } from "./halopsa/index.ts";
import { huntress } from "./huntress/index.ts";
import { msgraph } from "./msgraph/index.ts";
import { ninjaone } from "./ninjaone/index.ts";
import { pax8 } from "./pax8/index.ts";
import { sandbox } from "./sandbox/index.ts";
import { sentinelone } from "./sentinelone/index.ts";
import { type ConnectionKind, type Connector, isPsa, type PsaConnector } from "./types.ts";

// Every system Trueup can pull from, by connection kind.

export const CONNECTORS: Record<ConnectionKind, Connector> = {
  connectwise,
  autotask,
  halopsa,
  msgraph,
  pax8,
  ninjaone,
  "datto-rmm": dattoRmm,
  sentinelone,
  huntress,
  sandbox,
};

export function connectorOf(kind: ConnectionKind): Connector {
  return CONNECTORS[kind];
}

export function psaOf(kind: ConnectionKind): PsaConnector | undefined {
  const c = CONNECTORS[kind];
  return isPsa(c) ? c : undefined;
}
