import { useState } from "react";
import { api } from "../api.ts";
import { plural } from "../format.ts";
import { useAction } from "../hooks.ts";
import type { ConnectionView } from "../types.ts";
import { ActionError, Notice } from "./States.tsx";

// The sandbox PSA (connection kind `sandbox`): a pretend PSA the app keeps in its own database, so
// that the demo's sync can be tried end to end. It says so plainly, and offers to put its lines back
// as the demo had them. Nothing here is shown for a real PSA.

export function SandboxPanel({
  connection,
  canEdit,
  onReset,
}: {
  connection: ConnectionView;
  canEdit: boolean;
  onReset: () => void;
}) {
  const reset = useAction(api.resetSandbox);
  const [done, setDone] = useState<string | null>(null);
  if (connection.kind !== "sandbox") return null;
  return (
    <div className="alert alert-info" data-testid="sandbox-panel">
      <p>
        <span className="badge badge-warn" data-testid="sandbox-badge">
          Sandbox
        </span>{" "}
        <strong>{connection.name} is a sandbox PSA, not a real PSA.</strong> Its agreements and lines are the
        demo's, kept by Trueup itself: plan, approve and apply here change only the sandbox, nothing is sent
        anywhere.
      </p>
      {canEdit && (
        <p>
          <button
            type="button"
            className="btn"
            data-testid="sandbox-reset"
            disabled={reset.busy}
            onClick={async () => {
              setDone(null);
              const r = await reset.run(connection.name);
              if (!r) return;
              setDone(
                `Sandbox reset: ${plural(r.reset, "line")} put back, ${plural(r.removed, "line")} removed` +
                  (r.runId ? `; reconciled as run ${r.runId}.` : "."),
              );
              onReset();
            }}
          >
            {reset.busy ? "Resetting…" : "Reset the sandbox to the demo's lines"}
          </button>
        </p>
      )}
      <ActionError error={reset.error} />
      {done && <Notice testId="sandbox-reset-done">{done}</Notice>}
    </div>
  );
}
