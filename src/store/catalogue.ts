import { sql } from "kysely";
import { connectionEdits } from "../connectors/policy.ts";
import type { Config, SourceConfig } from "../workspace/config.ts";
import type { Issue } from "../workspace/issues.ts";
import { checkConfig } from "../workspace/load.ts";
import { writeAudit } from "./audit.ts";
import {
  bundleItem,
  clientItem,
  configToYaml,
  readBundleItem,
  readClientItem,
  readRules,
  readServiceItem,
  readSourceItem,
  serviceItem,
  settingsOf,
  sourceItem,
  type WorkspaceSettings,
} from "./config-items.ts";
import { batches, type Context, changed, type Executor, version } from "./context.ts";
import { StoreError } from "./errors.ts";
import { latestImports, toImportView } from "./import-rows.ts";
import type { Actor, DetachedSource, SourceView, Store } from "./store.ts";

// The catalogue, clients, rules and sources (trueup.yaml). Items are stored one row each, the text of
// trueup.yaml beside them so that its comments survive an edit; every write bumps a revision, which
// keys the caches of the configuration and of the input built from it.

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

export async function revisionOf(ex: Executor): Promise<number> {
  const row = await ex
    .selectFrom("settings")
    .select("value")
    .where("key", "=", "revision")
    .executeTakeFirst();
  return Number((row?.value as { n?: number } | undefined)?.n ?? 0);
}

export interface StoredConfig {
  revision: number;
  config: Config;
  /** The id of each source, by its index in `config.sources`. */
  sourceIds: number[];
}

/**
 * The configuration now stored (from the cache when the revision has not moved; in an exclusive
 * database, when no write of this process has moved it).
 */
export async function currentConfig(ctx: Context): Promise<StoredConfig> {
  const seen = version(ctx, "config");
  const cached = ctx.cache.config;
  if (ctx.exclusive && cached && cached.version === seen) return cached;
  const revision = await revisionOf(ctx.db);
  if (cached && cached.revision === revision) {
    if (ctx.exclusive && version(ctx, "config") === seen) cached.version = seen;
    return cached;
  }
  const read = await ctx.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => ({ revision: await revisionOf(trx), ...(await readConfigRows(trx)) }));
  ctx.cache.config = version(ctx, "config") === seen ? { ...read, version: seen } : read;
  return read;
}

async function readConfigRows(ex: Executor): Promise<{ config: Config; sourceIds: number[] }> {
  const [settings, items, sources] = await Promise.all([
    ex.selectFrom("settings").select("value").where("key", "=", "workspace").executeTakeFirst(),
    ex.selectFrom("catalogue").select(["kind", "item"]).orderBy("kind").orderBy("position").execute(),
    ex.selectFrom("sources").select(["id", "spec"]).where("position", ">=", 0).orderBy("position").execute(),
  ]);
  const s = settings?.value as WorkspaceSettings | undefined;
  const of = (kind: string) => items.filter((i) => i.kind === kind).map((i) => i.item);
  const config: Config = {
    currency: s?.currency ?? "USD",
    asOf: s?.asOf,
    rules: readRules(s?.rules),
    services: of("service").map(readServiceItem),
    bundles: of("bundle").map(readBundleItem),
    clients: of("client").map(readClientItem),
    sources: sources.map((r, i) => readSourceItem(r.spec, i)),
    connections: s?.connections ?? [],
    dateFormat: s?.dateFormat,
    skuNames: s?.skuNames,
    ...(s?.msp ? { msp: s.msp } : {}),
  };
  return { config, sourceIds: sources.map((r) => r.id) };
}

/** trueup.yaml as stored (or as written from the stored items); `lock` holds it for an edit. */
export async function storedYaml(ex: Executor, lock = false): Promise<string> {
  let q = ex.selectFrom("settings").select("value").where("key", "=", "yaml");
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  const text = (row?.value as { text?: string } | undefined)?.text;
  return text ?? configToYaml((await readConfigRows(ex)).config);
}

async function putSetting(ex: Executor, key: string, value: object): Promise<void> {
  await ex
    .insertInto("settings")
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(value) }))
    .execute();
}

/**
 * Replaces the stored configuration with a validated one and the trueup.yaml text it was read from.
 * Returns the source id of each source, by its index in `config.sources`.
 */
