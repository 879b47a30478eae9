import type { PlanAssignment } from "../core/assign.ts";
import type { Device } from "../core/match.ts";
import { formatMoney, formatPrice, type Money, money, sum, times, toCents } from "../core/money.ts";
import type { BilledSubject } from "../core/requirements.ts";
import type { Bundle, DeviceType, ReconcileInput } from "../core/types.ts";
import type { Msp } from "../workspace/msp.ts";
import { compareStatements } from "./changes.ts";
import { type ClientView, clientView, day, protectiveNeeds } from "./client-view.ts";

// The client statement (issue 14): what a client pays for this month, line by line, with the named
// users and devices behind each quantity, what changed since last month and how well the protective
// services cover the devices. A plain JSON value: it is rendered (HTML, PDF, CSV), stored as the
// month's issued statement, and read back as the previous month's.

export const STATEMENT_VERSION = 1;

export interface Member {
  kind: "user" | "device";
  name: string;
  type?: DeviceType;
  /** YYYY-MM-DD */
  lastSeen?: string;
}

export interface StatementLine {
  /** The report's subject: bundle:gold-user, service:archiving. */
  subject: string;
  kind: "bundle" | "service";
  name: string;
  /** What a bundle includes, in words (service names, with the device types a component is for). */
  includes: string[];
  /** What one unit is. */
  per: "user" | "device" | "fixed";
  /** The quantity billed: the report's `required`. */
  quantity: number;
  unitPrice: string;
  total: string;
  users: Member[];
  devices: Member[];
  /** Why the quantity is what it is, where a count alone does not say it. */
  notes: string[];
}

export interface MemberChange {
  change: "joined" | "left" | "moved";
  member: Member;
  /** The line's name now (joined, moved) or last month (left). */
  line: string;
  /** moved: the line it was on. */
  from?: string;
  /** YYYY-MM-DD: by when it joined (this statement's date) or when a device was last seen. */
  date: string;
}

export interface LineChange {
  subject: string;
  name: string;
  from: number;
  to: number;
  /** Change of the line's total, signed: "+25.00", "-110.00". */
  effect: string;
}

export interface Changes {
  previousMonth: string;
  previousAsOf: string;
  members: MemberChange[];
  lines: LineChange[];
  effect: string;
}

export interface ProtectionItem {
  service: string;
  name: string;
  counted: number;
  covered: number;
  gaps: Member[];
  why: string;
}

export interface Statement {
  version: typeof STATEMENT_VERSION;
  msp: Msp;
  client: { id: string; name: string };
  /** YYYY-MM */
  month: string;
  asOf: string;
  currency: string;
  lines: StatementLine[];
  total: string;
  counts: { users: number; devices: number };
  /** null: no statement of an earlier month to compare with. */
  changes: Changes | null;
  protection: ProtectionItem[];
}

export interface StatementOptions {
  msp: Msp;
  /** Defaults to the month of input.asOf. */
  month?: string;
  previous?: Statement;
}

export function buildStatement(
  input: ReconcileInput,
  clientId: string,
  opts: StatementOptions,
): Statement | undefined {
  const view = clientView(input, clientId);
  if (!view) return undefined;
  const lines = [...view.req.billed.values()].map((b) => statementLine(view, b));
  const statement: Statement = {
    version: STATEMENT_VERSION,
    msp: opts.msp,
    client: { id: view.client.id, name: view.client.name },
    month: opts.month ?? input.asOf.slice(0, 7),
    asOf: input.asOf,
    currency: input.currency,
    lines,
    total: formatMoney(sum(lines.map((l) => money(l.total)))),
    counts: { users: view.users.length, devices: view.current.length },
    changes: null,
    protection: protection(view, input),
  };
  if (opts.previous) statement.changes = compareStatements(opts.previous, statement);
  return statement;
}

const userMember = (upn: string): Member => ({ kind: "user", name: upn });
const deviceMember = (d: Device): Member => ({
  kind: "device",
  name: d.hostname,
  type: d.type,
  lastSeen: day(d.lastSeen),
});

function statementLine(view: ClientView, b: BilledSubject): StatementLine {
  const plans = view.assignment.plans.filter((pa) => b.kind === "bundle" && pa.bundle.id === b.id);
  const line: StatementLine = {
    subject: b.subject,
    kind: b.kind,
    name:
      b.kind === "bundle"
        ? (view.catalogue.bundles.get(b.id)?.name ?? b.id)
        : view.catalogue.service(b.id).name,
    includes: [],
    per: "fixed",
    quantity: b.required,
    unitPrice: formatPrice(b.price),
    total: formatMoney(lineTotal(b.price, b.required)),
    users: [],
    devices: [],
    notes: [],
  };
  if (b.kind === "bundle") fillBundle(view, line, plans);
  else fillService(view, line, b.id);
  return line;
}

