import type { ReconcileInput } from "../core/types.ts";
import type { Config, SourceConfig } from "../workspace/config.ts";
import { WorkspaceError } from "../workspace/issues.ts";
import { buildInput, loadSources, sortIssues } from "../workspace/load.ts";
import { currentConfig } from "./catalogue.ts";
import { type Context, version } from "./context.ts";
import { type ImportRow, latestImports, storedRecords } from "./import-rows.ts";

// The core's input from the database: the catalogue and the latest import of every source, mapped by
// the workspace loader's own code (loadSources), so that it is the input the workspace folder gives.
// A source with no import yet is left out, as if the workspace had none: absent data is never read
// as zero.

/** What the input is made of: the configuration, its sources that have an import, and those imports. */
export interface InputSources {
  config: Config;
  /** The configuration with only the sources that have an import. */
  present: Config;
  importOf: (s: SourceConfig) => ImportRow | undefined;
  importIds: number[];
  /** The same key for the same configuration and imports. */
  key: string;
}

/** In an exclusive database: the last sources, while no write of this process has changed config or imports. */
const SOURCES = new WeakMap<Context, { version: string; sources: InputSources }>();

export async function inputSources(ctx: Context): Promise<InputSources> {
  if (!ctx.exclusive) return readInputSources(ctx);
  const seen = version(ctx, "config", "imports");
  const kept = SOURCES.get(ctx);
  if (kept?.version === seen) return kept.sources;
  const sources = await readInputSources(ctx);
  if (version(ctx, "config", "imports") === seen) SOURCES.set(ctx, { version: seen, sources });
  return sources;
}

async function readInputSources(ctx: Context): Promise<InputSources> {
  const { revision, config, sourceIds } = await currentConfig(ctx);
  const latest = await latestImports(ctx.db);
  const importOf = (s: SourceConfig): ImportRow | undefined => latest.get(sourceIds[s.index] ?? -1);
  const sources = config.sources.filter((s) => importOf(s) !== undefined);
  const importIds = sources.map((s) => (importOf(s) as ImportRow).id);
  const key = `${revision}:${importIds.join(",")}`;
  return { config, present: { ...config, sources }, importOf, importIds, key };
}

/**
 * The core's input from the stored rows, built in this thread: for the imports of a run
 * (statements.ts runInput: the statements, and the margin of a run an import has come after). The
 * pages' work over the current input is done in an engine's thread (input-engine.ts).
 */
export async function buildFromRows(
  ctx: Context,
  present: Config,
  importOf: (s: SourceConfig) => ImportRow | undefined,
): Promise<ReconcileInput> {
  const issues: Parameters<typeof loadSources>[2] = [];
  const rows = await loadSources(present, (s) => storedRecords(ctx.db, importOf(s) as ImportRow), issues);
  sortIssues(issues);
  const errors = issues.filter((i) => i.severity === "error");
  // Each import was checked alone; together with the others (two users files listing one UPN for a
  // client, once a mapping joins their accounts) they may still clash.
  if (errors.length > 0) throw new WorkspaceError(errors);
  return buildInput(present, rows, "");
}
