import { isUtf8 } from "node:buffer";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A folder shipped with the package (templates/, examples/). */
export function packagePath(...parts: string[]): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ...parts);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies a template folder to `target`, replacing `{{name}}` placeholders. Files are written to a
 * staging folder first and moved in at the end, so a failure leaves nothing half-written.
 * Returns the files written, relative to `target`.
 */
export async function copyTemplate(
  from: string,
  target: string,
  vars: Record<string, string> = {},
): Promise<string[]> {
  const files = await listFiles(from);
  const staging = `${resolve(target)}.trueup-tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    for (const file of files) {
      // Binary files (the demo's logo, its statements' PDFs) are copied byte for byte.
      const bytes = await readFile(file);
      let content: Buffer | string = bytes;
      if (Object.keys(vars).length > 0 && isUtf8(bytes)) {
        let text = bytes.toString("utf8");
        for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, v);
        content = text;
      }
      const dest = join(staging, relative(from, file));
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, content);
    }
    await mkdir(target, { recursive: true });
    for (const entry of await readdir(staging)) {
      await rm(join(target, entry), { recursive: true, force: true });
      await rename(join(staging, entry), join(target, entry));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return files.map((f) => relative(from, f));
}
