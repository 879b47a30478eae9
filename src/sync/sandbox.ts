import type { Actor, Store } from "../store/store.ts";
import { type PullOutcome, pullAndReconcile } from "./pulls.ts";
import { SyncError } from "./service.ts";

// The sandbox PSA in the app (connectors/sandbox): set up with the demo, reset by hand. Each ends with
// a pull of the sandbox and a reconciliation, so the app shows the PSA's lines as they now stand.

/** The demo's sandbox connection name. */
export const DEMO_SANDBOX = "sandbox-psa";

/** Makes the billing source's lines a sandbox PSA (store.setupSandbox), then pulls and reconciles. */
export async function setUpSandbox(
  store: Store,
  name: string,
  actor: Actor,
  today: string,
): Promise<PullOutcome> {
  await store.setupSandbox(name, actor);
  return pulled(await pullAndReconcile(store, name, actor, today));
}

/** Puts the sandbox's lines back as they were set up, then pulls and reconciles. */
export async function resetSandboxInApp(
  store: Store,
  name: string,
  actor: Actor,
  today: string,
): Promise<PullOutcome & { reset: number; removed: number }> {
  const counts = await store.resetSandbox(name, actor);
  return { ...pulled(await pullAndReconcile(store, name, actor, today)), ...counts };
}

function pulled(outcome: PullOutcome): PullOutcome {
  if (!outcome.ok) throw new SyncError(`the sandbox PSA did not pull: ${outcome.error}`);
  return outcome;
}
