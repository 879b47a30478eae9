import { assign } from "./assign.ts";
import { compareBilling } from "./billing.ts";
import { Catalogue } from "./catalogue.ts";
import { compareCoverage } from "./coverage.ts";
import { type Finding, finding } from "./findings.ts";
import { staleFindings, uncoveredFindings } from "./inventory.ts";
import { compareLicences, orphanLicences } from "./licences.ts";
import { linesOf } from "./lines.ts";
import { dedupeDevices, isCurrent } from "./match.ts";
import { buildReport, type ClientReport, type Report, UNMAPPED_CLIENT } from "./report.ts";
import { requirements } from "./requirements.ts";
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
import { billableUsers } from "./users.ts";

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
  const unmapped = emptyRows();
  const unmappedAccounts = new Map<string, { subject: string; refs: string[] }>();

  const route = <K extends keyof ClientRows>(kind: K, rows: readonly ClientRows[K][number][]) => {
    for (const row of rows) {
      const owner: Owner = row.owner;
      if ("client" in owner) {
        const target = byClient.get(owner.client);
        if (!target) throw new Error(`row ${row.ref} names unknown client ${owner.client}`);
        (target[kind] as (typeof row)[]).push(row);
      } else {
        (unmapped[kind] as (typeof row)[]).push(row);
        noteUnmapped(unmappedAccounts, owner, row.ref);
      }
    }
  };
  route("users", input.users);
  route("devices", input.devices);
  route("deployments", input.deploymentRows);
  route("licences", input.licences);
  route("billing", input.billing);

  const clients = input.clients.map((c) =>
    reconcileClient(c, byClient.get(c.id) ?? emptyRows(), input, catalogue),
  );
  const orphanFindings = unmappedFindings(unmappedAccounts, unmapped, input, catalogue);
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

function noteUnmapped(
  groups: Map<string, { subject: string; refs: string[] }>,
  owner: { account: string; system: string },
  ref: string,
): void {
  const key = `${owner.system}\u0000${owner.account.toLowerCase()}`;
  const subject = `account:${owner.system}:${owner.account}`;
  const group = groups.get(key);
  if (!group) groups.set(key, { subject, refs: [ref] });
  else {
    group.refs.push(ref);
    if (subject < group.subject) group.subject = subject;
  }
}

function unmappedFindings(
  accounts: Map<string, { subject: string; refs: string[] }>,
  rows: ClientRows,
  input: ReconcileInput,
  catalogue: Catalogue,
): Finding[] {
  const findings = [...accounts.values()].map((g) => finding("UNMAPPED_ACCOUNT", g.subject, g.refs));
  // Rows of unknown accounts may also carry unknown SKUs and products: report those too, so that
  // mapping the account does not reveal a second problem later.
  const noNeeds = { billed: new Map(), services: new Map() };
  const skus = compareLicences(rows.licences, noNeeds, catalogue, new Set()).findings;
  const products = compareBilling(rows.billing, noNeeds, catalogue).findings;
  findings.push(...skus.filter((f) => f.type === "UNMAPPED_SKU"));
  if (input.sources.billing) findings.push(...products.filter((f) => f.type === "UNMAPPED_PRODUCT"));
  return findings;
}

function reconcileClient(
  client: Client,
  rows: ClientRows,
  input: ReconcileInput,
  catalogue: Catalogue,
): ClientReport {
  const { rules, asOf, sources } = input;
  const users = billableUsers(rows.users, rules);
  const devices = dedupeDevices(rows.devices);
  const current = devices.filter((d) => isCurrent(d, asOf, rules.staleDeviceDays));
  const stale = devices.filter((d) => !isCurrent(d, asOf, rules.staleDeviceDays));
  const assignment = assign(client.plans, catalogue.bundles, users, current);
  const req = requirements(client, catalogue, assignment, users, current);

  const findings: Finding[] = [...staleFindings(stale), ...uncoveredFindings(assignment)];
  findings.push(...orphanLicences(rows.users, catalogue));
  const billing = sources.billing ? compareBilling(rows.billing, req, catalogue) : undefined;
  const licences = compareLicences(rows.licences, req, catalogue, sources.licenceVendors);
  const coverage = compareCoverage(
    rows.deployments,
    current,
    req,
    catalogue,
    sources.deployments,
    sources.devices,
  );
  findings.push(...(billing?.findings ?? []), ...licences.findings, ...coverage.findings);

  return {
    id: client.id,
    name: client.name,
    counts: { billableUsers: users.length, currentDevices: current.length, staleDevices: stale.length },
    lines: linesOf(req, catalogue, billing, licences.purchased, coverage.deployed),
    findings,
  };
}
