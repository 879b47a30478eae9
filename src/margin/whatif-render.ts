import { formatMoney, formatPrice } from "../core/money.ts";
import type { Figures } from "./margin.ts";
import { figuresJson, percent } from "./render.ts";
import type { WhatIf } from "./whatif.ts";

// A what-if's edge forms: JSON (CLI and API) and a text table.

const pair = (b: Figures, a: Figures) => ({ before: figuresJson(b), after: figuresJson(a) });

export type WhatIfJson = ReturnType<typeof whatIfToJson>;

export function whatIfToJson(w: WhatIf) {
  return {
    currency: w.currency,
    total: pair(w.total.before, w.total.after),
    clients: w.clients.map((c) => ({ id: c.id, name: c.name, ...pair(c.before, c.after) })),
    lines: w.lines.map((l) => ({
      client: l.client,
      clientName: l.clientName,
      subject: l.subject,
      product: l.product,
      line: l.line,
      from: { quantity: l.from.quantity, unitPrice: formatPrice(l.from.unitPrice) },
      to: { quantity: l.to.quantity, unitPrice: formatPrice(l.to.unitPrice) },
      monthly: formatMoney(l.monthly),
    })),
  };
}

const pct = (f: Figures) => (f.ratio === null ? "-" : `${percent(f.ratio)} %`);

export function whatIfToTable(w: WhatIf): string {
  const rows: string[][] = [
    ["", "revenue", "after", "cost", "after", "margin", "after", "margin %", "after"],
  ];
  const row = (name: string, b: Figures, a: Figures) => {
    const m = (x: Figures) => [formatMoney(x.revenue), formatMoney(x.cost), formatMoney(x.margin)];
    const [r0, c0, m0] = m(b);
    const [r1, c1, m1] = m(a);
    rows.push([name, r0, r1, c0, c1, m0, m1, pct(b), pct(a)] as string[]);
  };
  for (const c of w.clients) row(c.name, c.before, c.after);
  row(`Total (${w.currency})`, w.total.before, w.total.after);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const out = rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  "),
  );
  out.push("", w.lines.length === 0 ? "No PSA line would change." : "PSA lines that would change:");
  for (const l of w.lines) {
    const from = `${l.from.quantity} x ${formatPrice(l.from.unitPrice)}`;
    const to = `${l.to.quantity} x ${formatPrice(l.to.unitPrice)}`;
    const where = l.line === null ? "new line" : l.line;
    const sign = l.monthly.isNegative() ? "" : "+";
    out.push(
      `  ${l.clientName}: ${l.product} ${from} -> ${to} (${sign}${formatMoney(l.monthly)} a month; ${where})`,
    );
  }
  return `${out.join("\n")}\n`;
}
