import { formatMoney, formatPrice, ZERO } from "../core/money.ts";
import type { Bundle, Client, Plan, Service } from "../core/types.ts";
import { raised, upliftPercent } from "../core/uplift.ts";

// Price rises through the contract (issue 15 item 3): each client with a `contractStart` and an
// `uplift` gets, at its contract's next anniversary, new contracted prices for every plan not
// excluded. Pure: the catalogue, the clients and the reconciled quantities in, the proposal out.
// docs/pricing.md explains each figure.

/** How far ahead an anniversary is proposed (days after the as-of date, inclusive). */
export const DEFAULT_WINDOW_DAYS = 60;

export interface PriceRise {
  /** Index of the plan in the client's `plans:` (where the new price is written). */
  plan: number;
  /** bundle:gold-user, service:archiving */
  subject: string;
  name: string;
  oldPrice: string;
  newPrice: string;
  /** newPrice - oldPrice, per unit. */
  increase: string;
  /** The quantity the latest reconciliation requires (what the client should be billed for). */
  quantity: number;
  /** increase x quantity. */
  monthlyEffect: string;
  /** The date the new price applies from: the anniversary. */
  from: string;
}

export interface ClientRise {
  client: string;
  clientName: string;
  contractStart: string;
  anniversary: string;
  /** The uplift as written, and the percent applied (the lower of percent and cap). */
  percent: string;
  cap?: string;
  capAmount?: string;
  appliedPercent: string;
  rises: PriceRise[];
  excluded: { subject: string; name: string; price: string }[];
  monthlyEffect: string;
}

export interface PricingPlan {
  asOf: string;
  windowDays: number;
  currency: string;
  /** Anniversaries within the window whose rises are not written yet. */
  due: ClientRise[];
  /** Clients with an uplift whose next anniversary is later, or whose rise is written already. */
  later: { client: string; clientName: string; anniversary: string; applied: boolean }[];
  monthlyEffect: string;
}

export interface PricingInput {
  currency: string;
  services: readonly Service[];
  bundles: readonly Bundle[];
  clients: readonly Client[];
  /** The reconciled quantities: report clients' lines (subject -> required). */
  report: {
    clients: readonly { id: string; lines: readonly { subject: string; required: number | null }[] }[];
  };
  asOf: string;
  windowDays?: number;
  /** List a rise written already among the due ones (its notice letter is still wanted). */
  includeApplied?: boolean;
}

const DAY = 86_400_000;

function days(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** The day of `start`'s month and day in `year`; 29 February falls on the 28th in other years. */
function inYear(start: string, year: number): string {
  const [, m, d] = start.split("-");
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === "02" && d === "29" && !leap ? "28" : d;
  return `${String(year).padStart(4, "0")}-${m}-${day}`;
}

/** The first anniversary of `contractStart` on or after `asOf` (never the start itself). */
export function nextAnniversary(contractStart: string, asOf: string): string {
  const startYear = Number(contractStart.slice(0, 4));
  let year = Math.max(Number(asOf.slice(0, 4)), startYear + 1);
  while (inYear(contractStart, year) < asOf) year++;
  return inYear(contractStart, year);
}

const subjectOf = (p: Plan) => (p.kind === "bundle" ? `bundle:${p.bundle}` : `service:${p.service}`);
const idOf = (p: Plan) => (p.kind === "bundle" ? p.bundle : p.service);

export function planPricing(input: PricingInput): PricingPlan {
  const windowDays = input.windowDays ?? DEFAULT_WINDOW_DAYS;
  const due: ClientRise[] = [];
  const later: PricingPlan["later"] = [];
  for (const client of input.clients) {
    if (!client.uplift || !client.contractStart) continue;
    if (client.ended !== undefined && client.ended <= input.asOf) continue;
    const anniversary = nextAnniversary(client.contractStart, input.asOf);
    const applied = client.plans.some((p) => p.priceFrom === anniversary);
    if ((applied && !input.includeApplied) || days(input.asOf, anniversary) > windowDays) {
      later.push({ client: client.id, clientName: client.name, anniversary, applied });
      continue;
    }
    due.push(clientRise(input, client, client.contractStart, anniversary));
  }
  const total = due.reduce((t, c) => t.plus(c.monthlyEffect), ZERO);
  return {
    asOf: input.asOf,
    windowDays,
    currency: input.currency,
    due,
    later,
    monthlyEffect: formatMoney(total),
  };
}

function clientRise(
  input: PricingInput,
  client: Client,
  contractStart: string,
  anniversary: string,
): ClientRise {
  const uplift = client.uplift as NonNullable<Client["uplift"]>;
  const percent = upliftPercent(uplift);
  const lines = input.report.clients.find((c) => c.id === client.id)?.lines ?? [];
  const rises: PriceRise[] = [];
  const excluded: ClientRise["excluded"] = [];
  for (const [index, plan] of client.plans.entries()) {
    const item =
      plan.kind === "bundle"
        ? input.bundles.find((b) => b.id === plan.bundle)
        : input.services.find((s) => s.id === plan.service);
    if (!item) continue;
    // The price in force on the anniversary's eve: the one the rise starts from.
    const old =
      plan.priceFrom !== undefined && plan.priceFrom >= anniversary ? plan.previousPrice : plan.price;
    const oldPrice = old ?? item.price;
    const subject = subjectOf(plan);
    if (uplift.exclude.includes(idOf(plan))) {
      excluded.push({ subject, name: item.name, price: formatPrice(oldPrice) });
      continue;
    }
    const newPrice = raised(oldPrice, percent, uplift.capAmount);
    const quantity = lines.find((l) => l.subject === subject)?.required ?? 0;
    const increase = newPrice.minus(oldPrice);
    rises.push({
      plan: index,
      subject,
      name: item.name,
      oldPrice: formatPrice(oldPrice),
      newPrice: formatPrice(newPrice),
      increase: formatPrice(increase),
      quantity,
      monthlyEffect: formatMoney(increase.times(quantity)),
      from: anniversary,
    });
  }
  const total = rises.reduce((t, r) => t.plus(r.monthlyEffect), ZERO);
  const rise: ClientRise = {
    client: client.id,
    clientName: client.name,
    contractStart,
    anniversary,
    percent: uplift.percent.toString(),
    appliedPercent: percent.toString(),
    rises,
    excluded,
    monthlyEffect: formatMoney(total),
  };
  if (uplift.cap) rise.cap = uplift.cap.toString();
  if (uplift.capAmount) rise.capAmount = formatPrice(uplift.capAmount);
  return rise;
}
