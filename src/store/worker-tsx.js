// A worker thread of the store when the sources run through tsx (development, tests): registers tsx
// in the worker, whose module loader is its own, then runs the worker's script (workerData.entry:
// worker.ts by default). The build runs dist/store/worker.js and dist/store/db-worker.js.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData?.entry === "db-worker" ? "./db-worker.ts" : "./worker.ts");
