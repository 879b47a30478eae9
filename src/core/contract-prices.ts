import type { Client, Plan } from "./types.ts";

// A plan's contracted price on a date: a price rise (src/pricing) writes the new `price` with the
// date it applies from (`priceFrom`) and the price before it (`previousPrice`, or none: the
// catalogue's). Before that date the previous price is the contract, from it on the new one.

/** The plan as contracted on `date`: its dated price resolved. */
export function planAt(plan: Plan, date: string): Plan {
  if (plan.priceFrom === undefined) return plan;
  const { priceFrom, previousPrice, ...rest } = plan;
  return date < priceFrom ? { ...rest, price: previousPrice } : { ...rest, price: plan.price };
}

/** The client with every plan's price as contracted on `date`. */
export function clientAt(client: Client, date: string): Client {
  if (!client.plans.some((p) => p.priceFrom !== undefined)) return client;
  return { ...client, plans: client.plans.map((p) => planAt(p, date)) };
}
