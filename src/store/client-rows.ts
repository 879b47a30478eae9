import { deflateRawSync, inflateRawSync } from "node:zlib";
import { type Explanation, explainClient } from "../core/explain.ts";
import type { DeploymentRow, DeviceRow, Owner, ReconcileInput, UserRow } from "../core/types.ts";
import type { Config } from "../workspace/config.ts";
import { buildInput } from "../workspace/load.ts";

// What stands behind a client's counts (core/explain.ts) needs that client's users, devices and
// deployment rows, and the configuration. The thread that answers requests keeps each client's rows
// packed (JSON, deflated), cut from the input in the
// engine's thread (run-engine.ts clientRows), and unpacks a client's rows when its page is asked for:
// it never holds the whole input (75 MB of objects with 2,000 clients). The core filters rows by
// client itself, so that a client's rows give what the whole input gives.

/** Each client's rows (users, devices, deployment rows), packed; clients with none are left out. */
export type PackedClientRows = [clientId: string, packed: Uint8Array][];

interface Rows {
  users: UserRow[];
  devices: DeviceRow[];
  deploymentRows: DeploymentRow[];
}

function byClient<T extends { owner: Owner }>(
  rows: readonly T[],
  listOf: (mine: Rows) => T[],
  into: Map<string, Rows>,
): void {
  for (const r of rows) {
    if (!("client" in r.owner)) continue;
    let mine = into.get(r.owner.client);
    if (!mine) {
      mine = { users: [], devices: [], deploymentRows: [] };
      into.set(r.owner.client, mine);
    }
    listOf(mine).push(r);
  }
}

/** Text to bytes, into a buffer used again for every client. */
const encoder = new TextEncoder();

/**
 * Cuts the input into each client's rows, packed: their JSON (the rows hold only text, flags and
 * lists), deflated at the fastest level (the bench's 2,000 clients: 63 MB of JSON to 6.6 MB, cut and
 * packed in 0.5 s). Each client's JSON is encoded into one buffer used again, and zlib writes in
 * small pieces: buffers made per client are memory outside the JavaScript heap, freed only by a full
 * collection, and the memory a thread reaches stays with the process after the thread ends (64 MB
 * more once the 2,000 clients of the bench were cut with a buffer each).
 */
export function packClientRows(input: ReconcileInput): PackedClientRows {
  const cut = new Map<string, Rows>();
  byClient(input.users, (mine) => mine.users, cut);
  byClient(input.devices, (mine) => mine.devices, cut);
  byClient(input.deploymentRows, (mine) => mine.deploymentRows, cut);
  let scratch = new Uint8Array(1 << 20);
  const out: PackedClientRows = [];
  for (const [client, rows] of cut) {
    const json = JSON.stringify(rows);
    let written = encoder.encodeInto(json, scratch);
    while (written.read < json.length) {
      scratch = new Uint8Array(scratch.length * 2);
      written = encoder.encodeInto(json, scratch);
    }
    out.push([client, deflated(scratch.subarray(0, written.written))]);
  }
  return out;
}

/** Dates whose explanations are kept (the latest run's, and one asked of another). */
const DATES_KEPT = 2;

/** JSON text deflated at the fastest level, in a buffer of its own. */
function deflated(json: string | Uint8Array): Uint8Array {
  // A copy of its own: zlib's result is a view of a larger buffer, which a clone to another thread
  // (or a buffer kept) would hold whole.
  return new Uint8Array(deflateRawSync(json, { level: 1, chunkSize: 4096 }));
}

function inflated<T>(packed: Uint8Array): T {
  return JSON.parse(inflateRawSync(packed).toString("utf8")) as T;
}

/** The clients' rows of one input, packed, with the configuration it was built from. */
export class ClientRows {
  readonly #base: ReconcileInput;
  readonly #packed: Map<string, Uint8Array>;
  /**
   * Explanations made, deflated JSON by date and client: 2.0 MB for the bench's 2,000 clients (24.5
   * MB of JSON; kept as objects they took 42 MB). A page made again (after a run, or once its bytes were dropped) reads its client's
   * explanation back rather than working it out again.
   */
  readonly #explained = new Map<string, Map<string, Uint8Array>>();

  /** `config`: with only the sources that have an import, as the input was built from. */
  constructor(config: Config, packed: PackedClientRows) {
    this.#base = buildInput(
      config,
      { users: [], devices: [], deployments: [], licences: [], billing: [] },
      "",
    );
    this.#packed = new Map(packed);
  }

  /** Bytes of the packed rows. */
  get bytes(): number {
    let n = 0;
    for (const p of this.#packed.values()) n += p.byteLength;
    return n;
  }

  /** The rows of a client (none for a client with no rows). */
  rows(clientId: string): Rows {
    const packed = this.#packed.get(clientId);
    return packed ? inflated<Rows>(packed) : { users: [], devices: [], deploymentRows: [] };
  }

  /** The core's explanation of a client as of a date (a new object each time); undefined: no such client. */
  explain(clientId: string, asOf: string): Explanation | undefined {
    let ofDate = this.#explained.get(asOf);
    const known = ofDate?.get(clientId);
    if (known) return inflated<Explanation>(known);
    if (!this.#base.clients.some((c) => c.id === clientId)) return undefined;
    const explanation = explainClient({ ...this.#base, ...this.rows(clientId), asOf }, clientId);
    if (!explanation) return undefined;
    if (!ofDate) {
      ofDate = new Map();
      this.#explained.set(asOf, ofDate);
      for (const old of this.#explained.keys())
        if (this.#explained.size > DATES_KEPT) this.#explained.delete(old);
    }
    ofDate.set(clientId, deflated(JSON.stringify(explanation)));
    return explanation;
  }
}
