import { readFileSync, unlinkSync } from "node:fs";
import { mkdir, open, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { StoreError } from "./errors.ts";

// The embedded database belongs to one process. PGlite has no lock of its own: a second process that
// opens the same folder reads and writes its own copy in memory, and what it writes is lost (or
// overwritten) when the first one stops. So every command that opens the data folder first creates
// trueup.lock in it, holding its process id; another process finding the file refuses, naming the
// holder. A lock whose process is gone (killed, crashed) is taken over.

export const LOCK_FILE = "trueup.lock";

interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface FolderLock {
  readonly file: string;
  /** Writes this process's holder line again (a restore replaces the folder's files). */
  refresh(): Promise<void>;
  release(): Promise<void>;
}

/** Locks held by this process, by file: a second open in the same process shares the lock. */
const HELD = new Map<string, { count: number; lock: FolderLock }>();

function holderOf(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === "number" ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the process holding the lock still runs (on another host: assumed to). */
function alive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A reused process id: a live process that is not Node (Trueup runs in Node) does not hold it.
  try {
    return /node|trueup/i.test(readFileSync(`/proc/${h.pid}/cmdline`, "utf8"));
  } catch {
    return true;
  }
}

function me(command: string): Holder {
  return { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
}

/** The command as a person typed it, without its values (which may be file names or emails). */
export function commandName(argv: readonly string[] = process.argv): string {
  const words = argv.slice(2).filter((w) => /^[a-z][a-z-]*$/.test(w));
  return `trueup ${words.slice(0, 2).join(" ")}`.trim();
}

export function lockedMessage(dir: string, h: Holder): string {
  return (
    `the embedded database in ${dir} is in use by another process (${h.command || "trueup"}, pid ${h.pid}` +
    `${h.host !== hostname() ? ` on ${h.host}` : ""}, since ${h.since}); nothing was done. Stop that process ` +
    `first, or make the change through its server (a second process would write to a copy that is lost). ` +
    `If no such process runs, delete ${join(dir, LOCK_FILE)}.`
  );
}

/** Takes the data folder's lock, or throws a StoreError ("conflict") naming the process holding it. */
export async function lockDataFolder(dir: string, command = commandName()): Promise<FolderLock> {
  const file = join(dir, LOCK_FILE);
  const held = HELD.get(file);
  if (held) {
    held.count += 1;
    return held.lock;
  }
  const line = JSON.stringify(me(command));
  await mkdir(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(`${line}\n`);
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const text = await readFile(file, "utf8").catch(() => "");
    const holder = holderOf(text);
    if (holder && alive(holder) && holder.pid !== process.pid)
      throw new StoreError("conflict", lockedMessage(dir, holder));
    if (attempt >= 3) throw new StoreError("conflict", `could not take the lock ${file}; try again`);
    // Stale (its process is gone) or unreadable: replace it atomically, then check that this process
    // won, should another have taken it over at the same moment.
    const temp = `${file}.${process.pid}`;
    await writeFile(temp, `${line}\n`);
    await rename(temp, file);
    await new Promise((r) => setTimeout(r, 20));
    if (holderOf(await readFile(file, "utf8").catch(() => ""))?.pid === process.pid) break;
  }
  const mine = () => holderOf(readFileSync(file, "utf8"))?.pid === process.pid;
  const onExit = () => {
    try {
      if (mine()) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.once("exit", onExit);
  const lock: FolderLock = {
    file,
    async refresh() {
      await writeFile(file, `${line}\n`);
    },
    async release() {
      const entry = HELD.get(file);
      if (entry && --entry.count > 0) return;
      HELD.delete(file);
      process.off("exit", onExit);
      try {
        if (mine()) await unlink(file);
      } catch {
        // already gone
      }
    },
  };
  HELD.set(file, { count: 1, lock });
  return lock;
}
