import { z } from "zod";

// The shapes of docs/api.md as zod schemas: they validate requests, type the handlers and write the
// OpenAPI document the web client is generated from.

/**
 * NUL (U+0000) or half of a UTF-16 surrogate pair: neither PostgreSQL's text nor UTF-8 can hold it.
 * Found at the API's edge, where the answer can name the field (docs/security.md).
 */
const MALFORMED = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored, with the line and column of the first bad character; undefined if it can. */
export function malformedText(text: string): string | undefined {
  const found = MALFORMED.exec(text);
  if (!found) return undefined;
  const code = (found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  const what = code === "0000" ? "a NUL character (U+0000)" : `a lone surrogate (U+${code})`;
  const before = text.slice(0, found.index);
  const line = before.split("\n").length;
  const column = found.index - before.lastIndexOf("\n");
  const where = line > 1 ? `line ${line}, column ${column}` : `character ${column}`;
  return `contains ${what} at ${where}: text must be valid Unicode without NUL`;
}

/** Every text field of a request: a string without NUL or a lone surrogate. */
export const text = () =>
  z.string().superRefine((value, ctx) => {
    const problem = malformedText(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Evidence items a finding carries in lists; the rest are paged on demand and complete in CSV. */
export const EVIDENCE_SHOWN = 50;

export const RoleSchema = z.enum(["admin", "billing", "viewer"]);
export const FindingStatusSchema = z.enum(["open", "accepted", "dismissed"]);
export const MoneySchema = z.string().describe("two-place decimal, such as 140.00");
const Figure = z.union([z.number(), z.string()]).nullable();

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export function paged<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number(), offset: z.number() });
}

export const IdParam = z.object({ id: z.coerce.number().int().min(1) });

export const ErrorSchema = z
  .object({
    error: z.string(),
    message: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Error" });

export const IssueSchema = z
  .object({
    severity: z.enum(["error", "warning"]),
    file: z.string(),
    line: z.number().optional(),
    column: z.number().optional(),
    field: z.string().optional(),
    message: z.string(),
  })
  .meta({ id: "Issue" });
export const IssuesAnswer = z.object({ issues: z.array(IssueSchema) });
export const InvalidAnswer = z.object({ error: z.literal("invalid"), issues: z.array(IssueSchema) });
/** 400: a request that fails validation (`bad_request`) or a file or YAML with errors (`invalid`). */
export const Refused = z.union([InvalidAnswer, ErrorSchema]);

export const UserViewSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: RoleSchema,
    createdAt: z.string(),
  })
  .meta({ id: "UserView" });

export const ImportViewSchema = z
  .object({
    id: z.number().int(),
    sourceId: z.number().int(),
    fileName: z.string(),
    format: z.string(),
    rowCount: z.number().int(),
    importedBy: z.string(),
    importedAt: z.string(),
  })
  .meta({ id: "ImportView" });

export const SourceViewSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    format: z.string(),
    file: z.string(),
    vendor: z.string().optional(),
    deployment: z.string().optional(),
    client: z.string().optional(),
    lastImport: ImportViewSchema.optional(),
  })
  .meta({ id: "SourceView" });

export const ImportPreviewSchema = z
  .object({
    header: z.array(z.string()),
    rows: z.array(z.array(z.string())),
    rowCount: z.number().int(),
    issues: z.array(IssueSchema),
  })
  .meta({ id: "ImportPreview" });

export const RunViewSchema = z
  .object({
    id: z.number().int(),
    asOf: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    totals: z.record(z.string(), z.union([z.string(), z.number()])),
  })
  .meta({ id: "RunView" });

export const FindingViewSchema = z
  .object({
    runId: z.number().int(),
    clientId: z.string(),
    clientName: z.string(),
    type: z.string(),
    subject: z.string(),
    expected: Figure,
    actual: Figure,
    monthlyImpact: MoneySchema,
    evidence: z
      .array(z.string())
      .describe(`the first ${EVIDENCE_SHOWN}; GET /api/findings/evidence pages the rest`),
    evidenceTotal: z.number().int().describe("how many items of evidence the finding has"),
    subjectName: z.string().optional().describe("the catalogue name of a bundle:… or service:… subject"),
    why: z.string().describe("what the finding means in one sentence, as the CLI table prints it"),
    key: z.string().describe("client|type|subject: the same finding across runs"),
    status: FindingStatusSchema,
    reason: z.string().optional(),
    decidedBy: z.string().optional(),
    until: z
      .string()
      .optional()
      .describe("a dismissal that holds until this date (YYYY-MM-DD): from that day on it is open again"),
  })
  .meta({ id: "FindingView" });

export const RunDiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    appeared: z.array(FindingViewSchema),
    fixed: z.array(FindingViewSchema),
    changed: z.array(z.object({ before: FindingViewSchema, after: FindingViewSchema })),
  })
  .meta({ id: "RunDiff" });

export const ReportSchema = z
  .looseObject({
    asOf: z.string(),
    currency: z.string(),
    totals: z.looseObject({}),
    clients: z.array(z.looseObject({ id: z.string(), name: z.string() })),
  })
  .describe("the reconciliation report (spec section 6)")
  .meta({ id: "Report" });

export const UnmappedItemSchema = z
  .object({
    kind: z.enum(["account", "sku", "product"]),
    system: z.string(),
    value: z.string(),
    evidence: z.array(z.string()),
    monthly: MoneySchema.describe("the money on its rows a month, unreconciled while it is unmapped"),
    rows: z
      .array(
        z.object({
          ref: z.string().describe("file:line"),
          kind: z.enum(["billing", "licences", "users", "devices", "deployments"]),
          account: z.string().optional(),
          agreement: z.string().optional(),
          product: z.string().optional(),
          sku: z.string().optional(),
          vendor: z.string().optional(),
          name: z.string().optional().describe("a user's UPN or a device's hostname"),
          quantity: z.number().optional(),
          unitPrice: z.string().optional(),
          unitCost: z.string().optional(),
          monthly: MoneySchema,
        }),
      )
      .describe("the rows behind it, most money first"),
  })
  .meta({ id: "UnmappedItem" });

export const MappingSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("account"),
      system: text().min(1),
      value: text().min(1),
      clientId: text().min(1),
    }),
    z.object({
      kind: z.literal("former"),
      system: z.string().min(1),
      value: z.string().min(1),
      clientId: z.string().min(1).describe("a client in the catalogue, or the id of a new one"),
      name: z.string().optional().describe("the new client's name (a new client only)"),
      ended: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
        .describe("from this date on the client is owed nothing (spec 4.6)"),
    }),
    z.object({
      kind: z.literal("sku"),
      system: text().min(1),
      value: text().min(1),
      serviceId: text().min(1),
    }),
    z.object({
      kind: z.literal("product"),
      value: text().min(1),
      target: z.object({ kind: z.enum(["bundle", "service"]), id: text().min(1) }),
    }),
    z.object({
      kind: z.literal("ignore"),
      item: z.enum(["account", "sku", "product"]),
      system: text(),
      value: text().min(1),
    }),
  ])
  .meta({ id: "Mapping" });

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    entity: z.string(),
    details: z.record(z.string(), z.unknown()),
    sentence: z.string().describe("the entry as a sentence, with client and catalogue names"),
  })
  .meta({ id: "AuditEntry" });

export const NoContent = z.undefined().describe("done");
