import { useState } from "react";
import { api } from "../api.ts";
import { useAction, useCan } from "../hooks.ts";
import type { WhatIf } from "../margin-types.ts";
import { MarginCells, MarginHeads } from "../pages/MarginPage.tsx";
import { Money } from "./Figures.tsx";
import { IssueList } from "./IssueList.tsx";
import { ActionError } from "./States.tsx";

// What-if beside the catalogue editor: a change written as a YAML overlay of trueup.yaml (lists
// merge by id; docs/margin.md), answered before and after per client, with the PSA lines it would
// move. Nothing is saved.

const EXAMPLE = "bundles:\n  - id: gold-user\n    price: '175.00'\n";

export function WhatIfPanel() {
  const can = useCan();
  const [text, setText] = useState(EXAMPLE);
  const [answer, setAnswer] = useState<WhatIf | null>(null);
  const { run, busy, error } = useAction(api.whatIf);
  if (!can.edit) return <p className="hint">Billing and admin accounts try changes here.</p>;
  const go = async () => {
    setAnswer((await run(text)) ?? null);
  };
  return (
    <div data-testid="whatif">
      <p className="hint">
        Write only what changes, as in trueup.yaml: services, bundles and clients by id (a client's plans, a
        bundle's price or includes), <code>rules</code>, or{" "}
        <code>uplift: {"{ percent: 5, cap: '10.00', exclude: [m365-bp] }"}</code>. Nothing is saved.
      </p>
      <label htmlFor="whatif-yaml">Change</label>
      <textarea
        id="whatif-yaml"
        className="code"
        rows={9}
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="whatif-yaml"
      />
      <div className="button-row">
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={() => void go()}
          data-testid="whatif-run"
        >
          Show what would change
        </button>
      </div>
      <ActionError error={error} />
      {error && error.issues.length > 0 && <IssueList issues={error.issues} testId="whatif-issues" />}
      {answer && <Answer w={answer} />}
    </div>
  );
}

function Answer({ w }: { w: WhatIf }) {
  return (
    <>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="whatif-table">
          <thead>
            <tr>
              <th scope="col">Client ({w.currency} a month)</th>
              <th scope="col" />
              <MarginHeads />
            </tr>
          </thead>
          <tbody>
            {[...w.clients, { id: "total", name: "Total", ...w.total }].map((c) => (
              <Pair key={c.id} c={c} />
            ))}
          </tbody>
        </table>
      </div>
      {w.lines.length === 0 ? (
        <p data-testid="whatif-no-lines">No PSA line would change.</p>
      ) : (
        <ul data-testid="whatif-lines">
          {w.lines.map((l) => (
            <li key={`${l.client}:${l.product}:${l.line ?? "new"}`} data-testid="whatif-line">
              {l.clientName}: {l.product} {l.from.quantity} × <Money value={l.from.unitPrice} /> →{" "}
              {l.to.quantity} × <Money value={l.to.unitPrice} /> (
              <Money value={l.monthly} testId="whatif-line-monthly" /> a month; {l.line ?? "new line"})
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Pair({ c }: { c: WhatIf["clients"][number] }) {
  return (
    <>
      <tr data-testid={`whatif-${c.id}-before`}>
        <th scope="row" rowSpan={2}>
          {c.name}
        </th>
        <td>now</td>
        <MarginCells f={c.before} testId={`whatif-${c.id}-before`} />
      </tr>
      <tr data-testid={`whatif-${c.id}-after`}>
        <td>after</td>
        <MarginCells f={c.after} testId={`whatif-${c.id}-after`} />
      </tr>
    </>
  );
}
