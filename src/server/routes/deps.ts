import type { Store } from "../../store/store.ts";
import type { Scheduler } from "../../sync/schedule.ts";
import type { RunReports } from "../latest-run.ts";

/** What every resource's routes are given. */
export interface RouteDeps {
  store: Store;
  runs: RunReports;
  secureCookies: boolean;
  /** Today's date (UTC, YYYY-MM-DD): the default as-of date of a new run. */
  today: () => string;
  /** Scheduled pulls (serve starts them); a pull by hand goes through it when present. */
  scheduler?: Scheduler;
  /** Called once a run through the API is made (AppOptions.prepareClientPages). */
  afterRun?: () => void;
}
