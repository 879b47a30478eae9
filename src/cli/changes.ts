import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import {
  type Change,
  type Changes,
  catalogueValues,
  changesToJson,
  DEFAULT_THRESHOLDS,
  describeChange,
  monthName,
  monthOverMonth,
} from "../core/changes.ts";
import { csvText } from "../core/csv.ts";
import { formatMoney } from "../core/money.ts";
import type { JsonReport } from "../core/report-json.ts";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";
import { formatOf, reconcileWorkspace, usage } from "./workspace-report.ts";

interface Options {
  workspace: string;
  asOf?: string;
  since?: string;
  all?: boolean;
  format?: string;
}

/** Where a workspace keeps earlier months: history/YYYY-MM/, each a whole workspace of that month. */
export const HISTORY = "history";
const MONTH_DIR = /^\d{4}-(0[1-9]|1[0-2])$/;

export function changesCommand(program: Command, io: Io, run: Runner): void {
  program
    .command("changes")
    .description(
      "What moved since last month's report, client by client; changes beyond both thresholds are alerts.",
    )
    .requiredOption("-w, --workspace <dir>", "workspace folder (holds trueup.yaml)")
    .option("--as-of <date>", "as of this date, YYYY-MM-DD (default: the workspace's asOf, else today UTC)")
    .option(
      "--since <report.json>",
      "compare with this report (`trueup reconcile --format json`); default: the workspace's latest " +
        "history/YYYY-MM/ folder of an earlier month",
    )
    .option("--all", "list the changes below the thresholds too")
    .option("--format <format>", "table (default on a terminal), json (default otherwise) or csv")
    .addHelpText("after", "\nExample:\n  trueup changes --workspace examples/demo --format table\n")
    .action(run((...args) => runChanges(io, args[0] as Options)));
}

export async function runChanges(io: Io, opts: Options): Promise<number> {
  const format = formatOf(io, opts.format);
  if (!format) return usage(io, `--format must be table, json or csv, not "${opts.format}"`);
  const now = await reconcileWorkspace(io, opts.workspace, opts.asOf);
  if (typeof now === "number") return now;
  const before = await earlier(io, opts, now.report.asOf);
  if (typeof before === "number") return before;
  const { rules, services, bundles } = now.input;
  const thresholds = {
    amount: rules.changeAmount ?? DEFAULT_THRESHOLDS.amount,
    percent: rules.changePercent ?? DEFAULT_THRESHOLDS.percent,
  };
  const c = monthOverMonth(before, now.report, thresholds, catalogueValues(services, bundles));
  if (format === "json") io.out(`${JSON.stringify(changesToJson(c), null, 2)}\n`);
  else if (format === "csv") io.out(changesCsv(c));
  else io.out(changesTable(c, opts.all === true));
  return 0;
}

/** The report to compare with: --since, else the workspace's latest history month before asOf's. */
async function earlier(io: Io, opts: Options, asOf: string): Promise<JsonReport | number> {
  if (opts.since !== undefined) {
    let text: string;
    try {
      text = await readFile(opts.since, "utf8");
    } catch {
      return usage(io, `cannot read ${opts.since}`);
    }
    try {
      const r = JSON.parse(text) as JsonReport;
      if (typeof r.asOf === "string" && Array.isArray(r.clients)) return r;
    } catch {}
    return usage(io, `${opts.since} is not a report (trueup reconcile --format json)`);
  }
  const dir = join(opts.workspace, HISTORY);
  const months = (await readdir(dir).catch(() => [] as string[]))
    .filter((m) => MONTH_DIR.test(m) && m < asOf.slice(0, 7))
    .sort();
  const month = months.at(-1);
  if (month === undefined)
    return usage(
      io,
      `no earlier report: pass --since REPORT.json, or keep last month's workspace in ${join(dir, "YYYY-MM")}/`,
    );
  const done = await reconcileWorkspace(io, join(dir, month), undefined);
  return typeof done === "number" ? done : done.report;
}

const CSV_HEADER = [
  "alert",
  "client",
  "clientName",
  "subject",
  "subjectName",
  "figure",
  "before",
  "after",
  "delta",
  "percent",
  "money",
];

function changesCsv(c: Changes): string {
  return csvText(
    CSV_HEADER,
    c.changes.map((x) => [
      x.alert ? "yes" : "no",
      x.clientId,
      x.clientName,
      x.subject,
      x.subjectName,
      x.figure,
      x.before,
      x.after,
      x.delta,
      x.percent?.toString(),
      formatMoney(x.money),
    ]),
  );
}

export function changesTable(c: Changes, all: boolean): string {
  const t = c.thresholds;
  const out = [
    `Changes since ${monthName(c.since, c.asOf)} (${c.since} to ${c.asOf}, ${c.currency} a month)`,
    `Alerts: at least ${formatMoney(t.amount)} and ${t.percent.toString()} % (rules.changeAmount, rules.changePercent)`,
  ];
  const line = (x: Change) => `  ${formatMoney(x.money).padStart(10)}  ${describeChange(x, c.since, c.asOf)}`;
  out.push(...(c.alerts.length === 0 ? ["  none"] : c.alerts.map(line)));
  const below = c.changes.filter((x) => !x.alert);
  if (all && below.length > 0) out.push("", "Below the thresholds:", ...below.map(line));
  else if (below.length > 0)
    out.push("", `${below.length} smaller change${below.length === 1 ? "" : "s"} (--all lists them)`);
  return `${out.join("\n")}\n`;
}
