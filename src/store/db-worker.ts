import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { type DbReply, type DbRequest, PGLITE_SETTINGS } from "./embedded.ts";

// The embedded database's own thread (embedded.ts starts it): PGlite is PostgreSQL compiled to
// WebAssembly and runs in the thread that calls it, so that a large statement (a run's report, an
// import's rows) would hold up every request the server answers meanwhile. Here it holds up nothing
// but other statements. One request at a time, in the order sent.

const lite = await PGlite.create((workerData as { dataDir: string }).dataDir, PGLITE_SETTINGS);

async function handle(request: DbRequest): Promise<unknown> {
  switch (request.op) {
    case "query": {
      const r = await lite.query(request.sql, request.params);
      return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
    }
    case "dump": {
      const blob = await lite.dumpDataDir("gzip");
      return new Uint8Array(await blob.arrayBuffer());
    }
    case "close":
      return lite.close();
  }
}

/** An error's message and own fields (PostgreSQL's code, detail...), which a clone of it would lose. */
function fields(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const out: Record<string, unknown> = { message: e.message, name: e.name };
  for (const [k, v] of Object.entries(e))
    if (v === null || ["string", "number", "boolean"].includes(typeof v)) out[k] = v;
  return out;
}

let queue: Promise<void> = Promise.resolve();
parentPort?.on("message", (message: { id: number; request: DbRequest }) => {
  queue = queue.then(async () => {
    let reply: DbReply;
    try {
      reply = { id: message.id, ok: true, value: await handle(message.request) };
    } catch (e) {
      reply = { id: message.id, ok: false, error: fields(e) };
    }
    const transfer = reply.ok && reply.value instanceof Uint8Array ? [reply.value.buffer as ArrayBuffer] : [];
    parentPort?.postMessage(reply, transfer);
  });
});
parentPort?.postMessage({ id: -1, ok: true, value: "ready" });
