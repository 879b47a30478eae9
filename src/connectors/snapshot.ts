import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SourceKind } from "../workspace/config.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import type { CanonicalRow, PullResult } from "./types.ts";

// A pull as the canonical CSV files of the spec (pulls/<connection>/<kind>.csv in the workspace), so
// a pulled source reads exactly like a file source, and a person can open what was pulled. The new
// files are written beside the old ones and swapped in by one rename of a symlink: a pull that fails
// or is killed leaves the previous pull whole.

export const COLUMNS: Record<SourceKind, readonly string[]> = {
  users: ["account", "upn", "displayName", "enabled", "licences", "userType", "groups", "lastActive"],
  devices: ["account", "hostname", "serial", "type", "lastSeen", "primaryUser"],
  deployments: ["account", "hostname", "serial", "lastSeen"],
  licences: ["account", "sku", "quantity", "unitCost", "commitmentEnd"],
  billing: ["account", "product", "quantity", "unitPrice", "agreement", "lineId"],
};

/** Canonical rows as CSV records, header first (line 1), one line per row. */
export function toRecords(kind: SourceKind, rows: readonly CanonicalRow[]): CsvRecord[] {
  const columns = COLUMNS[kind];
  return [
    { fields: [...columns], line: 1 },
    ...rows.map((r, i) => ({ fields: columns.map((c) => r[c] ?? ""), line: i + 2 })),
  ];
}

export function recordsToCsv(records: readonly CsvRecord[]): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return records.map((r) => `${r.fields.map(field).join(",")}\n`).join("");
}

export interface PullMeta {
  connection: string;
  kind: string;
  pulledAt: string;
  counts: Record<string, number>;
  files: string[];
}

/** Writes a pull into the workspace and swaps it in atomically; returns the files written. */
export async function writeSnapshot(
  workspace: string,
  connection: { name: string; kind: string },
  result: PullResult,
  pulledAt: Date,
): Promise<PullMeta> {
  const root = join(workspace, "pulls");
  await mkdir(root, { recursive: true });
  const stamp = `${pulledAt.toISOString().replace(/[:.]/g, "")}-${randomBytes(3).toString("hex")}`;
  const dirName = `.${connection.name}-${stamp}`;
  const dir = join(root, dirName);
  await mkdir(dir);
  const files: string[] = [];
  for (const [kind, rows] of Object.entries(result.rows) as [SourceKind, CanonicalRow[]][]) {
    await writeFile(join(dir, `${kind}.csv`), recordsToCsv(toRecords(kind, rows)));
    files.push(`${kind}.csv`);
  }
  const meta: PullMeta = {
    connection: connection.name,
    kind: connection.kind,
    pulledAt: pulledAt.toISOString(),
    counts: result.counts,
    files,
  };
  await writeFile(join(dir, "pull.json"), `${JSON.stringify(meta, null, 2)}\n`);
  const link = join(root, `.${connection.name}.link-${stamp}`);
  await symlink(dirName, link);
  await rename(link, join(root, connection.name));
  await removeOld(root, connection.name, dirName);
  return meta;
}

/** The last pull's meta, or undefined when the connection was never pulled into this workspace. */
export async function readPullMeta(workspace: string, name: string): Promise<PullMeta | undefined> {
  try {
    return JSON.parse(await readFile(join(workspace, "pulls", name, "pull.json"), "utf8")) as PullMeta;
  } catch {
    return undefined;
  }
}

/** The stamp of a snapshot's folder or link: `2026-11-25T121404259Z-01803f`. */
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{9}Z-[0-9a-f]{6}$/;

/** Folders and links of this connection only: `.ninja-<stamp>` is not one of `.ninja-eu-<stamp>`. */
async function removeOld(root: string, name: string, keep: string): Promise<void> {
  for (const entry of await readdir(root)) {
    const own = [`.${name}-`, `.${name}.link-`].some(
      (prefix) => entry.startsWith(prefix) && STAMP.test(entry.slice(prefix.length)),
    );
    if (entry !== keep && own) await rm(join(root, entry), { recursive: true, force: true });
  }
}
