import { csvText } from "../core/csv.ts";
import { formatMoney, type Money } from "../core/money.ts";
import type { ClientMargin, Figures, MarginReport, SubjectMargin } from "./margin.ts";

// The margin report's edge forms: JSON (CLI --format json and the API), a text table and CSV.

/** A ratio as a percentage with one decimal ("75.9"); null when there is no revenue. */
export function percent(ratio: Money | null): string | null {
  return ratio === null ? null : ratio.times(100).toDecimalPlaces(1, 4).toFixed(1);
}

export function figuresJson(f: Figures) {
  return {
    revenue: formatMoney(f.revenue),
    cost: formatMoney(f.cost),
    margin: formatMoney(f.margin),
    marginPct: percent(f.ratio),
  };
}

function subjectJson(s: SubjectMargin) {
  return {
    subject: s.subject,
    name: s.name,
    billed: s.billed,
    units: s.units,
    ...figuresJson(s),
    perUnit:
      s.perUnit === null
        ? null
        : {
            revenue: formatMoney(s.perUnit.revenue),
            cost: formatMoney(s.perUnit.cost),
            margin: formatMoney(s.perUnit.margin),
          },
    components: s.components.map((c) => ({
      service: c.service,
      quantity: c.quantity,
      cost: formatMoney(c.cost),
    })),
    belowTarget: s.belowTarget,
  };
}

function clientJson(c: ClientMargin) {
  return {
    id: c.id,
    name: c.name,
    former: c.former,
    ...figuresJson(c),
    belowTarget: c.belowTarget,
    subjects: c.subjects.map(subjectJson),
    services: c.services.map((s) => ({
      service: s.service,
      name: s.name,
      required: s.required,
      purchased: s.purchased,
      basis: s.basis,
      cost: formatMoney(s.cost),
      unallocated: formatMoney(s.unallocated),
    })),
    unmapped: c.unmapped.map((u) => ({ ...u, money: formatMoney(u.money) })),
  };
}

export type MarginJson = ReturnType<typeof marginToJson>;

export function marginToJson(m: MarginReport) {
  return {
    asOf: m.asOf,
    currency: m.currency,
    targetMargin: m.targetMargin === null ? null : percent(m.targetMargin),
    totals: figuresJson(m),
    belowTarget: m.belowTarget.map((f) => ({
      kind: f.kind,
      ...(f.client === undefined ? {} : { client: f.client }),
      ...(f.bundle === undefined ? {} : { bundle: f.bundle }),
      name: f.name,
      marginPct: percent(f.ratio),
      shortfall: formatMoney(f.shortfall),
    })),
    bundles: m.bundles.map((b) => ({
      bundle: b.bundle,
      name: b.name,
      units: b.units,
      clients: b.clients,
      ...figuresJson(b),
      belowTarget: b.belowTarget,
    })),
    clients: m.clients.map(clientJson),
    unmapped: {
      revenue: formatMoney(m.unmapped.revenue),
      cost: formatMoney(m.unmapped.cost),
      rows: m.unmapped.rows.map((u) => ({ ...u, money: formatMoney(u.money) })),
    },
  };
}

const pct = (r: Money | null) => (r === null ? "-" : `${percent(r)} %`);

/** Columns padded to their widest cell; numbers to the right. */
function columns(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "),
    )
    .join("\n");
}

export function marginToTable(m: MarginReport): string {
  const head = ["", "billed", "units", "revenue", "cost", "margin", "margin %", "per unit: revenue", "cost"];
  const rows: string[][] = [head];
  for (const c of m.clients) {
    const flag = c.former ? " (former client)" : c.belowTarget ? " (below target)" : "";
    rows.push([`${c.name}${flag}`, "", "", ...money3(c), pct(c.ratio), "", ""]);
    for (const s of c.subjects) {
      const unit = s.perUnit ? [formatMoney(s.perUnit.revenue), formatMoney(s.perUnit.cost)] : ["-", "-"];
      const mark = s.belowTarget ? " *" : "";
      rows.push([
        `  ${s.name}${mark}`,
        String(s.billed),
        String(s.units),
        ...money3(s),
        pct(s.ratio),
        ...unit,
      ]);
    }
    for (const sv of c.services.filter((x) => !x.unallocated.isZero()))
      rows.push([
        `  ${sv.name}: not required by any plan`,
        "",
        "",
        "0.00",
        formatMoney(sv.unallocated),
        "",
        "",
        "",
        "",
      ]);
  }
  rows.push([`Total (${m.currency})`, "", "", ...money3(m), pct(m.ratio), "", ""]);
  const out = [columns(rows)];
  if (m.targetMargin !== null) {
    out.push("", `Below the target margin of ${percent(m.targetMargin)} % (largest shortfall first):`);
    if (m.belowTarget.length === 0) out.push("  none");
    for (const f of m.belowTarget)
      out.push(`  ${f.name}: ${pct(f.ratio)}, ${formatMoney(f.shortfall)} a month short of the target`);
  }
  if (m.unmapped.rows.length > 0) {
    out.push("", "Not in any margin (unmapped rows):");
    for (const u of m.unmapped.rows)
      out.push(
        `  ${u.kind === "billing" ? "billed" : "bought"} ${u.subject} ${formatMoney(u.money)} (${u.ref})`,
      );
  }
  return `${out.join("\n")}\n`;
}

function money3(f: Figures): string[] {
  return [formatMoney(f.revenue), formatMoney(f.cost), formatMoney(f.margin)];
}

export function marginToCsv(m: MarginReport): string {
  const header = ["client", "clientName", "former", "subject", "name", "billed", "units", "revenue", "cost"];
  header.push("margin", "marginPct", "unitRevenue", "unitCost", "unitMargin", "belowTarget");
  const rows: (string | number | null)[][] = [];
  for (const c of m.clients) {
    for (const s of c.subjects) {
      const u = s.perUnit;
      rows.push([c.id, c.name, String(c.former), s.subject, s.name, s.billed, s.units, ...money3(s)]);
      const last = rows[rows.length - 1] as (string | number | null)[];
      last.push(
        percent(s.ratio),
        u && formatMoney(u.revenue),
        u && formatMoney(u.cost),
        u && formatMoney(u.margin),
      );
      last.push(String(s.belowTarget));
    }
    rows.push([c.id, c.name, String(c.former), "total", "", null, null, ...money3(c), percent(c.ratio)]);
    (rows[rows.length - 1] as (string | number | null)[]).push(null, null, null, String(c.belowTarget));
  }
  return csvText(header, rows);
}
