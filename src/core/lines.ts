import type { BillingResult } from "./billing.ts";
import type { Line } from "./report.ts";
import type { Requirements } from "./requirements.ts";

// The four figures side by side (required, billed, purchased, deployed) for every billed subject
// and every service the client requires or is billed, bought or deployed for. A figure no source
// gives is null, never zero.

export function linesOf(
  req: Requirements,
  billing: BillingResult | undefined,
  purchased: ReadonlyMap<string, number>,
  deployed: ReadonlyMap<string, number>,
): Line[] {
  const lines = new Map<string, Line>();
  const line = (subject: string): Line => {
    let l = lines.get(subject);
    if (!l) {
      l = { subject, required: null, billed: null, purchased: null, deployed: null, price: null };
      lines.set(subject, l);
    }
    return l;
  };

  for (const [id, need] of req.services) line(`service:${id}`).required = need.required;
  for (const b of req.billed.values()) {
    const l = line(b.subject);
    l.required = b.required;
    l.price = b.price;
  }
  for (const [subject, price] of billing?.stray ?? []) line(subject).price = price;
  for (const [subject, qty] of billing?.billed ?? []) line(subject).billed = qty;
  for (const [id, qty] of purchased) line(`service:${id}`).purchased = qty;
  // Deployed never makes a line: a service the client neither requires nor is billed or bought for
  // has none, whatever its console shows (those agents are UNKNOWN_AGENT findings).
  for (const [id, n] of deployed) {
    const l = lines.get(`service:${id}`);
    if (l) l.deployed = n;
  }
  return [...lines.values()];
}
