import { formatPrice } from "../core/money.ts";
import type { Bundle, Client, Plan, Service } from "../core/types.ts";
import type { Config } from "../workspace/config.ts";

// The catalogue and clients as JSON, keyed as in trueup.yaml (docs/workspace.md), money as text.

export type PlanJson = Record<string, unknown>;

/** A plan as written in trueup.yaml: `{ bundle, users: { licencesAny }, price, minimum }`. */
export function planJson(plan: Plan): PlanJson {
  const price = plan.price && formatPrice(plan.price);
  if (plan.kind === "bundle") {
    const users = plan.licencesAny && { licencesAny: plan.licencesAny };
    return defined({ bundle: plan.bundle, users, price, minimum: plan.minimum });
  }
  return defined({ service: plan.service, quantity: plan.quantity, price, minimum: plan.minimum });
}

export function serviceJson(s: Service) {
  return defined({
    id: s.id,
    name: s.name,
    unit: s.unit,
    cost: formatPrice(s.cost),
    price: formatPrice(s.price),
    psaProduct: s.psaProduct,
    vendorSkus: s.vendorSkus,
    deployment: s.deployment,
  });
}

export function bundleJson(b: Bundle) {
  return defined({
    id: b.id,
    name: b.name,
    per: b.per,
    deviceTypes: b.deviceTypes,
    price: formatPrice(b.price),
    psaProduct: b.psaProduct,
    includes: b.includes,
    devicesPerUser: b.devicesPerUser,
    extraDevice: b.extraDevice,
  });
}

export function clientJson(c: Client) {
  return { id: c.id, name: c.name, ids: c.ids, plans: c.plans.map(planJson) };
}

export function catalogueJson(config: Config) {
  return {
    services: config.services.map(serviceJson),
    bundles: config.bundles.map(bundleJson),
    clients: config.clients.map(clientJson),
  };
}

/** `subject` of a report line (bundle:id, service:id) -> the catalogue item's name. */
export function subjectNames(config: Config): Map<string, string> {
  const names = new Map<string, string>();
  for (const b of config.bundles) names.set(`bundle:${b.id}`, b.name);
  for (const s of config.services) names.set(`service:${s.id}`, s.name);
  return names;
}

function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
