import type { SyncEventView, SyncPlanView } from "../store/store.ts";

// Plans and their history for a person at a terminal.

export function planText(plan: SyncPlanView): string {
  const head =
    `Plan ${plan.id} for ${plan.connection}, effective ${plan.effective}` +
    `${plan.includePrices ? ", prices included" : ""}: ${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"}, ` +
    `monthly impact ${plan.monthlyImpact}\n`;
  const left = leftText(plan);
  if (plan.changes.length === 0) return `${head}The PSA already bills what Trueup derived.\n${left}`;
  const rows = plan.changes.map((c) => {
    const ch = c.change;
    const what =
      ch.action === "create"
        ? "new line"
        : ch.action === "choose"
          ? "choose agreement"
          : `line ${ch.line?.id}`;
    const price = ch.toPrice ? ` @ ${ch.fromPrice} -> ${ch.toPrice}` : "";
    return [
      String(c.seq),
      ch.clientName,
      ch.agreementName ?? (ch.candidates ?? []).map((a) => a.name).join(" | "),
      ch.product,
      what,
      `${ch.from} -> ${ch.to}${price}`,
      ch.monthlyImpact,
      `${c.decision}/${c.state}`,
      ch.preApproved ? `${ch.why}; pre-approved: ${ch.preApproved.by} accepted the finding` : ch.why,
    ];
  });
  return (
    head +
    table(["#", "client", "agreement", "product", "line", "quantity", "impact", "status", "why"], rows) +
    left
  );
}

/** The differences a person dismissed: no change was proposed for them, and why. */
function leftText(plan: SyncPlanView): string {
  if (plan.leftAsAgreed.length === 0) return "";
  const rows = plan.leftAsAgreed.map((l) => [
    l.clientName,
    l.product,
    l.lineId ? `line ${l.lineId}` : "",
    l.type,
    `${l.expected ?? "-"} / ${l.actual ?? "-"}`,
    l.monthlyImpact,
    `${l.decidedBy}${l.until ? ` until ${l.until}` : ""}`,
    l.reason,
  ]);
  return `\nLeft as agreed (dismissed, figures unchanged): ${plan.leftAsAgreed.length}\n${table(
    ["client", "product", "line", "finding", "expected / actual", "impact", "dismissed by", "reason"],
    rows,
  )}`;
}

export function historyText(events: readonly SyncEventView[]): string {
  if (events.length === 0) return "No sync yet.\n";
  const rows = events.map((e) => [
    e.at.replace("T", " ").slice(0, 19),
    e.connection,
    `${e.planId}${e.seq !== undefined ? `#${e.seq}` : ""}`,
    e.actor,
    e.kind,
    detail(e),
  ]);
  return table(["at (UTC)", "connection", "plan#change", "by", "event", "details"], rows);
}

function detail(e: SyncEventView): string {
  const d = e.details;
  if (e.kind === "exchange" || e.kind === "no-answer") {
    const body = d.requestBody === undefined ? "" : ` ${JSON.stringify(d.requestBody)}`;
    const answer = d.status !== undefined ? ` -> ${d.status}` : ` -> ${String(d.error ?? "no answer")}`;
    return `${d.method} ${d.path}${body}${answer}`;
  }
  if (typeof d.message === "string" && d.message !== "") return d.message;
  return JSON.stringify(d);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))),
  );
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return c.length > w ? `${c.slice(0, w - 1)}…` : c.padEnd(w);
      })
      .join("  ")
      .trimEnd()}\n`;
  return line(head) + line(widths.map((w) => "-".repeat(w))) + rows.map(line).join("");
}