export async function writeConfig(
  ex: Executor,
  ctx: Context,
  config: Config,
  yamlText: string,
): Promise<Map<number, number>> {
  await ex.deleteFrom("catalogue").execute();
  const rows = [
    ...config.services.map((s, i) => ({
      kind: "service" as const,
      id: s.id,
      position: i,
      item: serviceItem(s),
    })),
    ...config.bundles.map((b, i) => ({
      kind: "bundle" as const,
      id: b.id,
      position: i,
      item: bundleItem(b),
    })),
    ...config.clients.map((c, i) => ({
      kind: "client" as const,
      id: c.id,
      position: i,
      item: clientItem(c),
    })),
  ];
  for (const batch of batches(rows)) {
    const now = ctx.now();
    await ex
      .insertInto("catalogue")
      .values(batch.map((r) => ({ ...r, item: JSON.stringify(r.item), updated_at: now })))
      .execute();
  }
  await putSetting(ex, "workspace", settingsOf(config));
  await putSetting(ex, "yaml", { text: yamlText });
  await sql`insert into settings (key, value) values ('revision', '{"n": 1}'::jsonb)
    on conflict (key) do update set value = jsonb_build_object('n', (settings.value->>'n')::int + 1)`.execute(
    ex,
  );
  ctx.cache.config = undefined;
  changed(ctx, "config");
  return syncSources(ex, config.sources);
}

const specKey = (spec: Record<string, unknown>, withFile = true) => {
  const { file, ...rest } = sourceItem(readSourceItem(spec, 0));
  return JSON.stringify(withFile ? { file, ...rest } : rest);
};

/** What names a source: its file, or the connection it reads. */
const sourceName = (spec: Record<string, unknown>) =>
  spec.connection === undefined ? `file:${String(spec.file)}` : `connection:${String(spec.connection)}`;

interface StoredSource {
  id: number;
  position: number;
  spec: Record<string, unknown>;
}

/**
 * Which stored source each listed source continues, by index in `config.sources`; the rest are
 * retired. A source takes the stored one with the same entry; else the one with the same kind,
 * format and name (file or connection: an edited vendor, client, columns or values); else the same
 * entry but its file (a renamed file); else the one at its position with the same kind and format;
 * each preferring the same position. Only a change of kind or format, or of name and more at once,
 * starts a source afresh (docs/security.md "Catalogue saves").
 */
export function matchSources(stored: readonly StoredSource[], sources: readonly SourceConfig[]) {
  const free = new Set(stored.map((s) => s.id));
  const ids = new Map<number, number>();
  const same = (e: StoredSource, s: SourceConfig) => {
    const was = readSourceItem(e.spec, e.position);
    return was.kind === s.kind && was.format === s.format;
  };
  const passes: ((e: StoredSource, s: SourceConfig) => boolean)[] = [
    (e, s) => specKey(e.spec) === specKey(sourceItem(s)),
    (e, s) => same(e, s) && sourceName(e.spec) === sourceName(sourceItem(s)),
    (e, s) => specKey(e.spec, false) === specKey(sourceItem(s), false),
    (e, s) => e.position === s.index && same(e, s),
  ];
  for (const fits of passes) {
    for (const s of sources) {
      if (ids.has(s.index)) continue;
      const candidates = stored.filter((e) => free.has(e.id) && fits(e, s));
      const e = candidates.find((c) => c.position === s.index) ?? candidates[0];
      if (!e) continue;
      free.delete(e.id);
      ids.set(s.index, e.id);
    }
  }
  return { ids, retired: [...free] };
}

const storedSources = (ex: Executor) =>
  ex
    .selectFrom("sources")
    .select(["id", "position", "spec"])
    .where("position", ">=", 0)
    .orderBy("id")
    .execute();

/** Keeps each source's id (and so its imports) across edits: see matchSources. */
async function syncSources(ex: Executor, sources: readonly SourceConfig[]): Promise<Map<number, number>> {
  const { ids, retired } = matchSources(await storedSources(ex), sources);
  for (const s of sources) {
    const spec = JSON.stringify(sourceItem(s));
    const id = ids.get(s.index);
    if (id !== undefined) {
      await ex.updateTable("sources").set({ position: s.index, spec }).where("id", "=", id).execute();
    } else {
      const row = await ex
        .insertInto("sources")
        .values({ position: s.index, spec })
        .returning("id")
        .executeTakeFirstOrThrow();
      ids.set(s.index, row.id);
    }
  }
  // Retired sources keep their imports as history: listed again, a source starts afresh, so that no
  // old data comes back unasked.
  if (retired.length > 0)
    await ex.updateTable("sources").set({ position: -1 }).where("id", "in", retired).execute();
  return ids;
}

