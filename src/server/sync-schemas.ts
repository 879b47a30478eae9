import { z } from "zod";
import { MoneySchema } from "./schemas.ts";

// Connections and PSA sync as the API shows them.

export const ConnectionViewSchema = z
  .object({
    name: z.string(),
    kind: z.string(),
    title: z.string(),
    url: z.string().optional(),
    schedule: z.string().describe("cron, UTC"),
    provides: z.array(z.string()),
    sources: z.array(z.string()).describe("the source kinds that read this connection"),
    psa: z.boolean(),
    secrets: z.array(
      z.object({
        name: z.string(),
        source: z
          .enum(["stored", "environment", "missing", "unbound", "refused"])
          .describe(
            "unbound: a value is stored, but for another kind or address of the connection (unusable until an admin enters it again); refused: the variable is outside the operator's allowance",
          ),
        variable: z.string().optional(),
        note: z.string().optional(),
      }),
    ),
    lastPullAt: z.string().optional(),
    lastSuccessAt: z.string().optional(),
    counts: z.record(z.string(), z.number()),
    lastError: z.string().optional(),
    nextPullAt: z.string().optional(),
  })
  .meta({ id: "ConnectionView" });

export const PullOutcomeSchema = z
  .object({
    connection: z.string(),
    ok: z.boolean(),
    counts: z.record(z.string(), z.number()),
    error: z.string().optional(),
    runId: z.number().int().optional(),
  })
  .meta({ id: "PullOutcome" });

const AgreementSchema = z.object({ id: z.string(), account: z.string(), name: z.string() });

export const ChangeSchema = z
  .object({
    seq: z.number().int(),
    action: z.enum(["set", "create", "choose"]),
    client: z.string(),
    clientName: z.string(),
    account: z.string(),
    subject: z.string(),
    product: z.string(),
    agreement: z.string().optional(),
    agreementName: z.string().optional(),
    line: z
      .object({
        id: z.string(),
        account: z.string(),
        agreement: z.string(),
        agreementName: z.string(),
        product: z.string(),
        quantity: z.string(),
        unitPrice: z.string(),
        startDate: z.string().optional(),
        ref: z.record(z.string(), z.string()),
      })
      .optional()
      .describe("the PSA line as read when planning"),
    from: z.string(),
    to: z.string(),
    fromPrice: z.string().optional(),
    toPrice: z.string().optional(),
    unitPrice: MoneySchema,
    monthlyImpact: MoneySchema,
    why: z.string(),
    candidates: z.array(AgreementSchema).optional(),
    preApproved: z
      .object({ by: z.string() })
      .optional()
      .describe("every finding the change fixes was accepted: saved approved, by the one who accepted"),
  })
  .meta({ id: "Change" });

const Figure = z.union([z.number(), z.string()]).nullable();

export const LeftAsAgreedSchema = z
  .object({
    client: z.string(),
    clientName: z.string(),
    account: z.string(),
    type: z.string(),
    subject: z.string(),
    product: z.string(),
    lineId: z.string().optional(),
    expected: Figure,
    actual: Figure,
    monthlyImpact: MoneySchema.describe("the finding's monthly impact, left as it is"),
    reason: z.string(),
    decidedBy: z.string(),
    until: z.string().optional(),
  })
  .meta({ id: "LeftAsAgreed" });

export const SyncChangeViewSchema = z
  .object({
    seq: z.number().int(),
    change: ChangeSchema,
    decision: z.enum(["pending", "approved", "rejected"]),
    decidedBy: z.string().optional(),
    decidedAt: z.string().optional(),
    state: z.enum(["planned", "applying", "applied", "conflict", "failed"]),
    attempts: z.number().int(),
    result: z.string().optional(),
  })
  .meta({ id: "SyncChangeView" });

const planFields = {
  id: z.number().int(),
  connection: z.string(),
  effective: z.string(),
  includePrices: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
  status: z.enum(["open", "superseded"]),
  monthlyImpact: MoneySchema,
};

export const SyncPlanSummarySchema = z.object(planFields).meta({ id: "SyncPlanSummary" });
export const SyncPlanViewSchema = z
  .object({
    ...planFields,
    leftAsAgreed: z
      .array(LeftAsAgreedSchema)
      .describe("differences a person dismissed (figures unchanged): no change proposed for them"),
    changes: z.array(SyncChangeViewSchema),
  })
  .meta({ id: "SyncPlanView" });

export const ApplyResultSchema = z
  .object({
    applied: z.number().int(),
    alreadyDone: z.number().int(),
    conflicts: z.number().int(),
    failed: z.number().int(),
    notApproved: z.number().int(),
    finished: z.number().int(),
  })
  .meta({ id: "ApplyResult" });

export const SyncEventViewSchema = z
  .object({
    id: z.number().int(),
    planId: z.number().int(),
    connection: z.string(),
    seq: z.number().int().optional(),
    at: z.string(),
    actor: z.string(),
    kind: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "SyncEventView" });
