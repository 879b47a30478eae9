import { type Assignment, assign } from "./assign.ts";
import { billingMoney, compareBilling } from "./billing.ts";
import { Catalogue } from "./catalogue.ts";
import { clientAt } from "./contract-prices.ts";
import { compareCoverage } from "./coverage.ts";
import { type Finding, finding } from "./findings.ts";
import { formerBilling, isFormer } from "./former.ts";
import { staleFindings, uncoveredFindings } from "./inventory.ts";
import { compareLicences, licenceMoney, orphanLicences } from "./licences.ts";
import { linesOf } from "./lines.ts";
import { type Device, dedupeDevices, isCurrent } from "./match.ts";
import { type Money, ZERO } from "./money.ts";
import { buildReport, type ClientReport, type Report, UNMAPPED_CLIENT } from "./report.ts";
import { type Requirements, requirements } from "./requirements.ts";
import type {
  BillingRow,
  Client,
  DeploymentRow,
  DeviceRow,
  LicenceRow,
  Owner,
  ReconcileInput,
  UserRow,
} from "./types.ts";
import { type BillableUser, billableUsers } from "./users.ts";

/** The source rows that belong to one client. */
interface ClientRows {
  users: UserRow[];
  devices: DeviceRow[];
  deployments: DeploymentRow[];
  licences: LicenceRow[];
  billing: BillingRow[];
}

function emptyRows(): ClientRows {
  return { users: [], devices: [], deployments: [], licences: [], billing: [] };
}

/**
 * The whole reconciliation: a pure function of the workspace's contents and the date. Rows of
 * unknown accounts become UNMAPPED_ACCOUNT findings (with their unknown SKUs and products) under
 * the pseudo-client `_unmapped`.
 */
export function reconcile(input: ReconcileInput): Report {
  const catalogue = new Catalogue(input.services, input.bundles);
  const byClient = new Map<string, ClientRows>(input.clients.map((c) => [c.id, emptyRows()]));
  const unmappedAccounts = new Map<string, UnmappedAccount>();

  const route = <K extends keyof ClientRows>(
    kind: K,
    rows: readonly ClientRows[K][number][],
    moneyOf: (row: ClientRows[K][number]) => Money = () => ZERO,
  ) => {
    for (const row of rows) {
      const owner: Owner = row.owner;
      if ("client" in owner) {
        const target = byClient.get(owner.client);
        if (!target) throw new Error(`row ${row.ref} names unknown client ${owner.client}`);
        (target[kind] as (typeof row)[]).push(row);
      } else noteUnmapped(unmappedAccounts, owner, row.ref, moneyOf(row));
    }
  };
  route("users", input.users);
  route("devices", input.devices);
  route("deployments", input.deploymentRows);
  route("licences", input.licences, licenceMoney);
  route("billing", input.billing, billingMoney);

  const clients = input.clients.map((c) =>
    reconcileClient(clientAt(c, input.asOf), byClient.get(c.id) ?? emptyRows(), input, catalogue),
  );
  // A row whose account is unmapped counts under UNMAPPED_ACCOUNT alone: its SKU or product is not
  // looked up, so that its money is counted once.
  const orphanFindings = [...unmappedAccounts.values()].map((g) =>
    finding("UNMAPPED_ACCOUNT", g.subject, g.refs, { impact: g.money }),
  );
  if (orphanFindings.length > 0) {
    clients.push({
      id: UNMAPPED_CLIENT,
      name: "Unmapped",
      counts: { billableUsers: 0, currentDevices: 0, staleDevices: 0 },
      lines: [],
      findings: orphanFindings,
    });
  }
  return buildReport(input.asOf, input.currency, clients);
}

interface UnmappedAccount {
  subject: string;
  refs: string[];
  money: Money;
}

function noteUnmapped(
  groups: Map<string, UnmappedAccount>,
  owner: { account: string; system: string },
  ref: string,
  money: Money,
): void {
  const key = `${owner.system}\u0000${owner.account.toLowerCase()}`;
  const subject = `account:${owner.system}:${owner.account}`;
  const group = groups.get(key);
  if (!group) groups.set(key, { subject, refs: [ref], money });
  else {
    group.refs.push(ref);
    group.money = group.money.plus(money);
    if (subject < group.subject) group.subject = subject;
  }
}

/** What the core derives for one client before it compares anything with the sources. */
export interface DerivedClient {
  former: boolean;
  users: BillableUser[];
  current: Device[];
  stale: Device[];
  assignment: Assignment;
  req: Requirements;
}

/** One client's billable users, current devices, bundle assignment and requirements (spec 4). */
export function deriveClient(
  client: Client,
  rows: Pick<ClientRows, "users" | "devices">,
  input: Pick<ReconcileInput, "rules" | "asOf">,
  catalogue: Catalogue,
): DerivedClient {
  const { rules, asOf } = input;
  const former = isFormer(client, asOf);
  const users = billableUsers(rows.users, rules, asOf);
  const devices = dedupeDevices(rows.devices);
  const current: Device[] = [];
  const stale: Device[] = [];
  for (const d of devices) (isCurrent(d, asOf, rules.staleDeviceDays) ? current : stale).push(d);
  // A former client is owed nothing: its plans are not read, so it requires nothing (4.6).
  const plans = former ? [] : client.plans;
  const assignment = assign(plans, catalogue.bundles, users, current);
  const req = requirements({ ...client, plans }, catalogue, assignment, users, current);
  return { former, users, current, stale, assignment, req };
}

function reconcileClient(
  client: Client,
  rows: ClientRows,
  input: ReconcileInput,
  catalogue: Catalogue,
): ClientReport {
  const { asOf, sources } = input;
  const { former, users, current, stale, assignment, req } = deriveClient(client, rows, input, catalogue);
  const scope = { licenceVendors: sources.licenceVendors, clientPaid: new Set(client.clientPaid), asOf };

  const findings: Finding[] = [];
  if (!former) {
    findings.push(...staleFindings(stale), ...uncoveredFindings(assignment));
    findings.push(...orphanLicences(rows.users, catalogue, scope));
  }
  const billing = !sources.billing
    ? undefined
    : former
      ? formerBilling(rows.billing, catalogue)
      : compareBilling(rows.billing, req, catalogue);
  const licences = compareLicences(rows.licences, req, catalogue, scope);
  const coverage = compareCoverage(
    rows.deployments,
    current,
    req,
    catalogue,
    sources.deployments,
    sources.devices,
    former,
  );
  findings.push(...(billing?.findings ?? []), ...licences.findings, ...coverage.findings);

  return {
    id: client.id,
    name: client.name,
    counts: { billableUsers: users.length, currentDevices: current.length, staleDevices: stale.length },
    lines: linesOf(req, billing, licences.purchased, coverage.deployed),
    findings,
  };
}
