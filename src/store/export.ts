import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CONFIG_FILE } from "../workspace/load.ts";
import { currentConfig, storedYaml } from "./catalogue.ts";
import type { Context } from "./context.ts";
import { StoreError } from "./errors.ts";
import { csvText, latestImports, storedRecords } from "./import-rows.ts";
import type { Store } from "./store.ts";

// The database written back as a workspace folder: trueup.yaml as stored, and the latest import of
// each source at the source's `file`, every record on its original line. Reconciling the folder gives
// the report reconciling the database gives. A source with no import yet gets no file.

/** Writes through a temporary file, so that a failure never leaves half a file. */
async function writeAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.trueup-tmp-${process.pid}`;
  try {
    await write(tmp);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

export function exportRepository(ctx: Context): Pick<Store, "exportWorkspace"> {
  return {
    async exportWorkspace(dir) {
      const root = resolve(dir);
      const { config, sourceIds } = await currentConfig(ctx);
      const latest = await latestImports(ctx.db);
      const files = config.sources.map((s) => {
        const path = resolve(root, s.file);
        if (!path.startsWith(root + sep))
          throw new StoreError(
            "invalid",
            `sources[${s.index}].file "${s.file}" is outside the workspace folder`,
          );
        return { path, imp: latest.get(sourceIds[s.index] ?? -1) };
      });
      const text = await storedYaml(ctx.db);
      await writeAtomically(resolve(root, CONFIG_FILE), (tmp) => writeFile(tmp, text));
      for (const { path, imp } of files) {
        if (!imp) continue;
        await writeAtomically(path, (tmp) =>
          pipeline(Readable.from(csvText(storedRecords(ctx.db, imp))), createWriteStream(tmp)),
        );
      }
    },
  };
}
