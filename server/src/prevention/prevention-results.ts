// What the rule did: refunds made (and in dry run, what it would have refunded), per currency;
// disputes avoided — refunded payments that were never disputed — and the dispute fees that saved
// (an estimate: Stripe's 15.00 per dispute in the payment's currency, the US fee); the latest actions.
import type { Pool } from '../db.ts';

const DISPUTE_FEE = 1500;

export async function preventionResults(pool: Pool, tenantId: string) {
  const [totals, recent] = await Promise.all([
    pool.query<{ outcome: string; currency: string; n: number; amount: number; avoided: number }>(
      `SELECT a.outcome, a.currency, count(*)::int AS n, sum(a.amount)::float8 AS amount,
              count(*) FILTER (WHERE a.outcome = 'refunded' AND NOT EXISTS (
                 SELECT 1 FROM disputes d WHERE d.tenant_id = a.tenant_id AND d.charge_id = a.charge_id))::int AS avoided
         FROM prevention_actions a WHERE a.tenant_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [tenantId],
    ),
    pool.query<{
      warning_id: string;
      charge_id: string;
      outcome: string;
      reason: string | null;
      refund_id: string | null;
      created_at: Date;
    }>(
      `SELECT warning_id, charge_id, outcome, reason, refund_id, created_at FROM prevention_actions
        WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 20`,
      [tenantId],
    ),
  ]);
  return {
    totals: totals.rows.map((r) => ({
      outcome: r.outcome,
      currency: r.currency,
      count: r.n,
      amount: r.amount,
      disputesAvoided: r.avoided,
      feesSavedEstimate: r.avoided * DISPUTE_FEE,
    })),
    recent: recent.rows.map((r) => ({
      warningId: r.warning_id,
      chargeId: r.charge_id,
      outcome: r.outcome,
      reason: r.reason,
      refundId: r.refund_id,
      at: r.created_at.toISOString(),
    })),
  };
}
