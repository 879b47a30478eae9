import type { AccountIndex } from "../core/accounts.ts";
import { listed } from "../core/listing.ts";
import type { Owner } from "../core/types.ts";
import { DATE_FORMATS, type DateOrder, FileDates } from "../formats/dates.ts";
import type { Fields } from "../formats/fields.ts";
import type { Format, Kind, RowContext, RowsByKind } from "../formats/format.ts";
import type { SourceConfig } from "./config.ts";
import { CsvError, type CsvRecord, type CsvRecords } from "./csv.ts";
import { openHeader } from "./header.ts";
import type { Issue } from "./issues.ts";

// One source's records -> core rows through its format (the header read by header.ts), every problem
// an issue with its file and line; rows left out are counted by reason for validate's summary.

export type SourceRows = { [K in Kind]: RowsByKind[K][] };

/** The system a source's accounts are ids in (spec 2). */
export function accountSystem(source: SourceConfig): string {
  switch (source.kind) {
    case "users":
      return source.vendor ?? "microsoft";
    case "devices":
      return "rmm";
    case "deployments":
      return source.deployment ?? "";
    case "licences":
      return source.vendor ?? "";
    case "billing":
      return "psa";
  }
}

/** Rows that wait for the account the rest of their file names (RowContext.fileOwner). */
const PENDING: Owner = Object.freeze({ account: "", system: "" });

const ownerKey = (o: Owner) =>
  "client" in o ? `client:${o.client}` : `${o.system}:${o.account.toLowerCase()}`;

class Owners {
  /** The owners the file's rows named, by key. */
  readonly named = new Map<string, Owner>();
  pendingWhy?: { column: string; why: string };

  constructor(
    private readonly source: SourceConfig,
    private readonly accounts: AccountIndex,
  ) {}

  context(ctx: Omit<RowContext, "owner" | "ownerOf" | "fileOwner">): RowContext {
    const system = accountSystem(this.source);
    const fixed = this.source.client;
    return {
      ...ctx,
      owner: (f) => {
        if (fixed !== undefined) return { client: fixed };
        const account = f.required("account");
        return account === undefined ? undefined : this.accounts.owner(system, account);
      },
      ownerOf: (f, column, candidates) => {
        if (fixed !== undefined) return { client: fixed };
        const given = candidates.map((c) => c.trim()).filter((c) => c !== "");
        if (given.length === 0) return f.error(column, "is empty; the account is required");
        const client = given.map((c) => this.accounts.clientFor(system, c)).find((c) => c !== undefined);
        const owner: Owner = client !== undefined ? { client } : { account: given[0] as string, system };
        this.named.set(ownerKey(owner), owner);
        return owner;
      },
      fileOwner: (_f, column, why) => {
        if (fixed !== undefined) return { client: fixed };
        this.pendingWhy ??= { column, why };
        return PENDING;
      },
    };
  }

  /** The owner of the file's pending rows, or an error message saying why there is none. */
  settle(): Owner | string {
    const named = [...this.named.values()];
    if (named.length === 1) return named[0] as Owner;
    const which =
      named.length === 0
        ? "no other row names one either"
        : `the file's rows name several (${listed(named.map((o) => ("client" in o ? o.client : o.account)))})`;
    return `${this.pendingWhy?.why ?? "names no account"}, and ${which}: set client: on sources[${this.source.index}] to say whose file this is`;
  }
}

/** What validate prints of one source: rows read, rows left out by reason, the date order used. */
export interface SourceSummary {
  index: number;
  file: string;
  format: string;
  read: number;
  skipped: Record<string, number>;
  dates: string;
}

/** The source's stated date order (its own dateFormat, else the workspace's). */
function statedOrder(source: SourceConfig, format: Format<Kind>, workspaceOrder?: DateOrder) {
  if (source.dateFormat !== undefined)
    return { order: source.dateFormat, by: `sources[${source.index}].dateFormat` };
  if (format.dateOrder !== undefined) return { order: format.dateOrder, by: `the ${format.name} format` };
  return workspaceOrder === undefined ? undefined : { order: workspaceOrder, by: "dateFormat (workspace)" };
}

export interface ReadOptions {
  dateFormat?: DateOrder;
  skuNames?: ReadonlyMap<string, string>;
  summaries?: SourceSummary[];
  /**
   * Line numbers as text, shared by the sources of one load: the refs of line 17 of every file
   * share one "17" (a ref is its file's prefix and this text).
   */
  lineTexts?: string[];
}

