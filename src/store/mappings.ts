import { sql } from "kysely";
import { type Document, isMap, isSeq, parseDocument } from "yaml";
import { compareText } from "../core/findings.ts";
import type { Issue } from "../workspace/issues.ts";
import { CONFIG_FILE, checkConfig } from "../workspace/load.ts";
import { isIsoDate } from "../workspace/reader.ts";
import { writeAudit } from "./audit.ts";
import { hasErrors, storedYaml, writeConfig } from "./catalogue.ts";
import type { Context } from "./context.ts";
import { latestRunId } from "./findings.ts";
import { decisionsChanged } from "./overlay.ts";
import type { Mapping, Store, UnmappedItem } from "./store.ts";
import { withRows } from "./unmapped-rows.ts";
import { editYaml, type YamlEdit } from "./yaml-edit.ts";

// The queue of unmapped accounts, SKUs and products of the latest run, and mapping one: an edit of
// trueup.yaml (comments kept) that is checked as any edit of it is, effective on the next run. An
// ignored item leaves the queue; its findings stay in the reports (see docs/decisions.md). An account
// of a client that has left is recorded on that client (a new one, or one in the catalogue) with
// `ended` (contract 2, 4.6): the next run shows what still runs for it, to refund or cancel.

const KINDS = { UNMAPPED_ACCOUNT: "account", UNMAPPED_SKU: "sku", UNMAPPED_PRODUCT: "product" } as const;
type Kind = UnmappedItem["kind"];

/** "account:psa:Contoso" -> psa, Contoso; "product:GOLD" -> psa, GOLD. */
function itemOf(kind: Kind, subject: string): { system: string; value: string } {
  const rest = subject.slice(kind.length + 1);
  if (kind === "product") return { system: "psa", value: rest };
  const i = rest.indexOf(":");
  return { system: rest.slice(0, i), value: rest.slice(i + 1) };
}

/** How an ignored item is stored: its finding's subject without the kind, in lower case. */
function ignoredValue(kind: Kind, system: string, value: string): string {
  return (kind === "product" ? value : `${system}:${value}`).trim().toLowerCase();
}

async function unmapped(ctx: Context): Promise<UnmappedItem[]> {
  const runId = await latestRunId(ctx);
  if (runId === undefined) return [];
  const rows = await ctx.db
    .selectFrom("findings as f")
    .leftJoin("ignored as i", (j) => j.on(sql<boolean>`lower(f.subject) = i.kind || ':' || i.value`))
    .select(["f.type", "f.subject", "f.evidence"])
    .where("f.run_id", "=", runId)
    .where("f.type", "in", Object.keys(KINDS))
    .where("i.kind", "is", null)
    .orderBy("f.position")
    .execute();
  const items = new Map<string, Omit<UnmappedItem, "monthly" | "rows">>();
  for (const r of rows) {
    const kind = KINDS[r.type as keyof typeof KINDS];
    const { system, value } = itemOf(kind, r.subject);
    const key = `${kind}\u0000${ignoredValue(kind, system, value)}`;
    const item = items.get(key);
    if (item) item.evidence = [...new Set([...item.evidence, ...r.evidence])].sort(compareText);
    else items.set(key, { kind, system, value, evidence: [...r.evidence] });
  }
  const order: Kind[] = ["account", "sku", "product"];
  const sorted = [...items.values()].sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      compareText(a.system.toLowerCase(), b.system.toLowerCase()) ||
      compareText(a.value, b.value),
  );
  // Most money first; items with the same money keep the order above.
  return withRows(ctx, sorted);
}

const same = (a: unknown, b: string) => String(a).trim().toLowerCase() === b.trim().toLowerCase();

function refusal(field: string, message: string): Issue[] {
  return [{ severity: "error", file: CONFIG_FILE, field, message }];
}

type List = "clients" | "services" | "bundles";

function find(doc: Document, list: List, id: string): { index: number; item: Record<string, unknown> } {
  const items = (doc.toJS() as Record<string, unknown> | null)?.[list];
  const all = Array.isArray(items) ? (items as (Record<string, unknown> | null)[]) : [];
  const index = all.findIndex((x) => x !== null && typeof x === "object" && String(x.id) === id);
  return { index, item: all[index] ?? {} };
}

type Former = Extract<Mapping, { kind: "former" }>;

/**
 * The edits a former client's account makes: a new client with the account and `ended` (no plans: it
 * is owed nothing), or, on a client in the catalogue, the account (as an account mapping) and `ended`.
 */
function formerEdits(doc: Document, m: Former): YamlEdit[] | Issue[] {
  if (!isIsoDate(m.ended)) return refusal("ended", `ended must be a date as YYYY-MM-DD, not "${m.ended}"`);
  const { index, item } = find(doc, "clients", m.clientId);
  if (index < 0) {
    const name = m.name?.trim() ?? "";
    if (name === "") return refusal("name", `client ${m.clientId} is new: give its name`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(m.clientId))
      return refusal("clientId", `"${m.clientId}" is not an id (letters, digits, . _ -)`);
    const client = { id: m.clientId, name, ended: m.ended, ids: { [m.system]: m.value } };
    return isSeq(doc.get("clients"))
      ? [{ op: "append", path: ["clients"], item: client }]
      : [{ op: "set", path: [], key: "clients", value: [client] }];
  }
  const edits: YamlEdit[] = [];
  const account = editFor(doc, { kind: "account", system: m.system, value: m.value, clientId: m.clientId });
  if (Array.isArray(account)) return account;
  if (account !== "unchanged") edits.push(account);
  if (!same(item.ended ?? "", m.ended))
    edits.push({ op: "set", path: ["clients", index], key: "ended", value: m.ended });
  return edits;
}

