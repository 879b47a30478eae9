import { resolve } from "node:path";
import type { Config, SourceConfig } from "../workspace/config.ts";
import { type CsvRecord, readCsv } from "../workspace/csv.ts";
import type { Issue } from "../workspace/issues.ts";
import { loadSources, sortIssues } from "../workspace/load.ts";
import { writeAudit } from "./audit.ts";
import { currentConfig, hasErrors, writeConfig } from "./catalogue.ts";
import { unpack } from "./clone.ts";
import type { Context } from "./context.ts";
import { StoreError } from "./errors.ts";
import {
  type ImportRow,
  insertImport,
  insertImportBatches,
  latestImports,
  storedRecords,
  toImportView,
} from "./import-rows.ts";
import { unstorable } from "./read-workspace.ts";
import { runTasks } from "./run-worker.ts";
import type { Actor, ImportPreview, Store } from "./store.ts";

// Imports: a file uploaded for one source, or a whole workspace folder. Either is checked by the
// workspace loader itself (every error with its line) before anything is written, and written in
// one transaction.

const PREVIEW_ROWS = 20;

/** Every record of a file, and the read error that stopped it if any (raised again by `replay`). */
async function readAll(content: Buffer): Promise<{ records: CsvRecord[]; error?: unknown }> {
  const records: CsvRecord[] = [];
  try {
    for await (const r of readCsv(content)) records.push(r);
    return { records };
  } catch (error) {
    return { records, error };
  }
}

async function* replay(records: readonly CsvRecord[], error: unknown): AsyncGenerator<CsvRecord> {
  yield* records;
  if (error !== undefined) throw error;
}

interface CheckedFile {
  source: SourceConfig;
  records: CsvRecord[];
  issues: Issue[];
}

/**
 * Checks an uploaded file as the loader checks the source's file, issues naming the uploaded file.
 * A users file is read after the other users sources' latest imports, so that a UPN it lists twice
 * for one client across them is reported on its own line.
 */
async function checkFile(
  ctx: Context,
  sourceId: number,
  fileName: string,
  content: Buffer,
): Promise<CheckedFile> {
  const { config, sourceIds } = await currentConfig(ctx);
  const index = sourceIds.indexOf(sourceId);
  const source = config.sources[index];
  if (index < 0 || !source) throw new StoreError("not_found", `no source ${sourceId}`);
  const { records, error } = await readAll(content);
  const uploaded: SourceConfig = { ...source, file: fileName };
  const latest = await latestImports(ctx.db);
  const importOf = (s: SourceConfig): ImportRow | undefined => latest.get(sourceIds[s.index] ?? -1);
  const others =
    source.kind === "users"
      ? config.sources.filter((s) => s.kind === "users" && s.index !== index && importOf(s))
      : [];
  const check: Config = { ...config, sources: [...others, uploaded] };
  const issues: Issue[] = [];
  await loadSources(
    check,
    (s) => (s === uploaded ? replay(records, error) : storedRecords(ctx.db, importOf(s) as ImportRow)),
    issues,
  );
  const own = [...issues.filter((i) => i.file === fileName), ...unstorable(records, fileName)];
  sortIssues(own);
  return { source, records, issues: own };
}

function preview(checked: CheckedFile): ImportPreview {
  const [header, ...rows] = checked.records;
  return {
    header: header?.fields ?? [],
    rows: rows.slice(0, PREVIEW_ROWS).map((r) => r.fields),
    rowCount: rows.length,
    issues: checked.issues,
  };
}

async function importWorkspace(ctx: Context, dir: string, actor: Actor) {
  const read = await runTasks(ctx).readWorkspace(resolve(dir));
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
      return preview(await checkFile(ctx, sourceId, fileName, content));
    },

    async importFile(sourceId, fileName, content, actor) {
      const checked = await checkFile(ctx, sourceId, fileName, content);
      if (hasErrors(checked.issues)) return { issues: checked.issues };
      const format = checked.source.format;
      const imp = await ctx.db.transaction().execute(async (trx) => {
        const row = await insertImport(
          trx,
          ctx,
          { sourceId, fileName, format, actor: actor.name },
          checked.records,
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

    importWorkspace(dir, actor) {
      return importWorkspace(ctx, dir, actor);
    },
  };
}
