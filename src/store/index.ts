import { accountRepository } from "./accounts.ts";
import { auditRepository } from "./audit.ts";
import { catalogueRepository } from "./catalogue.ts";
import { connectionRepository } from "./connections.ts";
import { createContext, type StoreOptions } from "./context.ts";
import type { Db } from "./db.ts";
import { decisionRepository } from "./decisions.ts";
import { exportRepository } from "./export.ts";
import { importRepository } from "./imports.ts";
import { mappingRepository } from "./mappings.ts";
import { closeRunTasks } from "./run-worker.ts";
import { runRepository } from "./runs.ts";
import { sandboxRepository } from "./sandbox.ts";
import { statementRepository } from "./statements.ts";
import type { Store } from "./store.ts";
import { syncRepository } from "./sync.ts";

export { type Db, dbOptionsFromEnv, describeDb, openDb } from "./db.ts";
export { StoreError } from "./errors.ts";
export type * from "./store.ts";

/** The Store over an open database (openDb): one repository module per aggregate. */
export function createStore(db: Db, opts: StoreOptions = {}): Store {
  const ctx = createContext(db, opts);
  const catalogue = catalogueRepository(ctx);
  return {
    ...catalogue,
    ...sandboxRepository(ctx, catalogue.saveConfigYaml),
    ...importRepository(ctx),
    ...exportRepository(ctx),
    ...runRepository(ctx),
    ...decisionRepository(ctx),
    ...mappingRepository(ctx),
    ...accountRepository(ctx),
    ...auditRepository(ctx),
    ...connectionRepository(ctx),
    ...syncRepository(ctx),
    ...statementRepository(ctx),
    async close() {
      await closeRunTasks(ctx);
      await db.destroy();
    },
  };
}