/** The edit of trueup.yaml a mapping makes; issues when it cannot apply; nothing when it holds already. */
function editFor(
  doc: Document,
  m: Exclude<Mapping, { kind: "ignore" | "former" }>,
): YamlEdit | Issue[] | "unchanged" {
  if (m.kind === "account") {
    const { index, item } = find(doc, "clients", m.clientId);
    if (index < 0) return refusal("clientId", `unknown client "${m.clientId}"`);
    const ids = (item.ids ?? {}) as Record<string, unknown>;
    const system = Object.keys(ids).find((k) => same(k, m.system));
    if (system !== undefined && same(ids[system], m.value)) return "unchanged";
    if (system !== undefined)
      return refusal("clientId", `client ${m.clientId} already has the ${system} id "${ids[system]}"`);
    return isMap(doc.getIn(["clients", index, "ids"]))
      ? { op: "set", path: ["clients", index, "ids"], key: m.system, value: m.value }
      : { op: "set", path: ["clients", index], key: "ids", value: { [m.system]: m.value } };
  }
  if (m.kind === "sku") {
    const { index, item } = find(doc, "services", m.serviceId);
    if (index < 0) return refusal("serviceId", `unknown service "${m.serviceId}"`);
    const skus = Array.isArray(item.vendorSkus) ? (item.vendorSkus as Record<string, unknown>[]) : [];
    if (skus.some((v) => same(v?.vendor, m.system) && same(v?.sku, m.value))) return "unchanged";
    const entry = { vendor: m.system, sku: m.value };
    return isSeq(doc.getIn(["services", index, "vendorSkus"]))
      ? { op: "append", path: ["services", index, "vendorSkus"], item: entry }
      : { op: "set", path: ["services", index], key: "vendorSkus", value: [entry] };
  }
  const list = m.target.kind === "bundle" ? "bundles" : "services";
  const { index, item } = find(doc, list, m.target.id);
  if (index < 0) return refusal("target.id", `unknown ${m.target.kind} "${m.target.id}"`);
  const current = item.psaProduct;
  if (current !== undefined && current !== null && current !== "") {
    if (same(current, m.value)) return "unchanged";
    return refusal(
      "target.id",
      `${m.target.kind} ${m.target.id} already has psaProduct "${current}"; edit the catalogue to replace it`,
    );
  }
  return { op: "set", path: [list, index], key: "psaProduct", value: m.value };
}

async function applyMapping(ctx: Context, m: Mapping, actor: { name: string }): Promise<{ issues: Issue[] }> {
  if (m.value.trim() === "") return { issues: refusal("value", "the value to map is empty") };
  if (m.kind !== "product" && m.system.trim() === "")
    return { issues: refusal("system", "the system is empty") };
  if (m.kind === "ignore") {
    const row = { kind: m.item, value: ignoredValue(m.item, m.system, m.value) };
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("ignored")
        .values({ ...row, ignored_by: actor.name, ignored_at: ctx.now() })
        .onConflict((oc) => oc.columns(["kind", "value"]).doNothing())
        .execute();
      await decisionsChanged(trx, ctx);
      await writeAudit(trx, ctx, actor, "mapping.ignore", `${m.item}:${row.value}`, { ...m });
    });
    return { issues: [] };
  }
  // Read, edit and write in one transaction, trueup.yaml locked: no edit in between is lost.
  return ctx.db.transaction().execute(async (trx) => {
    const before = await storedYaml(trx, true);
    const edits = editsFor(parseDocument(before), m);
    if (edits.length === 0) return { issues: [] };
    if (!isEdits(edits)) return { issues: edits };
    const text = edits.reduce(editYaml, before);
    const { config, issues } = checkConfig(text);
    if (!config || hasErrors(issues)) return { issues };
    await writeConfig(trx, ctx, config, text);
    await writeAudit(trx, ctx, actor, "mapping.apply", `${m.kind}:${m.value}`, { ...m });
    return { issues };
  });
}

function editsFor(doc: Document, m: Exclude<Mapping, { kind: "ignore" }>): YamlEdit[] | Issue[] {
  if (m.kind === "former") return formerEdits(doc, m);
  const edit = editFor(doc, m);
  return edit === "unchanged" ? [] : Array.isArray(edit) ? edit : [edit];
}

const isEdits = (e: YamlEdit[] | Issue[]): e is YamlEdit[] => e.every((x) => "op" in x);

export function mappingRepository(ctx: Context): Pick<Store, "unmapped" | "applyMapping"> {
  return {
    unmapped: () => unmapped(ctx),
    applyMapping: (m, actor) => applyMapping(ctx, m, actor),
  };
}
