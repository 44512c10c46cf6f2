// The app API's contract: request and response schemas of /app/v1. The routes parse requests with
// them and the contract tests parse every response with them; the Stripe App imports the inferred
// types (`import type`), so both sides change together.
import { z } from 'zod';
import { UnifiedReasonSchema } from '../disputes/dispute-contract.ts';
import { EVIDENCE_FIELDS, FILE_FIELDS } from '../disputes/evidence/fields.ts';

// The dispute reads' schemas live with the use cases that answer them; part of this contract.
export * from '../disputes/dispute-contract.ts';

const EVIDENCE_FIELD_NAMES = EVIDENCE_FIELDS as unknown as readonly [string, ...string[]];
const FILE_FIELD_NAMES = FILE_FIELDS as unknown as readonly [string, ...string[]];

const iso = z.iso.datetime({ offset: true });

// --- requests ---------------------------------------------------------------------------------

export const PaymentId = z
  .string()
  .regex(/^(ch|py|pi)_[A-Za-z0-9]+$/, 'must be a charge (ch_…) or PaymentIntent (pi_…) id');
export const DisputeId = z.string().regex(/^(du|dp)_[A-Za-z0-9]+$/, 'must be a dispute id (du_…)');

// Evidence: edit (fields by Stripe's names, null clears), save, submit, accept. `version` is the
// draft version the caller read: a draft changed since is refused (409 stale_version).
const FieldValue = z.string().max(150_000).nullable();
export const EvidenceEditBody = z.object({
  version: z.number().int().positive(),
  fields: z.partialRecord(z.enum(EVIDENCE_FIELD_NAMES), FieldValue),
});
export const EvidenceSaveBody = z.object({ version: z.number().int().positive() });
export const EvidenceSubmitBody = z.object({
  version: z.number().int().positive(),
  /** The dispute id typed back, as confirmation. */
  confirm: z.string().min(1).max(100),
  /** Visa compliance disputes: the merchant accepts the network's fee if it rules against them. */
  feeAcknowledged: z.boolean().optional(),
  /** Submit although a required field is empty. */
  allowIncomplete: z.boolean().optional(),
});
export const AcceptBody = z.object({ confirm: z.string().min(1).max(100) });
/** A File already uploaded to Stripe (the app's FileUploader), attached to a file field. */
export const AttachFileBody = z.object({
  version: z.number().int().positive(),
  field: z.enum(FILE_FIELD_NAMES),
  fileId: z.string().regex(/^file_[A-Za-z0-9]+$/, 'must be a File id (file_…)'),
});
/** Raw bytes uploaded through us: the query names the field and version. */
export const UploadQuery = z.object({
  version: z.coerce.number().int().positive(),
  field: z.enum(FILE_FIELD_NAMES),
  filename: z.string().min(1).max(200).default('evidence'),
});
export const GenerateBody = z.object({
  version: z.number().int().positive(),
  kind: z.enum(['receipt', 'payment_history']),
});
/** Automatic submission: off by default; never accepts a dispute. */
export const EvidenceSettingsBody = z
  .object({
    autoSubmit: z.boolean(),
    /** Submit this many hours before the deadline (1–168). */
    hoursBefore: z.number().int().min(1).max(168),
    /** Only drafts at least this complete (0–100) with nothing required empty. */
    minCompleteness: z.number().int().min(0).max(100),
  })
  .partial()
  .refine(
    (b) =>
      b.autoSubmit !== undefined || b.hoursBefore !== undefined || b.minCompleteness !== undefined,
    'name at least one of autoSubmit, hoursBefore, minCompleteness',
  );

/** A period of dispute creation: ISO dates, default the last 90 days, at most 3 years. */
export const PeriodQuery = z
  .object({ from: iso.optional(), to: iso.optional() })
  .transform((q, ctx) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 90 * 86400_000);
    if (
      !(from < to) ||
      to.getTime() - from.getTime() > 3 * 366 * 86400_000 ||
      from.getFullYear() < 1970
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'from must be before to, at most three years apart',
      });
      return z.NEVER;
    }
    return { from, to };
  });

/** The early-fraud-warning rule: name at least one setting. */
export const PreventionBody = z
  .object({
    enabled: z.boolean(),
    dryRun: z.boolean(),
    /** Refund only payments up to this amount, minor units of `currency`. */
    maxAmount: z.number().int().min(0).max(100_000_000),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO currency code'),
    withinHours: z.number().int().min(1).max(168),
  })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'name at least one setting');

export const DestinationBody = z.object({ url: z.url().max(2000) });
export const EnabledBody = z.object({ enabled: z.boolean() });
export const DisconnectBody = z.object({
  /** The account id typed by the merchant, as confirmation. */
  confirm: z.string().min(1),
});

// --- responses --------------------------------------------------------------------------------

export const ResourceProgressSchema = z.object({
  resource: z.string(),
  objects: z.number().int(),
  windowsDone: z.number().int(),
  windowsTotal: z.number().int(),
  failed: z.number().int(),
  estimatedTotal: z.number().int().nullable(),
  /** Stripe refused the list (403): skipped, in Stripe's words. */
  notPermitted: z.string().nullable(),
});

