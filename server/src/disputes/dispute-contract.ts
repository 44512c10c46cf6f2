// The shapes of the dispute reads the app API answers (list, one dispute, a payment's disputes,
// the overview's summary) and the list's query: defined here, beside the use cases that produce
// them, and re-exported by app-api/contract.ts as part of the app's contract.
import { z } from 'zod';
import { DISPUTE_STATUSES, DISPUTE_TYPES } from './normalize-dispute.ts';
import { UNIFIED_REASONS } from './reason-codes.ts';

const iso = z.iso.datetime({ offset: true });

export const DisputeTypeSchema = z.enum(DISPUTE_TYPES);
export const DisputeStatusSchema = z.enum(DISPUTE_STATUSES);
export const UnifiedReasonSchema = z.enum(UNIFIED_REASONS);

/** A comma-separated list of enum values in a query string: `status=OPEN,CHALLENGED`. */
const csvOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

export const DisputeListQuery = z.object({
  status: csvOf(DISPUTE_STATUSES).optional(),
  type: csvOf(DISPUTE_TYPES).optional(),
  reason: csvOf(UNIFIED_REASONS).optional(),
  /** Only disputes whose evidence is due before this time (ISO 8601). */
  due_before: iso.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type DisputeListQuery = z.infer<typeof DisputeListQuery>;

// --- responses ---

export const TimelineEntrySchema = z.object({
  stripeStatus: z.string(),
  type: DisputeTypeSchema,
  status: DisputeStatusSchema,
  occurredAt: iso,
});

export const DisputeSchema = z.object({
  id: z.string(),
  type: DisputeTypeSchema,
  status: DisputeStatusSchema,
  stripeStatus: z.string(),
  reason: UnifiedReasonSchema,
  reasonCode: z.string().nullable(),
  reasonMeaning: z.string(),
  stripeReason: z.string(),
  amount: z.number().int(),
  currency: z.string().length(3),
  /** When evidence is due; null when the issuer allows no response. */
  challengeRequiredBy: iso.nullable(),
  evidenceSubmissions: z.number().int(),
  cardBrand: z.string().nullable(),
  chargeId: z.string().nullable(),
  paymentIntentId: z.string().nullable(),
  transactionId: z.string().nullable(),
  orderId: z.string().nullable(),
  createdAt: iso,
  updatedAt: iso,
  dashboardUrl: z.url(),
});
export type Dispute = z.infer<typeof DisputeSchema>;

export const EarlyFraudWarningSchema = z.object({
  id: z.string(),
  fraudType: z.string(),
  actionable: z.boolean(),
  chargeId: z.string().nullable(),
  paymentIntentId: z.string().nullable(),
  createdAt: iso,
});
export type EarlyFraudWarning = z.infer<typeof EarlyFraudWarningSchema>;

export const DisputeDetailSchema = DisputeSchema.extend({
  timeline: z.array(TimelineEntrySchema),
});
export type DisputeDetail = z.infer<typeof DisputeDetailSchema>;

export const DisputeListSchema = z.object({
  data: z.array(DisputeSchema),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});
export type DisputeList = z.infer<typeof DisputeListSchema>;

/** The invoice a Billing payment paid and the subscription it belongs to. */
export const PaymentBillingSchema = z.object({
  invoice: z.object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.string().nullable(),
    billingReason: z.string().nullable(),
    periodStart: iso.nullable(),
    periodEnd: iso.nullable(),
    amountPaid: z.number().int(),
    currency: z.string(),
  }),
  subscription: z
    .object({
      id: z.string(),
      status: z.string(),
      product: z.string().nullable(),
      unitAmount: z.number().int().nullable(),
      interval: z.string().nullable(),
      startedAt: iso.nullable(),
      cancelAtPeriodEnd: z.boolean(),
      cancelAt: iso.nullable(),
      canceledAt: iso.nullable(),
      endedAt: iso.nullable(),
      cancellationReason: z.string().nullable(),
      cancellationFeedback: z.string().nullable(),
      currentPeriodStart: iso.nullable(),
      currentPeriodEnd: iso.nullable(),
      trialEnd: iso.nullable(),
      /** Whether the customer had canceled before this payment was taken (null: not canceled). */
      canceledBeforePayment: z.boolean().nullable(),
    })
    .nullable(),
  checkoutSessionId: z.string().nullable(),
});
export type PaymentBilling = z.infer<typeof PaymentBillingSchema>;

export const PaymentDisputesSchema = z.object({
  paymentId: z.string(),
  disputes: z.array(DisputeDetailSchema),
  earlyFraudWarnings: z.array(EarlyFraudWarningSchema),
  /** Set when Billing charged this payment (an invoice, usually of a subscription). */
  billing: PaymentBillingSchema.nullable(),
});
export type PaymentDisputes = z.infer<typeof PaymentDisputesSchema>;

const money = z.object({ currency: z.string().length(3), amount: z.number().int() });

export const SummarySchema = z.object({
  open: z.number().int(),
  needsResponse: z.number().int(),
  dueWithin72h: z.number().int(),
  amountAtRisk: z.array(money),
  winRate90d: z.object({
    won: z.number().int(),
    lost: z.number().int(),
    rate: z.number().nullable(),
  }),
  byReason90d: z.array(z.object({ reason: UnifiedReasonSchema, count: z.number().int() })),
  /** Disputes opened per week (weeks start on Monday, UTC) over 90 days, by current outcome. */
  weekly: z.array(
    z.object({
      week: z.string(),
      outcome: z.enum(['Won', 'Lost', 'Pending', 'Cancelled']),
      count: z.number().int(),
    }),
  ),
  urgent: z.array(DisputeSchema),
});
export type Summary = z.infer<typeof SummarySchema>;
