import type { Command } from "commander";
import { Catalogue } from "../core/catalogue.ts";
import { catalogueValues, monthName } from "../core/changes.ts";
import { csvText } from "../core/csv.ts";
import { formatMoney } from "../core/money.ts";
import { licenceTerms, type Renewals, type RenewalWindow, renewals, within } from "../core/renewals.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { formatOf, reconcileWorkspace, usage } from "./workspace-report.ts";

interface Options {
  workspace: string;
  asOf?: string;
  within?: string;
  format?: string;
}

export function renewalsCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("renewals")
    .description("Licence surpluses by the date their term lets them be cut, with what each saves a month.")
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .option("--as-of <date>", "as of this date, YYYY-MM-DD (default: the workspace's asOf, else today UTC)")
    .option("--within <days>", "list the surpluses reducible within this many days", "30")
    .option("--format <format>", "table (default on a terminal), json (default otherwise) or csv")
    .addHelpText(
      "after",
      "\nExample:\n  trueup renewals --workspace examples/demo --within 30 --format table\n",
    )
    .action(run((...args) => runRenewals(io, args[0] as Options)));
}

export async function runRenewals(io: Io, opts: Options): Promise<number> {
  const format = formatOf(io, opts.format);
  if (!format) return usage(io, `--format must be table, json or csv, not "${opts.format}"`);
  const days = Number(opts.within ?? "30");
  if (!/^\d+$/.test(opts.within ?? "30"))
    return usage(io, `--within must be a whole number of days, not "${opts.within}"`);
  const done = await reconcileWorkspace(io, opts.workspace, opts.asOf);
  if (typeof done === "number") return done;
  const { input, report } = done;
  const catalogue = new Catalogue(input.services, input.bundles);
  const r = renewals(
    report,
    input.asOf,
    licenceTerms(input.licences, (v, s) => catalogue.serviceOfSku(v, s)),
  );
  const names = catalogueValues(input.services, input.bundles);
  const nameOf = (w: RenewalWindow) => names(w.clientId, w.subject).name ?? w.subject;
  if (format === "json") io.out(`${JSON.stringify(renewalsJson(r, days, nameOf), null, 2)}\n`);
  else if (format === "csv") io.out(renewalsCsv(r, nameOf));
  else io.out(renewalsTable(r, days, nameOf));
  return 0;
}

type NameOf = (w: RenewalWindow) => string;

function windowJson(w: RenewalWindow, nameOf: NameOf) {
  return { ...w, serviceName: nameOf(w), savingPerMonth: formatMoney(w.savingPerMonth) };
}

export function renewalsJson(r: Renewals, days: number, nameOf: NameOf) {
  return {
    asOf: r.asOf,
    currency: r.currency,
    within: days,
    horizons: r.horizons.map((h) => ({ ...h, savingPerMonth: formatMoney(h.savingPerMonth) })),
    reducible: within(r, days).map((w) => windowJson(w, nameOf)),
    windows: r.windows.map((w) => windowJson(w, nameOf)),
  };
}

const CSV_HEADER = [
  "client",
  "clientName",
  "subject",
  "serviceName",
  "required",
  "purchased",
  "surplus",
  "savingPerMonth",
  "status",
  "opensOn",
  "days",
  "endedOn",
  "termMonths",
];

function renewalsCsv(r: Renewals, nameOf: NameOf): string {
  return csvText(
    CSV_HEADER,
    r.windows.map((w) => [
      w.clientId,
      w.clientName,
      w.subject,
      nameOf(w),
      w.required,
      w.purchased,
      w.surplus,
      formatMoney(w.savingPerMonth),
      w.status,
      w.opensOn,
      w.days,
      w.endedOn,
      w.termMonths,
    ]),
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a person reads of one window: when, who, what, and what cutting it saves. */
export function describeWindow(w: RenewalWindow, nameOf: NameOf): string {
  const what = `${w.clientName}: ${nameOf(w)}, ${plural(w.surplus, "seat")} (${w.purchased} bought, ${w.required} needed), saves ${formatMoney(w.savingPerMonth)} a month`;
  if (w.status === "upcoming") return `${w.opensOn} (in ${plural(w.days ?? 0, "day")})  ${what}`;
  if (w.status === "noTerm") return `any time  ${what}: the source gives no term end`;
  const next =
    w.opensOn === undefined
      ? "the source does not give the term's length: ask the vendor when the next window opens"
      : `next window ${w.opensOn} (a ${w.termMonths}-month term)`;
  return `passed  ${what}: the term ended ${w.endedOn}; ${next}`;
}

export function renewalsTable(r: Renewals, days: number, nameOf: NameOf): string {
  const out = [`Renewal windows as of ${r.asOf} (${r.currency} a month)`];
  for (const h of r.horizons)
    out.push(
      `  next ${h.days} days: ${plural(h.count, "surplus", "surpluses")}, ${formatMoney(h.savingPerMonth)}`,
    );
  const soon = within(r, days);
  out.push("", `Reducible within ${days} days:`);
  out.push(...(soon.length === 0 ? ["  none"] : soon.map((w) => `  ${describeWindow(w, nameOf)}`)));
  out.push("", "Calendar:");
  let month = "";
  for (const w of r.windows.filter((x) => x.opensOn !== undefined)) {
    const m = (w.opensOn as string).slice(0, 7);
    // With the year always: a calendar runs across the new year.
    if (m !== month) out.push(`  ${monthName(`${m}-01`, "")}`);
    month = m;
    out.push(`    ${describeWindow(w, nameOf)}`);
  }
  const rest = r.windows.filter((w) => w.opensOn === undefined);
  if (rest.length > 0) out.push("", "No date known:", ...rest.map((w) => `  ${describeWindow(w, nameOf)}`));
  return `${out.join("\n")}\n`;
}
