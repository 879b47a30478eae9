import { parentPort } from "node:worker_threads";
import type { Config } from "../workspace/config.ts";
import { WorkspaceError } from "../workspace/issues.ts";
import { unpack } from "./clone.ts";
import { lowerThreadPriority } from "./priority.ts";
import { checkUpload } from "./read-upload.ts";
import { readWorkspace } from "./read-workspace.ts";
import { RunEngine } from "./run-engine.ts";
import type { WorkerReply, WorkerRequest } from "./run-worker.ts";

// The worker thread of the store (run-worker.ts starts it): reconciliations run here, off the thread
// that answers requests. One request at a time, in the order sent.

// Below the thread that answers requests (priority.ts).
lowerThreadPriority();

const engine = new RunEngine();

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "has":
      return engine.has(request.key);
    case "begin":
      return engine.begin(request.key, unpack<Config>(request.config));
    case "add":
      return engine.add(request.key, request.sourceIndex, request.records);
    case "run":
      return engine.run(request.key, request.asOf);
    case "reportPart":
      return engine.reportPart(request.ticket, request.start, request.count);
    case "margin":
      return engine.margin(request.key, request.asOf);
    case "clientRows":
      return engine.clientRows(request.key);
    case "rowsAt":
      return engine.rowsAt(request.key, request.refs);
    case "whatIf":
      return engine.whatIf(request.key, request.asOf, unpack(request.before), unpack(request.after));
    case "readWorkspace":
      return readWorkspace(request.dir);
    case "checkUpload":
      return checkUpload(request);
  }
}

let queue: Promise<void> = Promise.resolve();
parentPort?.on("message", (message: { id: number; request: WorkerRequest }) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = { id: message.id, ok: true, value: await handle(message.request) };
    } catch (e) {
      reply =
        e instanceof WorkspaceError
          ? { id: message.id, ok: false, issues: e.issues }
          : { id: message.id, ok: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    parentPort?.postMessage(reply);
  });
});
