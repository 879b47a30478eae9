import { escapeHtml as e } from "../statements/html.ts";
import type { Msp } from "../workspace/msp.ts";
import type { ClientRise } from "./plan.ts";

// The notice letter of a price rise, one per client: a self-contained HTML page (it prints as a
// letter) saying what changes, by how much, from when, and why (the contract's yearly uplift).

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export function longDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}`;
}

export function money(v: string, currency: string): string {
  return `${currency} ${v}`;
}

function capText(r: ClientRise): string {
  const parts = [];
  if (r.cap) parts.push(`at most ${r.cap} %`);
  if (r.capAmount) parts.push(`at most ${r.capAmount} per unit`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

export interface LetterOptions {
  msp?: Msp;
  currency: string;
  date: string;
}

/** The letter's sentences, the same in the HTML page and the PDF. */
export function letterWords(r: ClientRise, opts: LetterOptions) {
  return {
    title: `Your prices from ${longDate(r.anniversary)}`,
    intro:
      `Your agreement with us began on ${longDate(r.contractStart)}. As it provides, on each anniversary its ` +
      `prices rise by ${r.percent} %${capText(r)}. From ${longDate(r.anniversary)} they rise by ` +
      `${r.appliedPercent} %, rounded to the cent:`,
    quantities:
      "The quantities are those of your latest statement; the monthly change follows your actual quantities.",
    kept: r.excluded.length > 0 ? "These stay as they are (passed on at our cost):" : undefined,
    keptItems: r.excluded.map((x) => `${x.name}: ${money(x.price, opts.currency)}, unchanged`),
    closing: `Your invoices show the new prices from ${longDate(r.anniversary)}. Please contact us with any question.`,
  };
}

export function noticeLetter(r: ClientRise, opts: LetterOptions): string {
  const words = letterWords(r, opts);
  const sender = opts.msp?.name ?? "";
  const rows = r.rises
    .map(
      (x) =>
        `<tr><td>${e(x.name)}</td><td class="n">${e(money(x.oldPrice, opts.currency))}</td>` +
        `<td class="n">${e(money(x.newPrice, opts.currency))}</td><td class="n">${x.quantity}</td>` +
        `<td class="n">${e(money(x.monthlyEffect, opts.currency))}</td></tr>`,
    )
    .join("\n");
  const kept = words.keptItems.map((x) => `<li>${e(x)}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Price notice: ${e(r.clientName)}</title>
<style>body{font:11pt/1.45 system-ui,sans-serif;max-width:46rem;margin:2rem auto;color:#111}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.3rem .4rem;text-align:left}
.n{text-align:right;font-variant-numeric:tabular-nums}.from{color:#555}</style></head>
<body>
<header><strong>${e(sender)}</strong>${(opts.msp?.address ?? []).map((a) => `<br>${e(a)}`).join("")}</header>
<p class="from">${e(longDate(opts.date))}</p>
<p><strong>${e(r.clientName)}</strong></p>
<h1>${e(words.title)}</h1>
<p>${e(words.intro)}</p>
<table><thead><tr><th>Service</th><th class="n">Price now</th><th class="n">New price</th><th class="n">Quantity</th>
<th class="n">Monthly change</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th colspan="4">Monthly change in total</th><th class="n">${e(money(r.monthlyEffect, opts.currency))}</th></tr></tfoot>
</table>
<p>${e(words.quantities)}</p>
${words.kept ? `<p>${e(words.kept)}</p><ul>${kept}</ul>` : ""}
<p>${e(words.closing)}</p>
<p>${e(sender)}</p>
</body></html>
`;
}
