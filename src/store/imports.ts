import { resolve } from "node:path";
import type { Config, SourceConfig } from "../workspace/config.ts";
import { writeAudit } from "./audit.ts";
import { currentConfig, hasErrors, writeConfig } from "./catalogue.ts";
import { unpack } from "./clone.ts";
import type { Context } from "./context.ts";
import { StoreError } from "./errors.ts";
import {
  headerRecord,
  insertImportBatches,
  latestImports,
  storedChunks,
  toImportView,
} from "./import-rows.ts";
import type { CheckedUpload, StoredFile } from "./read-upload.ts";
import type { ReadWorkspace } from "./read-workspace.ts";
import { closeRunTasks, runTasks } from "./run-worker.ts";
import type { Actor, Store } from "./store.ts";

// Imports: a file uploaded for one source, or a whole workspace folder. Either is checked by the
// workspace loader itself (every error with its line) before anything is written, and written in
// one transaction.

/**
 * Reads and checks an uploaded file in the store's reader thread (read-upload.ts): this thread only
 * gathers what the check needs from the database, the other users sources' latest imports as their
 * chunks' text.
 */
async function checkFile(
  ctx: Context,
  sourceId: number,
  fileName: string,
  content: Buffer,
  store: boolean,
): Promise<{ source: SourceConfig; checked: CheckedUpload }> {
  const { config, sourceIds } = await currentConfig(ctx);
  const index = sourceIds.indexOf(sourceId);
  const source = config.sources[index];
  if (index < 0 || !source) throw new StoreError("not_found", `no source ${sourceId}`);
  const latest = await latestImports(ctx.db);
  const others: StoredFile[] = [];
  if (source.kind === "users")
    for (const s of config.sources) {
      const imp = latest.get(sourceIds[s.index] ?? -1);
      if (s.kind !== "users" || s.index === index || !imp) continue;
      const chunks: string[] = [];
      for await (const chunk of storedChunks(ctx.db, imp)) chunks.push(chunk);
      others.push({ index: s.index, header: headerRecord(imp), chunks });
    }
  const checked = await runTasks(ctx).checkUpload({
    config,
    sourceIndex: index,
    fileName,
    content,
    others,
    store,
  });
  return { source, checked };
}

async function importWorkspace(ctx: Context, dir: string, actor: Actor, reading?: Promise<ReadWorkspace>) {
  const read = await (reading ?? runTasks(ctx).readWorkspace(resolve(dir)));
  const { yamlText, issues } = read;
  const config = read.config === undefined ? undefined : unpack<Config>(read.config);
  if (!config || yamlText === undefined || hasErrors(issues)) return { issues, imports: 0, rows: 0 };
  return ctx.db.transaction().execute(async (trx) => {
    const ids = await writeConfig(trx, ctx, config, yamlText);
    const imports: number[] = [];
    let rows = 0;
    for (const s of config.sources) {
      const file = read.files.find((f) => f.index === s.index);
      const sourceId = ids.get(s.index) as number;
      const imp = await insertImportBatches(
        trx,
        ctx,
        { sourceId, fileName: s.file, format: s.format, actor: actor.name },
        {
          header: file?.header ?? [],
          delimiter: file?.delimiter,
          rows: file?.rows ?? 0,
          batches: file?.batches ?? [],
        },
      );
      imports.push(imp.id);
      rows += imp.row_count;
    }
    await writeAudit(trx, ctx, actor, "workspace.import", "workspace", { dir: resolve(dir), imports, rows });
    return { issues, imports: imports.length, rows };
  });
}

export function importRepository(
  ctx: Context,
): Pick<Store, "previewImport" | "importFile" | "listImports" | "importWorkspace"> {
  return {
    async previewImport(sourceId, fileName, content) {
      const { checked } = await checkFile(ctx, sourceId, fileName, content, false);
      return {
        header: checked.header,
        rows: checked.preview,
        rowCount: checked.rows,
        issues: checked.issues,
      };
    },

    async importFile(sourceId, fileName, content, actor) {
      const { source, checked } = await checkFile(ctx, sourceId, fileName, content, true);
      if (hasErrors(checked.issues)) return { issues: checked.issues };
      const format = source.format;
      const imp = await ctx.db.transaction().execute(async (trx) => {
        const row = await insertImportBatches(
          trx,
          ctx,
          { sourceId, fileName, format, actor: actor.name },
          checked,
        );
        await writeAudit(trx, ctx, actor, "import.create", `import:${row.id}`, {
          sourceId,
          fileName,
          format,
          rows: row.row_count,
        });
        return row;
      });
      return { import: toImportView(imp), issues: checked.issues };
    },

    async listImports(page) {
      const [rows, count] = await Promise.all([
        ctx.db
          .selectFrom("imports")
          .selectAll()
          .orderBy("id", "desc")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        ctx.db
          .selectFrom("imports")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map(toImportView),
        total: Number(count.n),
        limit: page.limit,
        offset: page.offset,
      };
    },

    importWorkspace(dir, actor, read) {
      return importWorkspace(ctx, dir, actor, read);
    },
  };
}

/**
 * Starts reading a workspace folder for importWorkspace in a reader thread of its own, before any
 * database is open (`trueup import`: PGlite takes a second to open). `close` stops the thread.
 */
export function readWorkspaceFolder(dir: string): {
  read: Promise<ReadWorkspace>;
  close: () => Promise<void>;
} {
  const owner = {};
  const read = runTasks(owner).readWorkspace(resolve(dir));
  // Looked at by importWorkspace; a database that fails to open leaves it unread.
  read.catch(() => {});
  return { read, close: () => closeRunTasks(owner) };
}
