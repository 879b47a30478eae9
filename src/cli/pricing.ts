import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { reconcile } from "../core/reconcile.ts";
import { reportToJson } from "../core/report.ts";
import { applyRises } from "../pricing/apply.ts";
import { noticeLetter } from "../pricing/letter.ts";
import { noticeLetterPdf } from "../pricing/letter-pdf.ts";
import { DEFAULT_WINDOW_DAYS, type PricingPlan, planPricing } from "../pricing/plan.ts";
import type { Msp } from "../workspace/msp.ts";
import { loadDocuments, usage } from "./documents.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

// trueup pricing plan | apply: the price rises due at each client's contract anniversary
// (docs/pricing.md). `plan` shows them and writes a notice letter per client; `apply --yes` writes
// the new prices, with the date they apply from, into trueup.yaml; `trueup sync plan
// --include-prices --effective DATE` then carries them to the PSA's lines.

interface Options {
  workspace: string;
  asOf?: string;
  window?: string;
  format?: string;
  out?: string;
  yes?: boolean;
}

export function pricingCommand(program: Command, io: Io, run: Runner): void {
  const pricing = program
    .command("pricing")
    .description("Price rises at contract anniversaries: plan them (with notice letters), then apply them.");
  const common = (c: Command) =>
    c
      .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
      .option("--as-of <date>", "as of this date, YYYY-MM-DD (default: the workspace's asOf, else today)")
      .option("--window <days>", "anniversaries up to this many days ahead", String(DEFAULT_WINDOW_DAYS));
  common(pricing.command("plan"))
    .description("The new contracted prices due by each client's next anniversary, and a notice letter each.")
    .option("--format <format>", "table or json", "table")
    .option("--out <dir>", "folder for the notice letters (default: WORKSPACE/pricing)")
    .addHelpText("after", "\nExample:\n  trueup pricing plan --workspace examples/demo --as-of 2026-11-01\n")
    .action(run((opts) => runPricingPlan(io, opts as Options)));
  common(pricing.command("apply"))
    .description("Write the due rises into trueup.yaml (price, priceFrom, previousPrice of each plan).")
    .option("--yes", "write them (without it, the rises are only shown)")
    .action(run((opts) => runPricingApply(io, opts as Options)));
}

async function planOf(
  io: Io,
  opts: Options,
): Promise<{ plan: PricingPlan; msp?: Msp; logo?: Buffer } | number> {
  const windowDays = Number(opts.window ?? DEFAULT_WINDOW_DAYS);
  if (!Number.isInteger(windowDays) || windowDays < 0)
    return usage(io, `--window must be a whole number of days, not "${opts.window}"`);
  const docs = await loadDocuments(io, opts);
  if (typeof docs === "number") return docs;
  const { config, input } = docs;
  const plan = planPricing({
    currency: config.currency,
    services: config.services,
    bundles: config.bundles,
    clients: config.clients,
    report: reportToJson(reconcile(input)) as unknown as Parameters<typeof planPricing>[0]["report"],
    asOf: input.asOf,
    windowDays,
  });
  return { plan, msp: config.msp, ...(docs.logo ? { logo: docs.logo.bytes } : {}) };
}

export function pricingText(plan: PricingPlan): string {
  const out: string[] = [];
  for (const c of plan.due) {
    out.push(
      `${c.clientName} (${c.client}): from ${c.anniversary}, +${c.appliedPercent} % ` +
        `(uplift ${c.percent} %${c.cap ? `, cap ${c.cap} %` : ""}${c.capAmount ? `, at most ${c.capAmount} a unit` : ""})`,
    );
    for (const r of c.rises)
      out.push(
        `  ${r.name.padEnd(36)} ${r.oldPrice.padStart(9)} -> ${r.newPrice.padStart(9)}  x ${String(r.quantity).padStart(4)}  ` +
          `+${r.monthlyEffect} ${plan.currency}/month`,
      );
    for (const x of c.excluded)
      out.push(`  ${x.name.padEnd(36)} ${x.price.padStart(9)} unchanged (excluded)`);
    out.push(`  monthly effect: +${c.monthlyEffect} ${plan.currency}`);
  }
  if (plan.due.length === 0) out.push(`No price rise due within ${plan.windowDays} days of ${plan.asOf}.`);
  for (const l of plan.later)
    out.push(
      `${l.clientName}: ${l.applied ? `rise from ${l.anniversary} already written` : `next anniversary ${l.anniversary}`}`,
    );
  if (plan.due.length > 0) out.push(`Total monthly effect: +${plan.monthlyEffect} ${plan.currency}`);
  return `${out.join("\n")}\n`;
}

export async function runPricingPlan(io: Io, opts: Options): Promise<number> {
  const format = opts.format ?? "table";
  if (format !== "table" && format !== "json")
    return usage(io, `--format must be table or json, not "${format}"`);
  const planned = await planOf(io, opts);
  if (typeof planned === "number") return planned;
  const { plan, msp, logo } = planned;
  const dir = opts.out ?? join(opts.workspace, "pricing");
  if (plan.due.length > 0) await mkdir(dir, { recursive: true });
  for (const c of plan.due) {
    const file = join(dir, `${c.client}-${c.anniversary}`);
    const words = { msp, currency: plan.currency, date: plan.asOf };
    await writeFile(`${file}.html`, noticeLetter(c, words));
    await writeFile(`${file}.pdf`, await noticeLetterPdf(c, words, logo));
    io.err(`Notice letter for ${c.clientName}: ${file}.pdf (and .html)\n`);
  }
  io.out(format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : pricingText(plan));
  return 0;
}

export async function runPricingApply(io: Io, opts: Options): Promise<number> {
  const planned = await planOf(io, opts);
  if (typeof planned === "number") return planned;
  const { plan } = planned;
  if (plan.due.length === 0) {
    io.out(pricingText(plan));
    return 0;
  }
  if (!opts.yes) {
    io.out(pricingText(plan));
    return usage(io, "nothing written: add --yes to write these prices into trueup.yaml");
  }
  const file = join(opts.workspace, "trueup.yaml");
  await writeFile(file, applyRises(await readFile(file, "utf8"), plan.due));
  const from = [...new Set(plan.due.map((c) => c.anniversary))].sort();
  io.out(
    `Wrote the new prices of ${plan.due.map((c) => c.clientName).join(", ")} into ${file}.\n` +
      `Carry them to the PSA with: trueup sync plan --workspace ${opts.workspace} --connection NAME ` +
      `--include-prices --effective ${from[0]}\n`,
  );
  return 0;
}