function lineTotal(price: Money, quantity: number): Money {
  return toCents(times(price, quantity));
}

const TYPE_WORDS: Record<DeviceType, string> = {
  workstation: "workstations",
  laptop: "laptops",
  server: "servers",
  mobile: "mobiles",
  other: "other devices",
};

function typesInWords(types: readonly DeviceType[]): string {
  const words = types.map((t) => TYPE_WORDS[t]);
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function fillBundle(view: ClientView, line: StatementLine, plans: PlanAssignment[]): void {
  const bundle = plans[0]?.bundle as Bundle;
  line.per = bundle.per;
  line.includes = bundle.includes.map((c) => {
    const name = view.catalogue.service(c.service).name;
    return c.deviceTypes ? `${name} (${typesInWords(c.deviceTypes)})` : name;
  });
  for (const pa of plans) {
    line.users.push(...pa.users.map((u) => userMember(u.upn)));
    line.devices.push(...pa.devices.map(deviceMember));
    const counted = bundle.per === "user" ? pa.users.length : pa.devices.length;
    if (pa.plan.minimum !== undefined && pa.plan.minimum > counted)
      line.notes.push(
        `Your agreement has a minimum of ${pa.plan.minimum}; ${counted} ${unitWord(bundle.per, counted)} counted.`,
      );
  }
  if (bundle.per === "user")
    line.notes.push(`Each user's ${typesInWords(bundle.deviceTypes)} are covered by this bundle.`);
  if (bundle.devicesPerUser !== undefined && bundle.extraDevice !== undefined)
    line.notes.push(
      `Includes up to ${bundle.devicesPerUser} devices per user; more are billed as extra devices.`,
    );
}

function unitWord(per: "user" | "device", n: number): string {
  if (per === "user") return n === 1 ? "user is" : "users are";
  return n === 1 ? "device is" : "devices are";
}

function fillService(view: ClientView, line: StatementLine, serviceId: string): void {
  const service = view.catalogue.service(serviceId);
  const plan = view.client.plans.find((p) => p.kind === "service" && p.service === serviceId);
  for (const pa of view.assignment.plans) {
    const b = pa.bundle;
    if (b.extraDevice !== serviceId || b.devicesPerUser === undefined) continue;
    const allowed = b.devicesPerUser * pa.users.length;
    const extra = Math.max(0, pa.devices.length - allowed);
    line.per = "device";
    line.notes.push(
      `${b.name}: ${pa.users.length} users x ${b.devicesPerUser} devices = ${allowed} included; ` +
        `${pa.devices.length} devices are managed, so ${extra} extra (the devices are listed under ${b.name}).`,
    );
  }
  if (plan?.kind !== "service") return;
  if (plan.quantity !== undefined) {
    line.notes.push(`A fixed quantity of ${plan.quantity} in your agreement.`);
    return;
  }
  line.per = service.unit;
  if (service.unit === "user") line.users = view.users.map((u) => userMember(u.upn));
  else line.devices = view.current.map(deviceMember);
  if (plan.minimum !== undefined && plan.minimum > line.users.length + line.devices.length)
    line.notes.push(`Your agreement has a minimum of ${plan.minimum}.`);
}

function protection(view: ClientView, input: ReconcileInput): ProtectionItem[] {
  return protectiveNeeds(view, input).map((need) => {
    const covered = view.coveredBy.get(need.deployment);
    const gaps = need.devices.filter((d) => !covered?.has(d)).map(deviceMember);
    return {
      service: need.serviceId,
      name: need.name,
      counted: need.devices.length,
      covered: need.devices.length - gaps.length,
      gaps,
      why: gaps.length === 0 ? coveredWords(need.name) : gapWords(need.name, gaps.length),
    };
  });
}

function coveredWords(name: string): string {
  return `Every device you pay ${name} for is reported by its console: all are protected.`;
}

function gapWords(name: string, n: number): string {
  const those = n === 1 ? "This device is" : `These ${n} devices are`;
  return (
    `${those} managed and paid for, but ${name} does not report ${n === 1 ? "it" : "them"}. Until it is ` +
    `installed and working, ${n === 1 ? "it is" : "they are"} not protected by it: an attack, a failed disk or ` +
    `a lost laptop there may go unnoticed or be unrecoverable. We are fixing it; tell us if a device is no longer in use.`
  );
}
