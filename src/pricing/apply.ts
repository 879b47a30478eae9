import { isMap, isSeq, parseDocument, Scalar } from "yaml";
import type { ClientRise } from "./plan.ts";

// An approved price rise becomes the contract: in trueup.yaml, each raised plan gets the new `price`,
// the date it applies from (`priceFrom`) and the price before it (`previousPrice`), so that a
// reconciliation before that date still checks the old price (core/contract-prices.ts) and a PSA
// sync effective on or after it writes the new one. Comments and layout elsewhere are kept.

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_SINGLE;
  return s;
}

/** trueup.yaml text with the rises written; throws when a client or plan is not where the plan saw it. */
export function applyRises(text: string, rises: readonly ClientRise[]): string {
  const doc = parseDocument(text);
  const clients = doc.get("clients", true);
  if (!isSeq(clients)) throw new Error("trueup.yaml has no clients: list");
  for (const rise of rises) {
    const index = clients.items.findIndex((c) => isMap(c) && c.get("id") === rise.client);
    if (index < 0) throw new Error(`client ${rise.client} is no longer in trueup.yaml: plan again`);
    for (const r of rise.rises) {
      const path = ["clients", index, "plans", r.plan];
      const plan = doc.getIn(path, true);
      const [kind, id] = r.subject.split(":");
      if (!isMap(plan) || String(plan.get(kind ?? "")) !== id)
        throw new Error(`client ${rise.client}'s plan ${r.plan + 1} is no longer ${r.subject}: plan again`);
      doc.setIn([...path, "price"], quoted(r.newPrice));
      doc.setIn([...path, "priceFrom"], quoted(r.from));
      doc.setIn([...path, "previousPrice"], quoted(r.oldPrice));
    }
  }
  return doc.toString({ lineWidth: 0 });
}
