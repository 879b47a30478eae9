import { idList } from "../core/accounts.ts";
import { listed } from "../core/listing.ts";
import type { Bundle, ExternalIds, Plan } from "../core/types.ts";
import type { Config } from "./config.ts";
import type { Path, YamlFile } from "./yaml.ts";

// Inside trueup.yaml every reference must resolve and every id be unique (spec 2).

/** Ids of one kind, read from the raw YAML so that a duplicate is reported at its own position. */
function uniqueIds(y: YamlFile, key: string, kind: string): Set<string> {
  const list = (y.value as Record<string, unknown> | undefined)?.[key];
  const seen = new Map<string, number>();
  if (!Array.isArray(list)) return new Set();
  list.forEach((item, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== "string" && typeof id !== "number") return;
    const first = seen.get(String(id));
    if (first !== undefined)
      y.error([key, i, "id"], `duplicate ${kind} id "${id}" (first at ${key}[${first}])`);
    else seen.set(String(id), i);
  });
  return new Set(seen.keys());
}

export function checkReferences(y: YamlFile, c: Config): void {
  // Items that failed to read are left out of c, so find each item's path by its id.
  const positions = new Map<string, Map<unknown, number>>();
  const pathOf = (key: string, id: string): Path => {
    let index = positions.get(key);
    if (!index) {
      index = new Map();
      const list = (y.value as Record<string, unknown[]>)[key] ?? [];
      list.forEach((v, i) => {
        const itemId = (v as { id?: unknown } | null)?.id;
        if (!index?.has(itemId)) index?.set(itemId, i);
      });
      positions.set(key, index);
    }
    return [key, index.get(id) ?? 0];
  };
  const services = uniqueIds(y, "services", "service");
  const bundles = uniqueIds(y, "bundles", "bundle");
  const clients = uniqueIds(y, "clients", "client");

  const unknownService = (path: Path, id: string) => {
    if (!services.has(id)) y.error(path, `unknown service "${id}"${suggest(id, services)}`);
  };
  const products = new Map<string, string>();
  const skus = new Map<string, string>();
  const claimProduct = (path: Path, product: string | undefined, owner: string) => {
    if (!product) return;
    const key = product.trim().toLowerCase();
    const other = products.get(key);
    if (other) y.error(path, `PSA product "${product}" is already ${other}'s psaProduct`);
    else products.set(key, owner);
  };

  for (const s of c.services) {
    const p = pathOf("services", s.id);
    claimProduct([...p, "psaProduct"], s.psaProduct, `service ${s.id}`);
    s.vendorSkus.forEach((v, i) => {
      const key = `${v.vendor.toLowerCase()}\u0000${v.sku.toLowerCase()}`;
      const other = skus.get(key);
      if (other)
        y.error([...p, "vendorSkus", i], `${v.vendor} SKU "${v.sku}" already licenses service ${other}`);
      else skus.set(key, s.id);
    });
  }
  for (const b of c.bundles) {
    const p = pathOf("bundles", b.id);
    claimProduct([...p, "psaProduct"], b.psaProduct, `bundle ${b.id}`);
    b.includes.forEach((comp, i) => {
      unknownService([...p, "includes", i, "service"], comp.service);
    });
    if (b.extraDevice !== undefined) {
      unknownService([...p, "extraDevice"], b.extraDevice);
      const extra = c.services.find((s) => s.id === b.extraDevice);
      if (extra && extra.unit !== "device")
        y.error([...p, "extraDevice"], `service "${extra.id}" must have unit: device to bill extra devices`);
    }
  }
  // Thousands of clients: a path is built only for an error, and each system's ids sit in a map of
  // their own (no key text per id).
  const idsBySystem = new Map<string, Map<string, string>>();
  const bundleById = new Map<string, Bundle>();
  for (const b of c.bundles) if (!bundleById.has(b.id)) bundleById.set(b.id, b);
  for (const cl of c.clients) {
    const p = () => pathOf("clients", cl.id);
    if (cl.id === "_unmapped")
      y.error([...p(), "id"], '"_unmapped" is reserved for rows that match no client');
    for (const system of Object.keys(cl.ids)) {
      const values = cl.ids[system] as ExternalIds;
      const sys = system.toLowerCase();
      let ids = idsBySystem.get(sys);
      if (!ids) {
        ids = new Map();
        idsBySystem.set(sys, ids);
      }
      const list = idList(values);
      for (let j = 0; j < list.length; j++) {
        const value = list[j] as string;
        const key = value.trim().toLowerCase();
        const other = ids.get(key);
        if (other === undefined) {
          ids.set(key, cl.id);
          continue;
        }
        const at: Path = typeof values === "string" ? [...p(), "ids", system] : [...p(), "ids", system, j];
        if (other === cl.id) y.error(at, `${system} id "${value}" is listed twice`);
        else y.error(at, `${system} id "${value}" is also client ${other}'s`);
      }
    }
    (cl.clientPaid ?? []).forEach((id, i) => {
      if (!services.has(id)) unknownService([...p(), "clientPaid", i], id);
    });
    for (let i = 0; i < cl.plans.length; i++) {
      const plan = cl.plans[i] as Plan;
      if (plan.kind === "service") {
        if (!services.has(plan.service)) unknownService([...p(), "plans", i, "service"], plan.service);
        continue;
      }
      if (!bundles.has(plan.bundle)) {
        y.error(
          [...p(), "plans", i, "bundle"],
          `unknown bundle "${plan.bundle}"${suggest(plan.bundle, bundles)}`,
        );
        continue;
      }
      const bundle = bundleById.get(plan.bundle);
      if (bundle?.per === "device" && (plan.licencesAny || plan.groupsAny || plan.excludeGroups))
        y.error([...p(), "plans", i, "users"], "a users filter applies to per: user bundles only");
    }
  }
  const deployments = new Set(c.services.flatMap((s) => (s.deployment === undefined ? [] : [s.deployment])));
  for (const s of c.sources) {
    if (s.kind === "deployments" && s.deployment !== undefined && !deployments.has(s.deployment)) {
      const known = listed(deployments) || "none: give a service `deployment: NAME`";
      y.error(
        ["sources", s.index, "deployment"],
        `unknown deployment "${s.deployment}": no service names it (known: ${known})`,
      );
    }
    if (s.client !== undefined && !clients.has(s.client)) {
      y.error(["sources", s.index, "client"], `unknown client "${s.client}"${suggest(s.client, clients)}`);
    }
  }
}

export function suggest(id: string, known: ReadonlySet<string>): string {
  const lower = id.toLowerCase();
  const close = [...known].find((k) => k.toLowerCase() === lower || distance(k.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean "${close}"?)` : ` (known: ${[...known].slice(0, 8).join(", ") || "none"})`;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}
