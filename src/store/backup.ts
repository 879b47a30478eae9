import { existsSync } from "node:fs";
import { readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import { type Db, embeddedOf } from "./db.ts";
import { PGLITE_SETTINGS } from "./embedded.ts";
import { StoreError } from "./errors.ts";
import { LOCK_FILE, lockDataFolder } from "./lock.ts";
import { migrate } from "./migrations.ts";

// Backups of the embedded database: PGlite's dump of its data folder (a gzipped tar), taken by the
// process that holds the folder's lock, so nothing writes while it is read. A restore loads the dump
// into a new folder beside the target, brings its schema up to this version, and only then puts it in
// place; the folder it replaces is kept beside it.

/** The data folder of an open embedded database as a .tar.gz. */
export async function dumpEmbedded(db: Db): Promise<Buffer> {
  const lite = embeddedOf(db);
  if (!lite) throw new StoreError("invalid", "only the embedded database is backed up by trueup backup");
  const blob = await lite.dumpDataDir("gzip");
  return Buffer.from(await blob.arrayBuffer());
}

/** Writes `data` to `file` whole or not at all. */
export async function writeWhole(file: string, data: Buffer): Promise<void> {
  const temp = `${file}.partial-${process.pid}`;
  await writeFile(temp, data, { flag: "wx" });
  await rename(temp, file);
}

export interface Restored {
  /** Where the folder that was replaced now is. */
  keptAs?: string;
}

function isDatabase(dir: string): boolean {
  return existsSync(join(dir, "PG_VERSION"));
}

async function loadInto(dir: string, dump: Buffer, file: string): Promise<void> {
  const lock = await lockDataFolder(dir);
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGlitePool } = await import("./pglite-pool.ts");
  let lite: InstanceType<typeof PGlite>;
  try {
    lite = await PGlite.create({
      ...PGLITE_SETTINGS,
      dataDir: dir,
      loadDataDir: new Blob([new Uint8Array(dump)]),
    });
  } catch (e) {
    await lock.release();
    throw new StoreError(
      "invalid",
      `${file} is not a backup of Trueup's embedded database (${(e as Error).message})`,
    );
  }
  // The dump holds the lock line of the process that made it: this one holds the folder now.
  await lock.refresh();
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new PGlitePool(lite) as never }) });
  try {
    await migrate(db);
  } finally {
    await db.destroy();
    await unlink(join(dir, LOCK_FILE)).catch(() => undefined);
    await lock.release();
  }
}

/**
 * Replaces the embedded database in `dataDir` by the backup in `file`. Refuses while another process
 * holds the folder, and when it holds a database and `force` is not given.
 */
export async function restoreEmbedded(file: string, dataDir: string, force: boolean): Promise<Restored> {
  const dir = resolve(dataDir);
  const dump = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new StoreError(
      "not_found",
      `cannot read ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`,
    );
  });
  // Held from here to the end: no process opens the folder while it is replaced.
  const lock = await lockDataFolder(dir);
  try {
    if (isDatabase(dir) && !force)
      throw new StoreError(
        "conflict",
        `${dir} holds a database already; add --force to replace it (it is kept beside it, not deleted)`,
      );
    const incoming = `${dir}.restoring-${process.pid}`;
    await rm(incoming, { recursive: true, force: true });
    try {
      await loadInto(incoming, dump, file);
    } catch (e) {
      await rm(incoming, { recursive: true, force: true });
      throw e;
    }
    let keptAs: string | undefined;
    if (isDatabase(dir)) {
      keptAs = `${dir}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      await rename(dir, keptAs);
      await unlink(join(keptAs, LOCK_FILE)).catch(() => undefined);
    } else await rm(dir, { recursive: true, force: true });
    await rename(incoming, dir);
    return { keptAs };
  } finally {
    await lock.release();
  }
}