export async function readSource(
  records: AsyncIterable<CsvRecord> | CsvRecords,
  source: SourceConfig,
  format: Format<Kind>,
  accounts: AccountIndex,
  rows: SourceRows,
  issues: Issue[],
  namedAt: () => string,
  options: ReadOptions = {},
): Promise<void> {
  const file = source.file;
  const owners = new Owners(source, accounts);
  const summary: SourceSummary = {
    index: source.index,
    file,
    format: source.format,
    read: 0,
    skipped: {},
    dates: "no dates read",
  };
  options.summaries?.push(summary);
  let skipReason: string | undefined;
  const ctx = owners.context({
    ref: "",
    vendor: source.vendor,
    deployment: source.deployment,
    skuNames: options.skuNames,
    skip: (reason) => {
      skipReason = reason;
      return undefined;
    },
  });
  const read = rows[source.kind] as RowsByKind[Kind][];
  const start = read.length;
  const pending: RowsByKind[Kind][] = [];
  // Rows whose dates read both ways, held until a later date settles the file's order.
  const held: { fields: string[]; line: number }[] = [];
  let fields: Fields | undefined;
  let width = 0;
  const prefix = `${file}:`;
  const lineTexts = options.lineTexts ?? [];
  const take = (f: Fields, values: string[], line: number): void => {
    f.reset(values, line);
    if (values.length !== width) {
      f.error("", `has ${values.length} values but the header has ${width} columns`);
      return;
    }
    let lineText = lineTexts[line];
    if (lineText === undefined) {
      lineText = String(line);
      lineTexts[line] = lineText;
    }
    ctx.ref = prefix + lineText;
    const mark = issues.length;
    skipReason = undefined;
    f.dates.undecided = false;
    const row = format.row(f, ctx);
    if (f.dates.undecided) {
      issues.length = mark;
      held.push({ fields: [...values], line });
      return;
    }
    const ok = f.ok;
    const reason = skipReason;
    // This row settled the order: the rows held before it are read again, in file order.
    if (held.length > 0) for (const h of held.splice(0)) take(f, h.fields, h.line);
    if (row && ok) (row.owner === PENDING ? pending : read).push(row);
    else if (!row && ok && reason !== undefined) summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
  };
  try {
    for await (const batch of batchesOf(records)) {
      for (const record of batch) {
        if (!fields) {
          fields = openHeader(record, format, source, issues);
          if (!fields) return;
          fields.dates = new FileDates(statedOrder(source, format, options.dateFormat));
          fields.vendorDates = !format.name.startsWith("trueup-") || source.columns !== undefined;
          // Excel writes `;` files where the decimal separator is a comma (most of Europe).
          fields.decimalComma = record.delimiter === ";";
          width = record.fields.length;
          continue;
        }
        take(fields, record.fields, record.line);
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const message =
      e.message !== "file not found"
        ? e.message
        : source.connection !== undefined
          ? `connection ${source.connection} has not been pulled into this workspace yet (run: trueup pull --workspace DIR --connection ${source.connection})`
          : `file not found (named by sources[${source.index}].file at ${namedAt()})`;
    issues.push({ severity: "error", file, line: e.line, message });
    return;
  }
  if (fields) {
    if (held.length > 0) unsettledDates(fields.dates, source, held.length, issues);
    summary.dates = fields.dates.describe();
  }
  finishSource(format, owners, read, start, pending, issues, summary);
}

/** Records in batches: the CSV reader's own (csv.ts), else one by one. */
async function* batchesOf(records: AsyncIterable<CsvRecord> | CsvRecords): AsyncIterable<CsvRecord[]> {
  if ("batches" in records) {
    yield* records.batches();
    return;
  }
  for await (const r of records) yield [r];
}

/** The rows held back because nothing settled the order of their dates: one error, naming the setting. */
function unsettledDates(dates: FileDates, source: SourceConfig, rows: number, issues: Issue[]): void {
  const s = dates.sample;
  if (!s) return;
  const [a, b] = s.value.split(/[/-]/);
  const more = rows > 1 ? ` (${rows} rows like it)` : "";
  issues.push({
    severity: "error",
    file: source.file,
    line: s.line,
    field: s.column,
    message: `"${s.value}" reads both ways (month ${a}, day ${b}, or day ${a}, month ${b}) and no date in the file settles the order${more}: set dateFormat: ${DATE_FORMATS} on sources[${source.index}], or dateFormat: at the top of trueup.yaml for every source`,
  });
}

/** Gives pending rows the file's owner, then runs the format's checks over the file's rows. */
function finishSource(
  format: Format<Kind>,
  owners: Owners,
  read: RowsByKind[Kind][],
  start: number,
  pending: RowsByKind[Kind][],
  issues: Issue[],
  summary: SourceSummary,
): void {
  const first = pending[0];
  if (first) {
    const owner = owners.settle();
    if (typeof owner === "string") {
      const [file, line] = splitRef(first.ref);
      const more = pending.length > 1 ? ` (and ${pending.length - 1} more rows like it)` : "";
      issues.push({ severity: "error", file, line, field: owners.pendingWhy?.column, message: owner + more });
    } else {
      for (const row of pending) read.push({ ...row, owner });
    }
  }
  if (format.combine) {
    const kept = format.combine(read.slice(start) as never, (_row, reason) => {
      summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
    });
    read.splice(start, read.length - start, ...kept);
  }
  summary.read = read.length - start;
  format.finish?.(read.slice(start) as never, (ref, field, message) => {
    const [file, line] = splitRef(ref);
    issues.push({ severity: "error", file, line, field, message });
  });
}

export function splitRef(ref: string): [string, number] {
  const i = ref.lastIndexOf(":");
  return [ref.slice(0, i), Number(ref.slice(i + 1))];
}
