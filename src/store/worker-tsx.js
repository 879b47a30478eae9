// The store's worker thread when the sources run through tsx (development, tests): registers tsx in
// the worker, whose module loader is its own, then runs worker.ts. The build runs dist/store/worker.js.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