export const BackfillSchema = z.object({
  status: z.string(),
  percent: z.number().int().min(0).max(100),
  objects: z.number().int(),
  error: z.string().nullable(),
  startedAt: iso.nullable(),
  finishedAt: iso.nullable(),
  resources: z.array(ResourceProgressSchema),
});
export type Backfill = z.infer<typeof BackfillSchema>;

export const StatusSchema = z.object({
  connection: z.object({
    accountId: z.string(),
    livemode: z.boolean(),
    status: z.enum(['not_connected', 'pending', 'active', 'paused', 'disconnected', 'purged']),
    statusReason: z.string().nullable(),
    connectionType: z.string().nullable(),
    connectedAt: iso.nullable(),
    installUrl: z.url(),
  }),
  webhooks: z.object({
    lastReceivedAt: iso.nullable(),
    events24h: z.number().int(),
    signatureFailures24h: z.number().int(),
  }),
  backfill: BackfillSchema,
  reports: z.object({
    total: z.number().int(),
    ingested: z.number().int(),
    pending: z.number().int(),
    failed: z.number().int(),
    lastIngestedAt: iso.nullable(),
  }),
});
export type Status = z.infer<typeof StatusSchema>;

export const DestinationSchema = z.object({
  id: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  secretHint: z.string().nullable(),
  createdAt: iso,
});
export type Destination = z.infer<typeof DestinationSchema>;

export const DestinationListSchema = z.object({ data: z.array(DestinationSchema) });
export const CreatedDestinationSchema = z.object({
  id: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  signingSecret: z.string(),
  note: z.string(),
});
export type CreatedDestination = z.infer<typeof CreatedDestinationSchema>;

export const RotatedSecretSchema = z.object({
  id: z.string(),
  signingSecret: z.string(),
  previousValidFor: z.string(),
  note: z.string(),
});
export type RotatedSecret = z.infer<typeof RotatedSecretSchema>;

export const TestDeliverySchema = z.object({
  delivered: z.boolean(),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  /** Only for a delivery that was attempted; a refused destination gets no timing. */
  durationMs: z.number().int().nullable(),
});
export type TestDelivery = z.infer<typeof TestDeliverySchema>;

export const ApiKeyBody = z.object({
  apiKey: z.string().min(1).max(300),
  webhookSecret: z.string().max(300).optional(),
});

/** A restricted key that lacks permissions is refused with code `missing_permissions` and
 * `details.missing` naming each one (ErrorSchema). */
export const ApiKeyResultSchema = z.object({
  tenantId: z.string(),
  accountId: z.string(),
  livemode: z.boolean(),
  status: z.string(),
  keyHint: z.string(),
  webhook: z.object({
    status: z.enum(['created', 'pasted', 'secret_needed']),
    url: z.string(),
    hint: z.string().optional(),
    message: z.string().optional(),
  }),
  historyScheduled: z.boolean(),
});
export type ApiKeyResult = z.infer<typeof ApiKeyResultSchema>;

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ErrorSchema>;

const DraftFieldSchema = z.object({
  value: z.string().nullable(),
  source: z.string().nullable(),
  edited: z.boolean(),
});
export const EvidenceDraftSchema = z.object({
  disputeId: z.string(),
  state: z.enum(['draft', 'saved', 'submitted', 'accepted']),
  version: z.number().int(),
  reason: UnifiedReasonSchema,
  type: z.string(),
  status: z.string(),
  dueBy: z.string().nullable(),
  answerable: z.object({ ok: z.boolean(), reason: z.string().nullable() }),
  fields: z.record(z.enum(EVIDENCE_FIELD_NAMES), DraftFieldSchema),
  checklist: z.object({
    items: z.array(
      z.object({
        field: z.enum(EVIDENCE_FIELD_NAMES),
        importance: z.enum(['required', 'recommended']),
        filled: z.boolean(),
      }),
    ),
    completeness: z.number().int().min(0).max(100),
    missingRequired: z.array(z.enum(EVIDENCE_FIELD_NAMES)),
  }),
  ce3: z
    .object({
      status: z.string().nullable(),
      requiredActions: z.array(z.string()),
      priorTransactions: z.array(
        z.object({
          id: z.string(),
          amount: z.number(),
          currency: z.string(),
          created: z.string(),
          matchedBy: z.array(z.string()),
        }),
      ),
      enoughPriorTransactions: z.boolean(),
    })
    .nullable(),
  text: z.object({ used: z.number().int(), limit: z.number().int() }),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  actions: z.array(
    z.object({
      action: z.string(),
      actor: z.string(),
      actorType: z.string(),
      status: z.string(),
      error: z.string().nullable(),
      at: z.string(),
    }),
  ),
});
export type EvidenceDraft = z.infer<typeof EvidenceDraftSchema>;
export const AcceptedSchema = z.object({ disputeId: z.string(), status: z.string() });

export const EvidenceSettingsSchema = z.object({
  autoSubmit: z.boolean(),
  hoursBefore: z.number().int(),
  minCompleteness: z.number().int(),
  updatedBy: z.string().nullable(),
});
export type EvidenceSettings = z.infer<typeof EvidenceSettingsSchema>;
