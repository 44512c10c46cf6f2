// How a stored dispute is shown to the app: the normalized columns, the meaning of its reason, a
// Dashboard link, and its timeline. Shared by the list, detail, payment and summary reads.
import type { Dispute, DisputeDetail } from './dispute-contract.ts';
import type { Queryable } from '../stripe-objects/upsert-objects.ts';
import type { DisputeStatus, DisputeType } from './normalize-dispute.ts';
import type { UnifiedReason } from './reason-codes.ts';
import { reasonMeaning } from './reason-descriptions.ts';

export const DISPUTE_COLUMNS = `d.stripe_id, d.livemode, d.type, d.status, d.stripe_status, d.reason,
  d.network_reason_code, d.stripe_reason, d.amount::float8 AS amount, d.currency,
  d.challenge_required_by, d.evidence_submissions, d.card_brand, d.charge_id, d.payment_intent_id,
  d.transaction_id, d.order_id, d.stripe_created_at, d.updated_at`;

export interface DisputeRow {
  stripe_id: string;
  livemode: boolean;
  type: DisputeType;
  status: DisputeStatus;
  stripe_status: string;
  reason: UnifiedReason;
  network_reason_code: string | null;
  stripe_reason: string;
  amount: number;
  currency: string;
  challenge_required_by: Date | null;
  evidence_submissions: number;
  card_brand: string | null;
  charge_id: string | null;
  payment_intent_id: string | null;
  transaction_id: string | null;
  order_id: string | null;
  stripe_created_at: Date;
  updated_at: Date;
}

export const dashboardUrl = (livemode: boolean, path: string) =>
  `https://dashboard.stripe.com/${livemode ? '' : 'test/'}${path}`;

export function toDispute(r: DisputeRow): Dispute {
  return {
    id: r.stripe_id,
    type: r.type,
    status: r.status,
    stripeStatus: r.stripe_status,
    reason: r.reason,
    reasonCode: r.network_reason_code,
    reasonMeaning: reasonMeaning({
      brand: r.card_brand,
      networkReasonCode: r.network_reason_code,
      reason: r.reason,
    }),
    stripeReason: r.stripe_reason,
    amount: r.amount,
    currency: r.currency,
    challengeRequiredBy: r.challenge_required_by?.toISOString() ?? null,
    evidenceSubmissions: r.evidence_submissions,
    cardBrand: r.card_brand,
    chargeId: r.charge_id,
    paymentIntentId: r.payment_intent_id,
    transactionId: r.transaction_id,
    orderId: r.order_id,
    createdAt: r.stripe_created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    dashboardUrl: dashboardUrl(r.livemode, `disputes/${r.stripe_id}`),
  };
}

/** The disputes with their timelines (transitions in the order they happened), in one query. */
export async function withTimelines(
  db: Queryable,
  tenantId: string,
  rows: DisputeRow[],
): Promise<DisputeDetail[]> {
  if (rows.length === 0) return [];
  const { rows: steps } = await db.query<{
    dispute_id: string;
    stripe_status: string;
    type: DisputeType;
    status: DisputeStatus;
    occurred_at: Date;
  }>(
    `SELECT dispute_id, stripe_status, type, status, occurred_at FROM dispute_timeline
      WHERE tenant_id = $1 AND dispute_id = ANY($2::text[]) ORDER BY occurred_at, stripe_status`,
    [tenantId, rows.map((r) => r.stripe_id)],
  );
  return rows.map((r) => ({
    ...toDispute(r),
    timeline: steps
      .filter((s) => s.dispute_id === r.stripe_id)
      .map((s) => ({
        stripeStatus: s.stripe_status,
        type: s.type,
        status: s.status,
        occurredAt: s.occurred_at.toISOString(),
      })),
  }));
}
