// The yardstick of `npm run bench`: DuckDB computes the core counts of a generated workspace from the
// same CSV files (billable users and current devices per client, devices without EDR, licence and
// billing sums), for the bench to time beside `trueup reconcile` and to check against its report.
// Run compiled, without tsx, through bench/duckdb-child.ts. DIR/bench-* (written by writeKeys,
// untimed) map accounts, SKUs and PSA products to the clients, services and subjects of trueup.yaml.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { parse } from "yaml";

/** Per client: "<client>|<figure>" -> number. */
export type Counts = Record<string, number>;

const PLACEHOLDERS = ["", "0", "to be filled by o.e.m.", "default string", "system serial number"];

interface Config {
  asOf: string;
  rules: { staleDeviceDays: number; excludeUsers?: string[] };
  services: { id: string; psaProduct?: string; vendorSkus?: { vendor: string; sku: string }[] }[];
  bundles: { id: string; psaProduct?: string }[];
  clients: { id: string; ids: Record<string, string> }[];
}

/** The mappings of trueup.yaml as CSV files DuckDB reads (the generator's ids are single values). */
export function writeKeys(dir: string, yamlText: string): Config {
  const config = parse(yamlText) as Config;
  const systems = ["psa", "microsoft", "rmm", "pax8", "edr", "backupco"];
  const csv = (rows: string[][]) => rows.map((r) => r.map((v) => JSON.stringify(v)).join(",")).join("\n");
  writeFileSync(
    join(dir, "bench-clients.csv"),
    csv([
      ["client", ...systems],
      ...config.clients.map((c) => [c.id, ...systems.map((s) => c.ids[s] ?? "")]),
    ]),
  );
  const skus = config.services.flatMap((s) => (s.vendorSkus ?? []).map((v) => [v.vendor, v.sku, s.id]));
  writeFileSync(join(dir, "bench-skus.csv"), csv([["vendor", "sku", "service"], ...skus]));
  const products = [
    ...config.bundles.filter((b) => b.psaProduct).map((b) => [b.psaProduct as string, `bundle:${b.id}`]),
    ...config.services.filter((s) => s.psaProduct).map((s) => [s.psaProduct as string, `service:${s.id}`]),
  ];
  writeFileSync(join(dir, "bench-products.csv"), csv([["product", "subject"], ...products]));
  writeFileSync(join(dir, "bench-rules.json"), JSON.stringify({ asOf: config.asOf, rules: config.rules }));
  return config;
}

function sql(dir: string, asOf: string, staleDays: number, exclude: string[]): string {
  const file = (f: string) => `'${join(dir, f).replace(/'/g, "''")}'`;
  const read = (f: string) => `read_csv(${file(f)}, header = true, all_varchar = true)`;
  const placeholders = PLACEHOLDERS.map((p) => `'${p}'`).join(", ");
  const globs = exclude.map((g) => `lower(u.upn) like '${g.toLowerCase().replace(/\*/g, "%")}'`);
  return `
create table clients as select * from ${read("bench-clients.csv")};
create table users as select * from ${read("data/users.csv")};
create table devices as select * from ${read("data/devices.csv")};
create table edr as select * from ${read("data/edr.csv")};
create table licences as
  select 'pax8' as vendor, * from ${read("data/pax8.csv")}
  union all by name select 'backupco' as vendor, * from ${read("data/backupco.csv")};
create table psa as select * from ${read("data/psa.csv")};
create table skus as select * from ${read("bench-skus.csv")};
create table products as select * from ${read("bench-products.csv")};

create table inventory as
  select c.client, d.type, d.hostname,
    cast(d.lastSeen as timestamp) as seen,
    case when lower(trim(coalesce(d.serial, ''))) in (${placeholders})
      then 'h:' || split_part(lower(trim(d.hostname)), '.', 1)
      else 's:' || lower(trim(d.serial)) end as device,
    split_part(lower(trim(d.hostname)), '.', 1) as host,
    case when lower(trim(coalesce(d.serial, ''))) in (${placeholders}) then null
      else lower(trim(d.serial)) end as serial
  from devices d join clients c on lower(trim(d.account)) = lower(trim(c.rmm));
create table current_devices as
  select client, device,
    first(type order by seen desc, hostname) as type,
    first(host order by seen desc, hostname) as host,
    first(serial order by seen desc, hostname) as serial,
    max(seen) as seen
  from inventory group by client, device
  having date_diff('day', cast(max(seen) as date), date '${asOf}') <= ${staleDays};
create table agents as
  select c.client, split_part(lower(trim(e.hostname)), '.', 1) as host,
    case when lower(trim(coalesce(e.serial, ''))) in (${placeholders}) then null
      else lower(trim(e.serial)) end as serial
  from edr e join clients c on lower(trim(e.account)) = lower(trim(c.edr));
-- A device is covered by an agent of its client with its serial, or with its host name where either
-- has no serial (two equi-joins: a correlated "exists ... or ..." does not scale).
create table covered as
  select d.client, d.device from current_devices d
    join agents a on a.client = d.client and a.serial = d.serial
  union
  select d.client, d.device from current_devices d
    join agents a on a.client = d.client and a.host = d.host
    where a.serial is null or d.serial is null;

select client, 'billableUsers' as figure, count(distinct lower(u.upn)) as n
  from users u join clients c on lower(trim(u.account)) = lower(trim(c.microsoft))
  where lower(u.enabled) = 'true' and lower(u.userType) = 'member'
    and coalesce(trim(u.licences), '') <> ''${globs.map((g) => ` and not (${g})`).join("")}
  group by client
union all
select client, 'currentDevices', count(*) from current_devices group by client
union all
select d.client, 'edrGap', count(*) from current_devices d
  anti join covered c on c.client = d.client and c.device = d.device
  group by d.client
union all
select c.client, 'purchased:service:' || s.service, sum(cast(l.quantity as integer))
  from licences l
  join clients c on lower(trim(l.account)) = lower(trim(case l.vendor when 'pax8' then c.pax8 else c.backupco end))
  join skus s on s.vendor = l.vendor and s.sku = l.sku
  group by c.client, s.service
union all
select c.client, 'billed:' || p.subject, sum(cast(b.quantity as integer))
  from psa b join clients c on lower(trim(b.account)) = lower(trim(c.psa)) join products p on p.product = b.product
  group by c.client, p.subject;
`;
}

