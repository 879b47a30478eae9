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

export interface StoredInput {
  config: Config;
  /** Without asOf: the caller sets it. */
  input: ReconcileInput;
  /** The imports read, in source order. */
  importIds: number[];
}

/** In an exclusive database: the last input, while no write of this process has changed its data. */
const KEPT = new WeakMap<Context, { version: string; stored: StoredInput }>();

export async function storedInput(ctx: Context): Promise<StoredInput> {
  if (!ctx.exclusive) return readStoredInput(ctx);
  const seen = version(ctx, "config", "imports");
  const kept = KEPT.get(ctx);
  if (kept?.version === seen) return kept.stored;
  const stored = await readStoredInput(ctx);
  if (version(ctx, "config", "imports") === seen) KEPT.set(ctx, { version: seen, stored });
  return stored;
}

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

async function readStoredInput(ctx: Context): Promise<StoredInput> {
  const { config, present, importOf, importIds, key } = await inputSources(ctx);
  const { sources } = present;
  const cached = ctx.cache.input;
  if (cached && cached.key === key) return { config, input: cached.input, importIds };
  // Requests that miss together (a page opened by many at once) wait for the one read of the rows.
  let building = BUILDING.get(ctx);
  if (building?.key !== key) {
    const promise = buildFromRows(ctx, { ...config, sources }, importOf);
    building = { key, promise };
    BUILDING.set(ctx, building);
    promise.then(
      (input) => {
        if (BUILDING.get(ctx) === building) BUILDING.delete(ctx);
        ctx.cache.input = { key, input, importIds };
      },
      () => {
        if (BUILDING.get(ctx) === building) BUILDING.delete(ctx);
      },
    );
  }
  return { config, input: await building.promise, importIds };
}

const BUILDING = new WeakMap<Context, { key: string; promise: Promise<ReconcileInput> }>();

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