/** The sources with imported data that saving `config` would retire, so that the page can warn. */
async function detachedBy(ex: Executor, config: Config): Promise<DetachedSource[]> {
  const stored = await storedSources(ex);
  const { retired } = matchSources(stored, config.sources);
  if (retired.length === 0) return [];
  const latest = await latestImports(ex);
  return stored
    .filter((e) => retired.includes(e.id) && latest.has(e.id))
    .map((e) => {
      const s = readSourceItem(e.spec, e.position);
      const last = latest.get(e.id);
      const view: DetachedSource = { id: e.id, kind: s.kind, format: s.format, file: s.file };
      if (s.connection !== undefined) view.connection = s.connection;
      if (last) view.lastImport = toImportView(last);
      return view;
    })
    .sort((a, b) => a.id - b.id);
}

/** Checks trueup.yaml text as `trueup validate` does and, when it has no error, stores it. */
async function saveText(
  ctx: Context,
  text: string,
  actor: Actor,
  action: string,
  opts: SaveOptions = {},
): Promise<{ issues: Issue[] }> {
  const { config, issues } = checkConfig(text);
  // Refused before any other error: whoever may not change connections learns nothing of their checks.
  if (config && opts.keepConnections) refuseEdits((await currentConfig(ctx)).config.connections, config);
  if (!config || hasErrors(issues)) return { issues };
  await ctx.db.transaction().execute(async (trx) => {
    if (opts.keepConnections) await refuseConnectionEdits(trx, config);
    await writeConfig(trx, ctx, config, text);
    await writeAudit(trx, ctx, actor, action, "config", {
      services: config.services.length,
      bundles: config.bundles.length,
      clients: config.clients.length,
      sources: config.sources.length,
      warnings: issues.length,
    });
  });
  return { issues };
}

export interface SaveOptions {
  /** The actor may not change `connections:` (not an admin): a change is refused, 403. */
  keepConnections?: boolean;
}

/** Compares with the stored connections, trueup.yaml locked (as a mapping edit locks it). */
async function refuseConnectionEdits(trx: Executor, config: Config): Promise<void> {
  await storedYaml(trx, true);
  const row = await trx
    .selectFrom("settings")
    .select("value")
    .where("key", "=", "workspace")
    .executeTakeFirst();
  refuseEdits((row?.value as WorkspaceSettings | undefined)?.connections ?? [], config);
}

function refuseEdits(before: Config["connections"], config: Config): void {
  const edits = connectionEdits(before, config.connections);
  if (edits.length > 0)
    throw new StoreError(
      "forbidden",
      `only an admin may change connections (they say where secrets are sent): ${edits.join(", ")} changed; undo ${edits.length === 1 ? "that change" : "those changes"} or ask an admin`,
    );
}

export function catalogueRepository(
  ctx: Context,
): Pick<
  Store,
  "loadConfig" | "saveConfig" | "configYaml" | "saveConfigYaml" | "checkConfigYaml" | "listSources"
> {
  return {
    async loadConfig() {
      return (await currentConfig(ctx)).config;
    },

    saveConfig(config, actor) {
      return saveText(ctx, configToYaml(config), actor, "config.save");
    },

    configYaml() {
      return storedYaml(ctx.db);
    },

    saveConfigYaml(text, actor, opts) {
      return saveText(ctx, text, actor, "config.save-yaml", opts);
    },

    async checkConfigYaml(text) {
      const { config, issues } = checkConfig(text);
      if (!config || hasErrors(issues)) return { issues, detached: [] };
      return { issues, detached: await detachedBy(ctx.db, config) };
    },

    async listSources(): Promise<SourceView[]> {
      const [rows, latest] = await Promise.all([
        ctx.db.selectFrom("sources").selectAll().where("position", ">=", 0).orderBy("position").execute(),
        latestImports(ctx.db),
      ]);
      return rows.map((r) => {
        const s = readSourceItem(r.spec, r.position);
        const last = latest.get(r.id);
        const view: SourceView = { id: r.id, kind: s.kind, format: s.format, file: s.file };
        if (s.vendor !== undefined) view.vendor = s.vendor;
        if (s.deployment !== undefined) view.deployment = s.deployment;
        if (s.client !== undefined) view.client = s.client;
        if (last) view.lastImport = toImportView(last);
        return view;
      });
    },
  };
}
