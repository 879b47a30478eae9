import type { Context } from "./context.ts";
import { headerRecord, storedChunks } from "./import-rows.ts";
import type { InputSources } from "./input.ts";
import { type EngineTasks, runTasks } from "./run-worker.ts";

// Work over the whole input of the current imports, done in an engine's thread so that the thread
// that answers requests never holds that input (75 MB of objects with 2,000 clients): the engine
// that reconciles when it holds the input already (a run of this process built it), or else a
// thread started for the work and stopped once done, its memory with it.

/** Gives an engine the records of the current imports: read a page at a time, so that other requests get the database between pages. */
export async function sendRecords(ctx: Context, tasks: EngineTasks, sources: InputSources): Promise<void> {
  await tasks.begin(sources.key, sources.present);
  for (const s of sources.present.sources) {
    const imp = sources.importOf(s);
    if (!imp) continue;
    // The chunks go to the engine as the database gives them, JSON text that the engine parses.
    await tasks.add(sources.key, s.index, [headerRecord(imp)]);
    for await (const chunk of storedChunks(ctx.db, imp)) await tasks.add(sources.key, s.index, chunk);
  }
}

/** `ask` of an engine that holds the input of `sources`: the reconciling engine if it does, else a one-off. */
export async function onInput<T>(
  ctx: Context,
  sources: InputSources,
  ask: (engine: EngineTasks, key: string) => Promise<T | undefined>,
): Promise<T> {
  const tasks = runTasks(ctx);
  if (await tasks.engine.has(sources.key)) {
    const answer = await ask(tasks.engine, sources.key);
    if (answer !== undefined) return answer;
  }
  const oneOff = tasks.oneOff();
  try {
    await sendRecords(ctx, oneOff.engine, sources);
    const answer = await ask(oneOff.engine, sources.key);
    if (answer === undefined) throw new Error("the one-off engine lost the input it was sent");
    return answer;
  } finally {
    await oneOff.close();
  }
}
