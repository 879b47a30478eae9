import { stringify } from "yaml";
import type { Uplift } from "../core/types.ts";
import { upliftPrice } from "../core/uplift.ts";
import { type Config, readConfig, readUplift } from "./config.ts";
import type { Issue } from "./issues.ts";
import { Reader } from "./reader.ts";
import { type Path, YamlFile } from "./yaml.ts";

// A what-if change: a YAML overlay of trueup.yaml (docs/margin.md "What-if"). Lists of services,
// bundles and clients merge by id, an item's fields replacing the same fields; `remove: true` takes
// an item out; `rules` merge key by key; `uplift` raises every contracted price. Sources, connections
// and a client's ids cannot change: the rows are routed to clients by them, and a what-if reads the
// same rows.

const LISTS = ["services", "bundles", "clients"] as const;
const KEYS = [...LISTS, "rules", "uplift"];

type Obj = Record<string, unknown>;

export interface Overlaid {
  config?: Config;
  issues: Issue[];
}

/** The workspace's trueup.yaml value with the change laid over it, read and checked as trueup.yaml is. */
export function applyOverlay(base: unknown, changeFile: string, changeText: string): Overlaid {
  const change = new YamlFile(changeFile, changeText);
  if (change.value === undefined) return { issues: change.issues };
  const r = new Reader(change);
  const o = r.obj(change.value ?? {}, [], Object.keys((change.value ?? {}) as Obj));
  for (const key of Object.keys(o ?? {}))
    if (!KEYS.includes(key)) change.error([key], `a what-if changes ${KEYS.join(", ")} only, not ${key}`);
  const merged: Obj = { ...(base as Obj) };
  const uplift = o && o.uplift != null ? readUplift(r, o.uplift, ["uplift"]) : undefined;
  if (o) {
    for (const key of LISTS) if (o[key] !== undefined) merged[key] = mergeList(r, merged[key], o[key], key);
    const rules = o.rules === undefined ? undefined : r.obj(o.rules, ["rules"], Object.keys(o.rules as Obj));
    if (rules) merged.rules = { ...((merged.rules as Obj | undefined) ?? {}), ...rules };
  }
  if (change.issues.some((i) => i.severity === "error")) return { issues: change.issues };
  // The merged text has no lines of its own: its issues name the change file and the YAML path.
  const whole = new YamlFile(changeFile, stringify(merged));
  const config = readConfig(whole);
  const issues = whole.issues.map(({ line: _l, column: _c, ...i }) => ({
    ...i,
    message: `${i.message} (in trueup.yaml with the change laid over it)`,
  }));
  if (!config || issues.some((i) => i.severity === "error")) return { issues };
  if (uplift) applyUplift(config, uplift);
  return { config, issues };
}

function mergeList(r: Reader, base: unknown, change: unknown, key: (typeof LISTS)[number]): unknown[] {
  const out = Array.isArray(base) ? [...(base as Obj[])] : [];
  if (!Array.isArray(change)) {
    r.y.error([key], "expected a list of items, each with its id");
    return out;
  }
  change.forEach((item, i) => {
    const p: Path = [key, i];
    const o = item !== null && typeof item === "object" && !Array.isArray(item) ? (item as Obj) : undefined;
    const id = o && r.str(o, p, "id", true);
    if (!o || id === undefined) {
      if (!o) r.y.error(p, "expected an item with its id");
      return;
    }
    if (key === "clients" && o.ids !== undefined)
      r.y.error(
        [...p, "ids"],
        "a what-if cannot change a client's ids: the rows are routed to clients by them",
      );
    const at = out.findIndex((b) => b !== null && typeof b === "object" && (b as Obj).id === id);
    const { remove, ...fields } = o;
    if (remove === true && key === "clients")
      r.y.error([...p, "remove"], "a client stays: give it `ended: yyyy-mm-dd` to see it leave");
    else if (remove === true) {
      if (at < 0) r.y.error([...p, "remove"], `no ${key.slice(0, -1)} "${id}" to remove`);
      else out.splice(at, 1);
    } else if (at < 0) out.push(fields);
    else out[at] = { ...(out[at] as Obj), ...fields };
  });
  return out;
}

/** Every contracted price (catalogue and plans) not excluded rises. */
function applyUplift(config: Config, u: Uplift): void {
  const excluded = new Set(u.exclude);
  for (const s of config.services) if (!excluded.has(s.id)) s.price = upliftPrice(s.price, u);
  for (const b of config.bundles) if (!excluded.has(b.id)) b.price = upliftPrice(b.price, u);
  for (const c of config.clients) {
    for (const p of c.plans) {
      const id = p.kind === "bundle" ? p.bundle : p.service;
      if (p.price !== undefined && !excluded.has(id)) p.price = upliftPrice(p.price, u);
    }
  }
}
