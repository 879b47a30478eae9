import { sql } from "kysely";
import { parseDocument } from "yaml";
import type { SandboxBook, SandboxLine } from "../connectors/types.ts";
import type { CsvRecord } from "../workspace/csv.ts";
import { writeAudit } from "./audit.ts";
import { currentConfig, storedYaml } from "./catalogue.ts";
import type { Context, Executor } from "./context.ts";
import { StoreError } from "./errors.ts";
import { latestImports, storedRecords } from "./import-rows.ts";
import type { Actor, Store } from "./store.ts";

// The sandbox PSA's lines (connectors/sandbox): kept in this database, per connection name. Setting
// one up copies the billing source's latest import (the demo's psa.csv) as the PSA's agreements and
// lines, and makes the billing source read the sandbox connection instead of the file; a reset puts
// every line back as it was set up and removes the lines the sync created.

type SandboxRepo = Pick<Store, "sandboxBook" | "setupSandbox" | "resetSandbox">;

const SEED_START = "2026-01-01";

function toLine(r: {
  id: number;
  account: string;
  agreement: string;
  product: string;
  description: string;
  quantity: string;
  unit_price: string;
  start_date: string;
}): SandboxLine {
  return {
    id: `SBX-${r.id}`,
    account: r.account,
    agreement: r.agreement,
    product: r.product,
    description: r.description,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    startDate: r.start_date,
  };
}

function rowId(id: string): number | undefined {
  const m = /^SBX-(\d{1,9})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

function book(ctx: Context): SandboxBook {
  return {
    async lines(connection) {
      const rows = await ctx.db
        .selectFrom("sandbox_lines")
        .selectAll()
        .where("connection", "=", connection)
        .orderBy("id")
        .execute();
      return rows.map(toLine);
    },
    async update(connection, id, quantity, unitPrice) {
      const n = rowId(id);
      if (n === undefined) return false;
      const r = await ctx.db
        .updateTable("sandbox_lines")
        .set(unitPrice === undefined ? { quantity } : { quantity, unit_price: unitPrice })
        .where("connection", "=", connection)
        .where("id", "=", n)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async insert(connection, line) {
      const row = await ctx.db
        .insertInto("sandbox_lines")
        .values({
          connection,
          account: line.account,
          agreement: line.agreement,
          product: line.product,
          description: line.description,
          quantity: line.quantity,
          unit_price: line.unitPrice,
          start_date: line.startDate,
          seed_quantity: null,
          seed_unit_price: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return `SBX-${row.id}`;
    },
  };
}

/** The billing file's records as sandbox lines: its header names the columns (trueup-billing). */
export function seedLines(records: readonly CsvRecord[]): Omit<SandboxLine, "id">[] {
  const [header, ...rows] = records;
  const at = new Map((header?.fields ?? []).map((f, i) => [f.trim(), i]));
  const get = (r: CsvRecord, name: string) => {
    const i = at.get(name);
    return i === undefined ? "" : (r.fields[i] ?? "").trim();
  };
  return rows
    .filter((r) => get(r, "account") !== "" && get(r, "product") !== "")
    .map((r) => ({
      account: get(r, "account"),
      agreement: get(r, "agreement") || `${get(r, "account")} recurring`,
      product: get(r, "product"),
      description: get(r, "description"),
      quantity: get(r, "quantity") || "0",
      unitPrice: get(r, "unitPrice") || "0.00",
      startDate: get(r, "startDate") || SEED_START,
    }));
}

async function billingRecords(ctx: Context): Promise<{ index: number; records: CsvRecord[] }> {
  const { config, sourceIds } = await currentConfig(ctx);
  const source = config.sources.find((s) => s.kind === "billing" && s.connection === undefined);
  if (!source) throw new StoreError("invalid", "no billing source reading a file to copy into a sandbox PSA");
  const imp = (await latestImports(ctx.db)).get(sourceIds[source.index] ?? -1);
  if (!imp) throw new StoreError("invalid", `the billing source (${source.file}) has no import yet`);
  const records: CsvRecord[] = [];
  for await (const r of storedRecords(ctx.db, imp)) records.push(r);
  return { index: source.index, records };
}

/** trueup.yaml with the sandbox connection added and the billing source `index` reading it. */
export function sandboxYaml(text: string, name: string, index: number): string {
  const doc = parseDocument(text);
  doc.setIn(["connections", name], doc.createNode({ kind: "sandbox" }, { flow: true }));
  doc.setIn(["sources", index], doc.createNode({ kind: "billing", connection: name }, { flow: true }));
  return doc.toString({ lineWidth: 0 });
}

async function seed(ex: Executor, connection: string, lines: readonly Omit<SandboxLine, "id">[]) {
  await ex.deleteFrom("sandbox_lines").where("connection", "=", connection).execute();
  if (lines.length === 0) return;
  await ex
    .insertInto("sandbox_lines")
    .values(
      lines.map((l) => ({
        connection,
        account: l.account,
        agreement: l.agreement,
        product: l.product,
        description: l.description,
        quantity: l.quantity,
        unit_price: l.unitPrice,
        start_date: l.startDate,
        seed_quantity: l.quantity,
        seed_unit_price: l.unitPrice,
      })),
    )
    .execute();
}

async function isSandbox(ctx: Context, name: string): Promise<boolean> {
  const { config } = await currentConfig(ctx);
  return config.connections.some((c) => c.name === name && c.kind === "sandbox");
}

export function sandboxRepository(ctx: Context, saveConfigYaml: Store["saveConfigYaml"]): SandboxRepo {
  return {
    sandboxBook: () => book(ctx),
    async setupSandbox(name, actor: Actor) {
      if ((await currentConfig(ctx)).config.connections.some((c) => c.name === name))
        throw new StoreError("conflict", `a connection ${name} exists already`);
      const { index, records } = await billingRecords(ctx);
      const lines = seedLines(records);
      const text = sandboxYaml(await storedYaml(ctx.db), name, index);
      const { issues } = await saveConfigYaml(text, actor);
      const error = issues.find((i) => i.severity === "error");
      if (error) throw new StoreError("invalid", `the sandbox PSA could not be set up: ${error.message}`);
      await ctx.db.transaction().execute(async (trx) => {
        await seed(trx, name, lines);
        await writeAudit(trx, ctx, actor, "sandbox.setup", `connection:${name}`, { lines: lines.length });
      });
      return { lines: lines.length };
    },
    async resetSandbox(name, actor: Actor) {
      if (!(await isSandbox(ctx, name)))
        throw new StoreError("not_found", `no sandbox PSA connection ${name}`);
      return ctx.db.transaction().execute(async (trx) => {
        const removed = await trx
          .deleteFrom("sandbox_lines")
          .where("connection", "=", name)
          .where("seed_quantity", "is", null)
          .executeTakeFirst();
        const reset = await trx
          .updateTable("sandbox_lines")
          .set({ quantity: sql<string>`seed_quantity`, unit_price: sql<string>`seed_unit_price` })
          .where("connection", "=", name)
          .where("seed_quantity", "is not", null)
          .where((eb) =>
            eb.or([
              eb("quantity", "<>", eb.ref("seed_quantity")),
              eb("unit_price", "<>", eb.ref("seed_unit_price")),
            ]),
          )
          .executeTakeFirst();
        const counts = { reset: Number(reset.numUpdatedRows), removed: Number(removed.numDeletedRows) };
        await writeAudit(trx, ctx, actor, "sandbox.reset", `connection:${name}`, counts);
        return counts;
      });
    },
  };
}
