import { useState } from "react";
import { api } from "../api.ts";
import { formatDay, plural } from "../format.ts";
import { useAction, useCan } from "../hooks.ts";
import { Link } from "../router.tsx";
import type { RunView } from "../types.ts";
import { ActionError, Notice } from "./States.tsx";

/** Starts a reconciliation run (billing and admin) and says what it found. */
export function RunButton({
  label = "Start a run",
  asOf,
  onDone,
  primary = false,
}: {
  label?: string;
  asOf?: string;
  onDone?: (run: RunView) => void;
  primary?: boolean;
}) {
  const can = useCan();
  const [last, setLast] = useState<RunView | null>(null);
  const start = useAction(async () => {
    setLast(null);
    const run = await api.startRun(asOf || undefined);
    setLast(run);
    onDone?.(run);
    return run;
  });
  if (!can.edit) return null;
  const findings = last?.totals.findings;
  return (
    <div className="run-button">
      <button
        type="button"
        className={primary ? "btn btn-primary" : "btn"}
        disabled={start.busy}
        onClick={() => void start.run()}
        data-testid="start-run"
      >
        {start.busy ? "Running…" : label}
      </button>
      {last && (
        <Notice testId="run-done">
          Run #{last.id} as of {formatDay(last.asOf)} is done
          {typeof findings === "number" ? `: ${plural(findings, "finding")}` : ""}.{" "}
          <Link to="/">Dashboard</Link> · <Link to={`/findings?runId=${last.id}`}>Its findings</Link>
        </Notice>
      )}
      <ActionError error={start.error} />
    </div>
  );
}
