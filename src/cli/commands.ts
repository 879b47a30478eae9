import type { Command } from "commander";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

/** Adds one command (its options, help and action) to the program. */
export type DefineCommand = (program: Command, io: Io, run: Runner) => void;

export interface CommandEntry {
  name: string;
  /** How `trueup --help` lists it: the name with `[options]` and its arguments. */
  term: string;
  /** What `trueup --help` lists; a test checks both equal what the command itself gives. */
  summary: string;
  /** Loads the command's module: only the command being run is loaded, so start-up stays short. */
  load(): Promise<DefineCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "reconcile",
    term: "reconcile [options]",
    summary: "Compare what should be billed, licensed and deployed with what is, client by client.",
    load: async () => (await import("./reconcile.ts")).reconcileCommand,
  },
  {
    name: "validate",
    term: "validate [options]",
    summary: "Check a workspace and list every error at once, each with file, line and column or YAML path.",
    load: async () => (await import("./validate.ts")).validateCommand,
  },
  {
    name: "init",
    term: "init <dir>",
    summary: "Create a new workspace: a commented trueup.yaml and one sample file per source kind.",
    load: async () => (await import("./init.ts")).initCommand,
  },
  {
    name: "renewals",
    term: "renewals [options]",
    summary: "Licence surpluses by the date their term lets them be cut, with what each saves a month.",
    load: async () => (await import("./renewals.ts")).renewalsCommand,
  },
  {
    name: "changes",
    term: "changes [options]",
    summary:
      "What moved since last month's report, client by client; changes beyond both thresholds are alerts.",
    load: async () => (await import("./changes.ts")).changesCommand,
  },
  {
    name: "demo",
    term: "demo [options]",
    summary: "Write the demo workspace (a fictional MSP with eight clients) to a folder and reconcile it.",
    load: async () => (await import("./demo.ts")).demoCommand,
  },
  {
    name: "import",
    term: "import [options]",
    summary:
      "Load a workspace into the database: trueup.yaml and a new snapshot of every source, in one " +
      "transaction (nothing is written when anything is wrong).",
    load: async () => (await import("./import.ts")).importCommand,
  },
  {
    name: "export",
    term: "export [options]",
    summary:
      "Write the database back as a workspace: trueup.yaml and the latest snapshot of every source, " +
      "each at its file. Reconciling the folder gives the report the database gives.",
    load: async () => (await import("./export.ts")).exportCommand,
  },
  {
    name: "user",
    term: "user",
    summary: "Manage the app's accounts.",
    load: async () => (await import("./user.ts")).userCommand,
  },
  {
    name: "serve",
    term: "serve [options]",
    summary:
      "Serve the web UI and the API. The data lives in TRUEUP_DATA (default ./.trueup) or DATABASE_URL; " +
      "the first start loads the demo workspace and creates an admin account.",
    load: async () => (await import("./serve.ts")).serveCommand,
  },
  {
    name: "pull",
    term: "pull [options]",
    summary:
      "Read users, devices, agents, licences or billing from the connections' APIs. With --workspace the " +
      "rows go to DIR/pulls/<connection>/ (read by the sources with connection:); without it, into " +
      "the app's database, followed by a reconciliation. A pull that fails keeps the previous one whole.",
    load: async () => (await import("./pull.ts")).pullCommand,
  },
  {
    name: "sync",
    term: "sync",
    summary:
      "Make the PSA bill what Trueup derived: plan the changes, approve them, apply them exactly once.",
    load: async () => (await import("./sync.ts")).syncCommand,
  },
  {
    name: "pricing",
    term: "pricing",
    summary: "Price rises at contract anniversaries: plan them (with notice letters), then apply them.",
    load: async () => (await import("./pricing.ts")).pricingCommand,
  },
  {
    name: "backup",
    term: "backup [options]",
    summary:
      "Write the embedded database (TRUEUP_DATA) to a file, consistent: refused while a server holds the folder (stop it first).",
    load: async () => (await import("./ops.ts")).opsCommands,
  },
  {
    name: "restore",
    term: "restore [options] <file>",
    summary:
      "Replace the embedded database (TRUEUP_DATA) by a backup, upgrading it to this version; the folder replaced is kept beside it.",
    load: async () => (await import("./ops.ts")).opsCommands,
  },
  {
    name: "secrets",
    term: "secrets",
    summary: "Manage the key that encrypts the connection secrets stored in the app.",
    load: async () => (await import("./ops.ts")).opsCommands,
  },
  {
    name: "statement",
    term: "statement [options]",
    summary: "Write one client's statement for a month: each line with the users and devices behind it.",
    load: async () => (await import("./statement.ts")).statementCommand,
  },
  {
    name: "statements",
    term: "statements [options]",
    summary:
      "Write every client's statement into OUT/YYYY-MM/CLIENT.{html,pdf,csv,json}; each is compared with OUT/<previous month>/CLIENT.json when it exists.",
    load: async () => (await import("./statement.ts")).statementCommand,
  },
  {
    name: "evidence",
    term: "evidence [options]",
    summary:
      "Write a client's protection evidence: every device, each protective service's status, gaps and stale devices.",
    load: async () => (await import("./evidence.ts")).evidenceCommand,
  },
  {
    name: "breakdown",
    term: "breakdown [options]",
    summary:
      "Bundle breakdown report: required, billed, purchased and deployed per service, bundle or client.",
    load: async () => (await import("./breakdown.ts")).breakdownCommand,
  },
  {
    name: "margin",
    term: "margin [options]",
    summary:
      "Margin per client, bundle and service: what the PSA bills against what the distributors charge.",
    load: async () => (await import("./margin.ts")).marginCommand,
  },
  {
    name: "whatif",
    term: "whatif [options]",
    summary:
      "What a catalogue change would do, before anything is saved: revenue, cost and margin per client " +
      "before and after, and the PSA lines that would change.",
    load: async () => (await import("./whatif.ts")).whatifCommand,
  },
];

/**
 * The command that `argv` (node, script, args...) runs, if it names one: the first word that is not
 * an option, or the word after `help`.
 */
export function commandOf(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}
