import { describeFinding, type Finding } from "../core/findings.ts";
import { formatMoney, type Money } from "../core/money.ts";
import { type ClientReport, clientImpact, type Report, totals } from "../core/report.ts";

// The report for a person: clients by monthly impact, one line per finding with its evidence.

const EVIDENCE_SHOWN = 4;

function evidenceText(f: Finding): string {
  const shown = f.evidence.slice(0, EVIDENCE_SHOWN).join(", ");
  const more = f.evidence.length - EVIDENCE_SHOWN;
  return more > 0 ? `${shown} (+${more} more)` : shown;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function padLeft(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

function clientBlock(c: ClientReport, currency: string): string[] {
  const t = totals([c]);
  const money = [
    ["under-billed", t.underBilled],
    ["over-billed", t.overBilled],
    ["licence waste", t.licenceWaste],
    ["licence shortfall", t.licenceShortfall],
    ["unmapped", t.unmapped],
  ]
    .filter(([, m]) => !(m as Money).isZero())
    .map(([label, m]) => `${label} ${formatMoney(m as Money)}`);
  const out = [
    `${c.name} (${c.id}): ${money.join(", ") || `no money at stake (${currency})`}` +
      ` | users ${c.counts.billableUsers}, devices ${c.counts.currentDevices}, stale ${c.counts.staleDevices}`,
  ];
  const wType = Math.max(...c.findings.map((f) => f.type.length));
  const wSubject = Math.max(...c.findings.map((f) => f.subject.length));
  const wText = Math.max(...c.findings.map((f) => describeFinding(f).length));
  for (const f of c.findings) {
    const money = f.monthlyImpact.isZero() ? "" : formatMoney(f.monthlyImpact);
    out.push(
      `  ${pad(f.type, wType)}  ${pad(f.subject, wSubject)}  ${pad(describeFinding(f), wText)}  ${padLeft(money, 10)}  ${evidenceText(f)}`.trimEnd(),
    );
  }
  return out;
}

export function reportToTable(r: Report): string {
  const ranked = [...r.clients].sort(
    (a, b) => clientImpact(b).comparedTo(clientImpact(a)) || (a.id < b.id ? -1 : 1),
  );
  const out = [`Trueup reconciliation as of ${r.asOf} (${r.currency}, amounts per month)`, ""];
  const clean: string[] = [];
  for (const c of ranked) {
    if (c.findings.length === 0) clean.push(c.id);
    else out.push(...clientBlock(c, r.currency), "");
  }
  if (clean.length > 0) out.push(`No findings: ${clean.join(", ")}`, "");
  const t = r.totals;
  out.push(
    "Totals",
    `  under-billed       ${padLeft(formatMoney(t.underBilled), 12)}`,
    `  over-billed        ${padLeft(formatMoney(t.overBilled), 12)}`,
    `  licence waste      ${padLeft(formatMoney(t.licenceWaste), 12)}`,
    `  licence shortfall  ${padLeft(formatMoney(t.licenceShortfall), 12)}`,
    `  unmapped           ${padLeft(formatMoney(t.unmapped), 12)}`,
    `  unprotected devices ${padLeft(String(t.coverageGaps), 11)}`,
    `  findings           ${padLeft(String(t.findings), 12)}`,
  );
  return `${out.join("\n")}\n`;
}