export async function duckdbCounts(dir: string, config: Pick<Config, "asOf" | "rules">): Promise<Counts> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const statements = sql(dir, config.asOf, config.rules.staleDeviceDays, config.rules.excludeUsers ?? []);
  const reader = await connection.runAndReadAll(statements);
  const counts: Counts = {};
  for (const [client, figure, n] of reader.getRows()) counts[`${client}|${figure}`] = Number(n);
  connection.closeSync();
  instance.closeSync();
  return counts;
}

/**
 * The same figures from Trueup's report (spec section 6 JSON). The EDR gap is compared where Trueup
 * counts EDR on every current device of the client (its plans decide which devices it counts, which
 * the query does not follow): the keys of the others are in `skip`.
 */
export function trueupCounts(report: {
  clients: {
    id: string;
    counts: { billableUsers: number; currentDevices: number };
    lines: { subject: string; required: number | null; billed: number | null; purchased: number | null }[];
    findings: { type: string; subject: string; expected: unknown; actual: unknown }[];
  }[];
}): { counts: Counts; skip: Set<string> } {
  const counts: Counts = {};
  const skip = new Set<string>();
  const put = (client: string, figure: string, n: number | null) => {
    if (n !== null && n !== 0) counts[`${client}|${figure}`] = n;
  };
  for (const c of report.clients) {
    if (c.id === "_unmapped") continue;
    put(c.id, "billableUsers", c.counts.billableUsers);
    put(c.id, "currentDevices", c.counts.currentDevices);
    for (const l of c.lines) {
      put(c.id, `purchased:${l.subject}`, l.purchased);
      put(c.id, `billed:${l.subject}`, l.billed);
    }
    const edr = c.lines.find((l) => l.subject === "service:edr");
    if (edr?.required !== c.counts.currentDevices) skip.add(`${c.id}|edrGap`);
    // COVERAGE_GAP: expected the devices counted for the service, actual those of them covered.
    for (const f of c.findings)
      if (f.type === "COVERAGE_GAP" && f.subject === "service:edr")
        put(c.id, "edrGap", Number(f.expected) - Number(f.actual));
  }
  return { counts, skip };
}

/** The figures on which the two differ ("" when none), at most `max` listed. */
export function compareCounts(trueup: Counts, duck: Counts, skip: Set<string>, max = 5): string {
  const keys = [...new Set([...Object.keys(trueup), ...Object.keys(duck)])]
    .filter((k) => !skip.has(k))
    .sort();
  const differ = keys.filter((k) => (trueup[k] ?? 0) !== (duck[k] ?? 0));
  const shown = differ.slice(0, max).map((k) => `${k}: trueup ${trueup[k] ?? 0}, duckdb ${duck[k] ?? 0}`);
  return differ.length === 0 ? "" : `${differ.length} figures differ, e.g.\n  ${shown.join("\n  ")}`;
}
