import type { Changes, ProtectionItem, Statement, StatementLine } from "./statement.ts";
import { ACKNOWLEDGEMENT, amount, memberText, monthName, PER_WORDS } from "./words.ts";

// The statement as one self-contained HTML page (styles and logo inline) that prints as the PDF does.

export interface HtmlOptions {
  /** The MSP's logo file's bytes (PNG or JPEG). */
  logo?: { bytes: Buffer; mime: string };
  /** Replaces the signature block (the shared page puts its acknowledge form here). */
  acknowledgement?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;

export function statementHtml(s: Statement, opts: HtmlOptions = {}): string {
  const title = `Statement ${monthName(s.month)}: ${s.client.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${css(s.msp.paper)}</style></head>
<body><main class="statement">
${header(s, opts)}
${summary(s)}
<h2>What you pay for</h2>
${linesTable(s)}
${changesSection(s.changes, s.currency)}
${protectionSection(s.protection)}
${opts.acknowledgement ?? signature()}
</main></body></html>
`;
}

function header(s: Statement, opts: HtmlOptions): string {
  const logo = opts.logo
    ? `<img class="logo" alt="${e(s.msp.name)}" src="data:${opts.logo.mime};base64,${opts.logo.bytes.toString("base64")}">`
    : "";
  const address = s.msp.address.map((l) => `<div>${e(l)}</div>`).join("");
  return `<header><div class="msp">${logo}<div><div class="msp-name">${e(s.msp.name)}</div>${address}</div></div>
<div class="doc"><h1>Statement</h1><div class="client">${e(s.client.name)}</div>
<div>${e(monthName(s.month))} &middot; as of ${e(s.asOf)}</div><div>Amounts in ${e(s.currency)}, per month</div></div></header>`;
}

function summary(s: Statement): string {
  return `<section class="summary"><div><span class="big">${e(amount(s.total))}</span> ${e(s.currency)} per month</div>
<div>${s.counts.users} users and ${s.counts.devices} devices managed</div></section>`;
}

function linesTable(s: Statement): string {
  const rows = s.lines.map((l) => lineRows(l)).join("");
  return `<table class="lines"><thead><tr><th>Service</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Total</th></tr></thead>
<tbody>${rows}</tbody><tfoot><tr><td>Total per month</td><td></td><td></td><td class="num">${e(amount(s.total))}</td></tr></tfoot></table>`;
}

function lineRows(l: StatementLine): string {
  const includes =
    l.includes.length > 0 ? `<div class="includes">Includes: ${l.includes.map(e).join(", ")}</div>` : "";
  const notes = l.notes.map((n) => `<div class="note">${e(n)}</div>`).join("");
  const head = `<tr class="line"><td><div class="line-name">${e(l.name)}</div><div class="per">${PER_WORDS[l.per]}</div>${includes}${notes}</td>
<td class="num">${l.quantity}</td><td class="num">${e(amount(l.unitPrice))}</td><td class="num">${e(amount(l.total))}</td></tr>`;
  const users = l.users.length > 0 ? memberList(`Users (${l.users.length})`, l.users.map(memberText)) : "";
  const devices =
    l.devices.length > 0 ? memberList(`Devices (${l.devices.length})`, l.devices.map(memberText)) : "";
  return users || devices ? `${head}<tr class="members"><td colspan="4">${users}${devices}</td></tr>` : head;
}

function memberList(title: string, items: string[]): string {
  return `<div class="members-title">${e(title)}</div><ul class="names">${items.map((i) => `<li>${e(i)}</li>`).join("")}</ul>`;
}

function changesSection(c: Changes | null, currency: string): string {
  if (!c)
    return `<h2>What changed</h2><p>This is the first statement: there is no earlier month to compare with.</p>`;
  const lines = c.lines
    .map(
      (l) =>
        `<tr><td>${e(l.name)}</td><td class="num">${l.from}</td><td class="num">${l.to}</td><td class="num">${e(amount(l.effect))}</td></tr>`,
    )
    .join("");
  const members = c.members
    .map((m) => {
      const what = m.change === "moved" ? `moved from ${m.from} to ${m.line}` : `${m.change} (${m.line})`;
      return `<tr><td>${e(memberText(m.member))}</td><td>${e(what)}</td><td>${e(m.date)}</td></tr>`;
    })
    .join("");
  return `<h2>What changed since ${e(monthName(c.previousMonth))}</h2>
${c.lines.length === 0 ? "<p>No line changed.</p>" : `<table class="changes"><thead><tr><th>Line</th><th class="num">Was</th><th class="num">Now</th><th class="num">Effect (${e(currency)})</th></tr></thead><tbody>${lines}</tbody><tfoot><tr><td>Change per month</td><td></td><td></td><td class="num">${e(amount(c.effect))}</td></tr></tfoot></table>`}
${c.members.length === 0 ? "<p>No user or device joined or left.</p>" : `<table class="changes"><thead><tr><th>User or device</th><th>Change</th><th>Date</th></tr></thead><tbody>${members}</tbody></table>`}`;
}

function protectionSection(items: ProtectionItem[]): string {
  if (items.length === 0) return "";
  const rows = items
    .map((p) => {
      const gaps =
        p.gaps.length > 0
          ? `<ul class="names gaps">${p.gaps.map((g) => `<li>${e(memberText(g))}</li>`).join("")}</ul>`
          : "";
      const state = p.gaps.length === 0 ? "ok" : "gap";
      return `<div class="protection ${state}"><div class="line-name">${e(p.name)}: ${p.covered} of ${p.counted} devices protected</div><p>${e(p.why)}</p>${gaps}</div>`;
    })
    .join("");
  return `<h2>Protection</h2>${rows}`;
}

function signature(): string {
  return `<section class="ack"><h2>Acknowledgement</h2><p>${e(ACKNOWLEDGEMENT)}</p>
<div class="sign"><div>Name</div><div>Signature</div><div>Date</div></div></section>`;
}

function css(paper: string): string {
  return `@page { size: ${paper === "Letter" ? "letter" : "A4"}; margin: 16mm; }
body { font-family: "Noto Sans", "Helvetica Neue", Arial, sans-serif; color: #1d2330; margin: 0; background: #f4f5f7; font-size: 14px; }
.statement { max-width: 900px; margin: 24px auto; background: #fff; padding: 32px 40px; }
header { display: flex; justify-content: space-between; gap: 24px; border-bottom: 2px solid #1d3d6e; padding-bottom: 16px; }
.msp { display: flex; gap: 12px; align-items: flex-start; } .logo { max-height: 56px; max-width: 160px; }
.msp-name { font-weight: 700; font-size: 16px; } .doc { text-align: right; } h1 { margin: 0; font-size: 26px; color: #1d3d6e; }
.client { font-weight: 700; font-size: 18px; } h2 { font-size: 17px; color: #1d3d6e; margin: 28px 0 8px; }
.summary { display: flex; justify-content: space-between; align-items: baseline; margin-top: 16px; background: #eef2f8; padding: 12px 16px; }
.big { font-size: 24px; font-weight: 700; }
table { width: 100%; border-collapse: collapse; } th { text-align: left; font-size: 12px; color: #555; border-bottom: 1px solid #bbb; padding: 6px; }
td { padding: 6px; vertical-align: top; } .num { text-align: right; white-space: nowrap; }
tr.line td { border-top: 1px solid #ddd; } tfoot td { border-top: 2px solid #1d2330; font-weight: 700; }
tr { break-inside: avoid; } .line-name { font-weight: 700; } .per, .includes, .note { font-size: 12px; color: #444; }
.members td { padding-top: 0; } .members-title { font-size: 12px; font-weight: 700; margin-top: 4px; color: #444; }
ul.names { columns: 2; margin: 2px 0 6px; padding-left: 18px; font-size: 12px; } ul.names li { break-inside: avoid; }
table.changes td { border-top: 1px solid #eee; }
.protection { padding: 8px 12px; margin-bottom: 8px; border-left: 4px solid #2e7d32; background: #f3f8f3; }
.protection.gap { border-left-color: #c62828; background: #fdf1f1; } .protection p { margin: 4px 0; }
.ack { margin-top: 28px; border: 1px solid #bbb; padding: 12px 16px; break-inside: avoid; }
.sign { display: flex; gap: 24px; margin-top: 28px; } .sign div { flex: 1; border-top: 1px solid #555; padding-top: 4px; font-size: 12px; }
@media print { body { background: #fff; } .statement { margin: 0; padding: 0; max-width: none; } }`;
}
