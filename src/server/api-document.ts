import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../store/db.ts";
import { createStore } from "../store/index.ts";
import { buildApp } from "./app.ts";
import { webTypes } from "./web-types.ts";

/** The API's OpenAPI document, from an app built on a throwaway, empty embedded database. */
export async function apiDocument(): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), "trueup-openapi-"));
  const store = createStore(await openDb({ dataDir: join(dir, "db") }));
  try {
    const app = await buildApp({ store, logger: false, webRoot: join(dir, "no-web-ui") });
    try {
      return (await app.inject({ url: "/api/openapi.json" })).json();
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const WEB_TYPES_FILE = "web/src/api.gen.ts";

/** web/src/api.gen.ts as it should be: the document's types, formatted as the repository's biome does. */
export async function generatedWebTypes(): Promise<string> {
  const raw = webTypes((await apiDocument()) as Parameters<typeof webTypes>[0]);
  const biome = spawnSync(
    join("node_modules", ".bin", "biome"),
    ["format", `--stdin-file-path=${WEB_TYPES_FILE}`],
    {
      input: raw,
      encoding: "utf8",
    },
  );
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout;
}
