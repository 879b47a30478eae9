import type { AccountIndex } from "../core/accounts.ts";
import { listed } from "../core/listing.ts";
import type { Owner } from "../core/types.ts";
import { type Column, Fields, headerKey, type ValueTables } from "../formats/fields.ts";
import type { Format, Kind, RowContext, RowsByKind } from "../formats/format.ts";
import type { SourceConfig } from "./config.ts";
import { CsvError, type CsvRecord } from "./csv.ts";
import type { Issue } from "./issues.ts";

// One source's records -> core rows through its format: the header matched to the format's columns
// (or to the source's `columns:`), each value through the source's `values:`, every problem an issue
// with its file and line.

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

/**
 * Column positions by field. A field mapped by the source's `columns:` is read from that header
 * only; others from their name or an alias. Names compare as headerKey does ("Last Seen" = lastSeen).
 */
export function headerIndex(
  header: readonly string[],
  columns: readonly Column[],
  mapped: Readonly<Record<string, string>> = {},
): Map<string, number> {
  const byKey = new Map<string, number>();
  header.forEach((name, i) => {
    const key = headerKey(name.trim());
    if (!byKey.has(key)) byKey.set(key, i);
  });
  const index = new Map<string, number>();
  for (const c of columns) {
    const names = mapped[c.name] !== undefined ? [mapped[c.name] as string] : [c.name, ...(c.aliases ?? [])];
    for (const n of names) {
      const i = byKey.get(headerKey(n.trim()));
      if (i === undefined) continue;
      index.set(c.name, i);
      break;
    }
  }
  return index;
}

/** The problems of a header: mapped headers it lacks, required columns it lacks. */
function headerIssues(
  header: readonly string[],
  index: ReadonlyMap<string, number>,
  format: Format<Kind>,
  source: SourceConfig,
): { field: string; message: string }[] {
  const has = `(the header has: ${listed(header)})`;
  const out: { field: string; message: string }[] = [];
  for (const [field, name] of Object.entries(source.columns ?? {})) {
    if (!index.has(field))
      out.push({
        field,
        message: `missing column "${name}" (sources[${source.index}].columns.${field}) ${has}`,
      });
  }
  for (const c of format.columns) {
    const fixed = c.name === "account" && source.client !== undefined;
    if (c.required && !index.has(c.name) && !fixed && source.columns?.[c.name] === undefined)
      out.push({ field: c.name, message: `missing required column "${c.name}" ${has}` });
  }
  for (const group of format.anyOf ?? []) {
    if (!group.some((c) => index.has(c)))
      out.push({
        field: group[0] as string,
        message: `missing a column: one of "${group.join('", "')}" ${has}`,
      });
  }
  return out;
}

/** The reader of a file's records once its header is checked; undefined (and issues) when it lacks columns. */
function openHeader(
  header: CsvRecord,
  format: Format<Kind>,
  source: SourceConfig,
  issues: Issue[],
): Fields | undefined {
  const index = headerIndex(header.fields, format.columns, source.columns);
  const problems = headerIssues(header.fields, index, format, source);
  for (const p of problems) issues.push({ severity: "error", file: source.file, line: header.line, ...p });
  return problems.length > 0 ? undefined : new Fields(source.file, index, issues, valueTables(source));
}

function valueTables(source: SourceConfig): ValueTables | undefined {
  if (!source.values) return undefined;
  const tables = new Map<string, Map<string, string>>();
  for (const [field, table] of Object.entries(source.values)) {
    tables.set(
      field,
      new Map(Object.entries(table).map(([theirs, ours]) => [theirs.trim().toLowerCase(), ours.trim()])),
    );
  }
  return tables;
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

export async function readSource(
  records: AsyncIterable<CsvRecord>,
  source: SourceConfig,
  format: Format<Kind>,
  accounts: AccountIndex,
  rows: SourceRows,
  issues: Issue[],
  namedAt: string,
): Promise<void> {
  const file = source.file;
  const owners = new Owners(source, accounts);
  const ctx = owners.context({ ref: "", vendor: source.vendor, deployment: source.deployment });
  const read = rows[source.kind] as RowsByKind[Kind][];
  const start = read.length;
  const pending: RowsByKind[Kind][] = [];
  let fields: Fields | undefined;
  let width = 0;
  try {
    for await (const record of records) {
      if (!fields) {
        fields = openHeader(record, format, source, issues);
        if (!fields) return;
        width = record.fields.length;
        continue;
      }
      fields.reset(record.fields, record.line);
      if (record.fields.length !== width) {
        fields.error("", `has ${record.fields.length} values but the header has ${width} columns`);
        continue;
      }
      ctx.ref = `${file}:${record.line}`;
      const row = format.row(fields, ctx);
      if (row && fields.ok) (row.owner === PENDING ? pending : read).push(row);
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const message =
      e.message !== "file not found"
        ? e.message
        : source.connection !== undefined
          ? `connection ${source.connection} has not been pulled into this workspace yet (run: trueup pull --workspace DIR --connection ${source.connection})`
          : `file not found (named by sources[${source.index}].file at ${namedAt})`;
    issues.push({ severity: "error", file, line: e.line, message });
    return;
  }
  finishSource(format, owners, read, start, pending, issues);
}

/** Gives pending rows the file's owner, then runs the format's checks over the file's rows. */
function finishSource(
  format: Format<Kind>,
  owners: Owners,
  read: RowsByKind[Kind][],
  start: number,
  pending: RowsByKind[Kind][],
  issues: Issue[],
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
  format.finish?.(read.slice(start) as never, (ref, field, message) => {
    const [file, line] = splitRef(ref);
    issues.push({ severity: "error", file, line, field, message });
  });
}

export function splitRef(ref: string): [string, number] {
  const i = ref.lastIndexOf(":");
  return [ref.slice(0, i), Number(ref.slice(i + 1))];
}
