// A Stripe Dispute → the normalized dispute (Primer-style type / status, unified reason,
// challenge deadline, transaction id). Pure: the caller supplies when the snapshot was observed
// and what is known about the payment (order reference).
import type Stripe from 'stripe';
import { normalizeBrand, unifiedReason, type UnifiedReason } from './reason-codes.ts';
import { idOf } from '../stripe-objects/id-of.ts';

export const DISPUTE_TYPES = ['RETRIEVAL', 'DISPUTE', 'PREARBITRATION', 'COMPLIANCE'] as const;
export const DISPUTE_STATUSES = [
  'OPEN',
  'CHALLENGED',
  'WON',
  'LOST',
  'ACCEPTED',
  'EXPIRED',
  'CANCELLED',
] as const;
export type DisputeType = (typeof DISPUTE_TYPES)[number];
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export interface NormalizedDispute {
  stripeId: string;
  livemode: boolean;
  chargeId: string | null;
  paymentIntentId: string | null;
  transactionId: string | null;
  type: DisputeType;
  status: DisputeStatus;
  stripeStatus: string;
  reason: UnifiedReason;
  networkReasonCode: string | null;
  stripeReason: string;
  cardBrand: string | null;
  caseType: string | null;
  amount: number;
  currency: string;
  challengeRequiredBy: Date | null;
  evidenceSubmissions: number;
  hasEvidence: boolean;
  stripeCreatedAt: Date;
  metadataOrderId: string | null;
}

type Expandable<T> = string | T | null | undefined;
const expanded = <T extends object>(v: Expandable<T>): T | null =>
  v != null && typeof v === 'object' ? v : null;

function baseType(stripeStatus: string): DisputeType {
  if (stripeStatus.startsWith('warning_')) return 'RETRIEVAL';
  if (stripeStatus.startsWith('appeal_')) return 'PREARBITRATION';
  return 'DISPUTE';
}

/** `case_type` refines the type where the status alone cannot tell. */
function refineType(type: DisputeType, caseType: string | null): DisputeType {
  if (type === 'PREARBITRATION') return type;
  if (caseType === 'inquiry') return 'RETRIEVAL';
  if (caseType === 'compliance') return 'COMPLIANCE';
  if (caseType === 'chargeback' || caseType === 'block' || caseType === 'resolution')
    return 'DISPUTE';
  return type;
}

function status(
  stripeStatus: string,
  ctx: { submissions: number; dueBy: Date | null; observedAt: Date },
): DisputeStatus {
  switch (stripeStatus) {
    case 'warning_needs_response':
    case 'needs_response':
    case 'appeal_needs_response':
      return 'OPEN';
    case 'warning_under_review':
    case 'under_review':
    case 'appeal_under_review':
      return 'CHALLENGED';
    case 'warning_closed':
    case 'prevented':
      return 'CANCELLED';
    case 'won':
      return 'WON';
    case 'charge_refunded':
      // Old API versions: the merchant refunded instead of answering — conceded, not open.
      return 'ACCEPTED';
    case 'lost': {
      // Evidence saved but never submitted counts as none: the issuer never saw it.
      if (ctx.submissions > 0) return 'LOST';
      // No evidence: either the merchant accepted it, or the deadline passed without a response.
      return ctx.dueBy && ctx.observedAt.getTime() > ctx.dueBy.getTime() ? 'EXPIRED' : 'ACCEPTED';
    }
    default:
      // Statuses Stripe adds later are treated as open until we map them.
      return 'OPEN';
  }
}

/**
 * A snapshot's unified type and status alone (what the timeline records): the part of
 * normalizeDispute that depends on the status, without the rest of the mapping.
 */
export function disputeTypeAndStatus(
  d: Stripe.Dispute,
  observedAt: Date,
): Pick<NormalizedDispute, 'type' | 'status' | 'stripeStatus'> {
  const stripeStatus = d.status ?? 'needs_response';
  const dueBy = d.evidence_details?.due_by ? new Date(d.evidence_details.due_by * 1000) : null;
  const submissions = d.evidence_details?.submission_count ?? 0;
  return {
    type: refineType(baseType(stripeStatus), d.payment_method_details?.card?.case_type ?? null),
    status: status(stripeStatus, { submissions, dueBy, observedAt }),
    stripeStatus,
  };
}

/**
 * @param observedAt when this snapshot was true (the event's `created`, or the fetch time of a
 *   backfill); it decides between ACCEPTED and EXPIRED for a lost dispute with no evidence.
 */
export function normalizeDispute(d: Stripe.Dispute, observedAt: Date): NormalizedDispute {
  // Every field below is read as optional: API versions differ in what they carry (older ones
  // have `network_reason_code` at the top level, no `payment_method_details`, no
  // `payment_intent`; `charge` and `payment_intent` may be expanded objects).
  const card = d.payment_method_details?.card;
  const caseType = card?.case_type ?? null;
  const legacy = d as { network_reason_code?: string | null };
  const networkReasonCode = card?.network_reason_code ?? legacy.network_reason_code ?? null;
  const charge = expanded<Stripe.Charge>(d.charge);
  const intent =
    expanded<Stripe.PaymentIntent>(d.payment_intent) ??
    expanded<Stripe.PaymentIntent>(charge?.payment_intent);
  const brand = normalizeBrand(card?.brand ?? charge?.payment_method_details?.card?.brand ?? null);
  const dueBy = d.evidence_details?.due_by ? new Date(d.evidence_details.due_by * 1000) : null;
  const submissions = d.evidence_details?.submission_count ?? 0;
  const hasEvidence = d.evidence_details?.has_evidence ?? false;
  const chargeId = idOf(d.charge);
  const paymentIntentId = idOf(d.payment_intent) ?? idOf(charge?.payment_intent);
  const stripeReason = d.reason ?? 'general';
  return {
    stripeId: d.id,
    livemode: d.livemode,
    chargeId,
    paymentIntentId,
    transactionId: paymentIntentId ?? chargeId,
    ...disputeTypeAndStatus(d, observedAt),
    reason: unifiedReason({ brand, networkReasonCode, stripeReason }),
    networkReasonCode,
    stripeReason,
    cardBrand: brand,
    caseType,
    amount: d.amount ?? 0,
    currency: (d.currency ?? '').toUpperCase(),
    // due_by 0 (or absent) means the issuer allows no response.
    challengeRequiredBy: dueBy,
    evidenceSubmissions: submissions,
    hasEvidence,
    stripeCreatedAt: new Date(d.created * 1000),
    metadataOrderId:
      d.metadata?.order_id ?? charge?.metadata?.order_id ?? intent?.metadata?.order_id ?? null,
  };
}

/**
 * Final statuses, old ones included (`charge_refunded`: the merchant refunded instead of
 * answering, in API versions before 2019), for ordering same-second snapshots.
 */
export const FINAL_STRIPE_STATUSES: readonly string[] = [
  'won',
  'lost',
  'prevented',
  'charge_refunded',
];
