import { useState } from "react";
import { queries } from "../api.ts";
import { PageHeader, Section } from "../components/Page.tsx";
import { PricingPanel } from "../components/PricingPanel.tsx";
import { SandboxPanel } from "../components/SandboxPanel.tsx";
import { Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import { History } from "../components/sync/History.tsx";
import { PlanForm } from "../components/sync/PlanForm.tsx";
import { PlanView } from "../components/sync/PlanView.tsx";
import { formatMoney, plural } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";
import { Link, useLocation } from "../router.tsx";
import type { ConnectionView, SyncPlanView } from "../types.ts";

// PSA sync: plan the changes that make the PSA bill what the reconciliation says (the server reads
// the PSA, reconciles and saves the plan before anything is sent), approve or reject each one, apply
// the approved ones (each at most once; a line someone changed since the plan is a conflict, never
// overwritten), and read every request that was sent. Viewers see it all without the buttons.
// The page loads and lays out; components/sync/ holds the parts (the plan form and connection
// picker, the plan with its approval controls and changes table, what is left as agreed, the history).

const HISTORY_LIMIT = 100;

export function SyncPage() {
  const can = useCan();
  const { search } = useLocation();
  const connections = useGet(queries.connections());
  const psas = (connections.data ?? []).filter((c) => c.psa);
  const asked = search.get("connection") ?? undefined;
  const chosen = psas.find((c) => c.name === asked) ?? psas[0];

  return (
    <>
      <PageHeader
        title="PSA sync"
        subtitle="Make the PSA bill what Trueup found: plan, approve each change, apply. Nothing is sent before you apply."
      />
      <PricingPanel canEdit={can.edit} />
      {connections.error ? (
        <ErrorState error={connections.error} onRetry={connections.reload} />
      ) : !connections.data ? (
        <Loading what="Loading connections" />
      ) : psas.length === 0 || !chosen ? (
        <Empty title="No PSA connection.">
          <p>
            Add a ConnectWise, Autotask or HaloPSA connection under <code>connections:</code> in trueup.yaml
            and a billing source that reads it (<Link to="/connections">Connections</Link>).
          </p>
        </Empty>
      ) : (
        <Sync key={chosen.name} psas={psas} connection={chosen} canEdit={can.edit} />
      )}
    </>
  );
}

function Sync({
  psas,
  connection,
  canEdit,
}: {
  psas: ConnectionView[];
  connection: ConnectionView;
  canEdit: boolean;
}) {
  const plans = useGet(queries.syncPlans({ connection: connection.name, limit: 1 }));
  const latest = plans.data?.items[0];
  const plan = useGet(latest ? queries.syncPlan(latest.id) : null);
  const [historyOffset, setHistoryOffset] = useState(0);
  const history = useGet(
    latest ? queries.syncHistory({ planId: latest.id, limit: HISTORY_LIMIT, offset: historyOffset }) : null,
  );
  const [planned, setPlanned] = useState<SyncPlanView | null>(null);

  const changed = () => {
    plans.reload();
    plan.reload();
    history.reload();
  };

  return (
    <>
      <SandboxPanel connection={connection} canEdit={canEdit} onReset={changed} />
      <Section title="Plan" id="plan-form">
        <PlanForm
          psas={psas}
          connection={connection}
          canEdit={canEdit}
          onPlanned={(p) => {
            setPlanned(p);
            setHistoryOffset(0);
            plans.reload();
          }}
        />
        {planned && planned.connection === connection.name && (
          <Notice testId="plan-done">
            Plan #{planned.id}: {plural(planned.changes.length, "change")}, monthly impact{" "}
            {formatMoney(planned.monthlyImpact)}. Review each change below, then apply.
          </Notice>
        )}
      </Section>
      <Section title="Latest plan" id="plan" testId="plan-section">
        {plans.error ? (
          <ErrorState error={plans.error} onRetry={plans.reload} />
        ) : !plans.data ? (
          <Loading what="Loading plans" />
        ) : !latest ? (
          <Empty title={`No plan for ${connection.name} yet.`}>
            {canEdit ? <p>Choose the effective date and press Plan.</p> : null}
          </Empty>
        ) : plan.error ? (
          <ErrorState error={plan.error} onRetry={plan.reload} />
        ) : !plan.data ? (
          <Loading what="Loading the plan" />
        ) : (
          <PlanView plan={plan.data} canEdit={canEdit} onChanged={changed} />
        )}
      </Section>
      {latest && (
        <Section title="History of this plan" id="history" testId="history-section">
          <History history={history} onPage={setHistoryOffset} />
        </Section>
      )}
    </>
  );
}
