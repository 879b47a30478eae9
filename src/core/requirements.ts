import type { Assignment, PlanAssignment } from "./assign.ts";
import type { Catalogue } from "./catalogue.ts";
import type { Device } from "./match.ts";
import type { Money } from "./money.ts";
import type { Client, ServicePlan } from "./types.ts";
import type { BillableUser } from "./users.ts";

// Spec 4.4: what each billed subject and each service should count for one client.

/** A bundle plan, itemised service plan or extra-device service, billed under its psaProduct. */
export interface BilledSubject {
  subject: string;
  kind: "bundle" | "service";
  id: string;
  required: number;
  /** Contracted price: the plan's, else the catalogue's. */
  price: Money;
  /** The users or devices behind a bundle plan's count. */
  evidence: string[];
}

export interface ServiceNeed {
  /** Real count over every plan, component and extra device (never raised to a minimum). */
  required: number;
  /** Devices counted for the service, which its deployment must cover. */
  devices: Set<Device>;
  /** The client has it inside a bundle (so a PSA line of it alone may be a tracking line). */
  asComponent: boolean;
  /** The part of `required` each billed subject brings ("bundle:gold-user" -> 24), for margin. */
  bySubject: Map<string, number>;
}

export interface Requirements {
  billed: Map<string, BilledSubject>;
  services: Map<string, ServiceNeed>;
}

export function requirements(
  client: Client,
  catalogue: Catalogue,
  assignment: Assignment,
  users: readonly BillableUser[],
  devices: readonly Device[],
): Requirements {
  const req: Requirements = { billed: new Map(), services: new Map() };
  const bundlePlans = new Map(assignment.plans.map((pa) => [pa.index, pa]));
  // In plan order, so that where two plans bill one subject the first one's price stands.
  client.plans.forEach((plan, i) => {
    const pa = bundlePlans.get(i);
    if (pa) addBundlePlan(req, catalogue, pa);
    else if (plan.kind === "service") addServicePlan(req, catalogue, plan, users, devices);
  });
  return req;
}

function need(req: Requirements, serviceId: string): ServiceNeed {
  let n = req.services.get(serviceId);
  if (!n) {
    n = { required: 0, devices: new Set(), asComponent: false, bySubject: new Map() };
    req.services.set(serviceId, n);
  }
  return n;
}

function addNeed(n: ServiceNeed, subject: string, count: number): void {
  n.required += count;
  n.bySubject.set(subject, (n.bySubject.get(subject) ?? 0) + count);
}

function addBilled(req: Requirements, subject: Omit<BilledSubject, "subject">): void {
  const key = `${subject.kind}:${subject.id}`;
  const existing = req.billed.get(key);
  if (existing) {
    // The same bundle or service in two plans of one client: one PSA product, so one subject whose
    // quantity adds up; the first plan's price stands.
    existing.required += subject.required;
    existing.evidence.push(...subject.evidence);
  } else req.billed.set(key, { subject: key, ...subject });
}

function addBundlePlan(req: Requirements, catalogue: Catalogue, pa: PlanAssignment): void {
  const { bundle, plan, users, devices } = pa;
  const count = bundle.per === "user" ? users.length : devices.length;
  addBilled(req, {
    kind: "bundle",
    id: bundle.id,
    required: Math.max(count, plan.minimum ?? 0),
    price: plan.price ?? bundle.price,
    evidence: bundle.per === "user" ? users.map((u) => u.upn) : devices.map((d) => d.hostname),
  });
  for (const component of bundle.includes) {
    const service = catalogue.service(component.service);
    const n = need(req, service.id);
    n.asComponent = true;
    if (service.unit === "user") {
      addNeed(n, `bundle:${bundle.id}`, users.length);
    } else {
      const types = component.deviceTypes;
      const counted = types ? devices.filter((d) => types.includes(d.type)) : devices;
      addNeed(n, `bundle:${bundle.id}`, counted.length);
      for (const d of counted) n.devices.add(d);
    }
  }
  if (bundle.extraDevice !== undefined && bundle.devicesPerUser !== undefined) {
    const extra = Math.max(0, devices.length - bundle.devicesPerUser * users.length);
    const service = catalogue.service(bundle.extraDevice);
    addNeed(need(req, service.id), `service:${service.id}`, extra);
    addBilled(req, { kind: "service", id: service.id, required: extra, price: service.price, evidence: [] });
  }
}

function addServicePlan(
  req: Requirements,
  catalogue: Catalogue,
  plan: ServicePlan,
  users: readonly BillableUser[],
  devices: readonly Device[],
): void {
  const service = catalogue.service(plan.service);
  const n = need(req, service.id);
  let count: number;
  if (plan.quantity !== undefined) count = plan.quantity;
  else if (service.unit === "user") count = users.length;
  else {
    count = devices.length;
    for (const d of devices) n.devices.add(d);
  }
  addNeed(n, `service:${service.id}`, count);
  addBilled(req, {
    kind: "service",
    id: service.id,
    required: Math.max(count, plan.minimum ?? 0),
    price: plan.price ?? service.price,
    evidence: [],
  });
}
