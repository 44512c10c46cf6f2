// The dispute panel's read: every dispute of one payment (the page's charge or PaymentIntent),
// each with its timeline, the payment's early fraud warnings, and (Billing payments) its invoice
// and subscription. A payment the tenant has no
// record of is 404 — the same answer another account's payment gets.
import type { PaymentDisputes } from './dispute-contract.ts';
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { loadPaymentBilling, paymentRefs } from './payment-billing.ts';
import { DISPUTE_COLUMNS, withTimelines, type DisputeRow } from './dispute-view.ts';

export async function paymentDisputes(
  pool: Pool,
  tenantId: string,
  paymentId: string,
): Promise<PaymentDisputes> {
  const [disputes, warnings] = await Promise.all([
    pool.query<DisputeRow>(
      `SELECT ${DISPUTE_COLUMNS} FROM disputes d
        WHERE d.tenant_id = $1 AND (d.charge_id = $2 OR d.payment_intent_id = $2)
        ORDER BY d.stripe_created_at DESC, d.stripe_id DESC`,
      [tenantId, paymentId],
    ),
    pool.query<{
      stripe_id: string;
      fraud_type: string;
      actionable: boolean;
      charge_id: string | null;
      payment_intent_id: string | null;
      stripe_created_at: Date;
    }>(
      `SELECT stripe_id, fraud_type, actionable, charge_id, payment_intent_id, stripe_created_at
         FROM early_fraud_warnings
        WHERE tenant_id = $1 AND (charge_id = $2 OR payment_intent_id = $2)
        ORDER BY stripe_created_at DESC`,
      [tenantId, paymentId],
    ),
  ]);
  if (disputes.rows.length === 0 && warnings.rows.length === 0) {
    const known = await pool.query(
      `SELECT 1 FROM charges WHERE tenant_id = $1 AND (stripe_id = $2 OR payment_intent_id = $2)
       UNION ALL
       SELECT 1 FROM payment_intents WHERE tenant_id = $1 AND stripe_id = $2
       LIMIT 1`,
      [tenantId, paymentId],
    );
    if (known.rowCount === 0) {
      throw new AppError('not_found', `DisputeDesk has no record of payment ${paymentId} yet.`, {
        reason: 'unknown_payment',
      });
    }
  }
  const billing = await loadPaymentBilling(
    pool,
    tenantId,
    await paymentRefs(pool, tenantId, paymentId),
  );
  return {
    paymentId,
    billing: billing?.view ?? null,
    disputes: await withTimelines(pool, tenantId, disputes.rows),
    earlyFraudWarnings: warnings.rows.map((w) => ({
      id: w.stripe_id,
      fraudType: w.fraud_type,
      actionable: w.actionable,
      chargeId: w.charge_id,
      paymentIntentId: w.payment_intent_id,
      createdAt: w.stripe_created_at.toISOString(),
    })),
  };
}
