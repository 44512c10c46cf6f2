// An early fraud warning under the tenant's rule: refund the payment before it becomes a dispute
// when the rule is on, the warning actionable and recent enough, the payment not disputed nor
// fully refunded, and its amount within the rule's limit in the rule's currency. One outcome per
// warning, recorded before Stripe is called (a unique row: never twice, even if the job reruns);
// the refund carries an idempotency key per warning. Dry run records what it would do.
import Stripe from 'stripe';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { getPreventionRule } from './prevention-rule.ts';

export interface PreventionDeps {
  pool: Pool;
  clients: Pick<TenantClients, 'forTenant'>;
  logger: Logger;
}

export type PreventionOutcome =
  'refunded' | 'would_refund' | 'skipped' | 'failed' | 'already_handled' | 'off';

export async function applyPrevention(
  deps: PreventionDeps,
  tenantId: string,
  warningId: string,
): Promise<{ outcome: PreventionOutcome; reason?: string }> {
  const rule = await getPreventionRule(deps.pool, tenantId);
  if (!rule.enabled) return { outcome: 'off' };
  const { rows } = await deps.pool.query<{
    charge_id: string;
    actionable: boolean;
    age_hours: number;
    amount: number | null;
    amount_refunded: number | null;
    currency: string | null;
    disputed: boolean | null;
    has_dispute: boolean;
  }>(
    `SELECT w.charge_id, w.actionable, extract(epoch from now() - w.stripe_created_at) / 3600 AS age_hours,
            c.amount::float8 AS amount, c.amount_refunded::float8 AS amount_refunded, c.currency, c.disputed,
            EXISTS (SELECT 1 FROM disputes d WHERE d.tenant_id = w.tenant_id AND d.charge_id = w.charge_id) AS has_dispute
       FROM early_fraud_warnings w
       LEFT JOIN charges c ON c.tenant_id = w.tenant_id AND c.stripe_id = w.charge_id
      WHERE w.tenant_id = $1 AND w.stripe_id = $2`,
    [tenantId, warningId],
  );
  const w = rows[0];
  if (!w) return { outcome: 'skipped', reason: 'warning not stored' };
  // The first rule the warning or its payment breaks is the reason to leave it alone.
  const checks: Array<[boolean, string]> = [
    [!w.actionable, 'the warning is not actionable'],
    [w.age_hours > rule.withinHours, `the warning is older than ${rule.withinHours} h`],
    [w.amount === null, 'the payment is not stored yet'],
    [Boolean(w.disputed) || w.has_dispute, 'the payment is already disputed'],
    [(w.amount_refunded ?? 0) >= (w.amount ?? 0), 'the payment is already refunded'],
    [w.currency !== rule.currency, `the payment is in ${w.currency}, the rule in ${rule.currency}`],
    [
      (w.amount ?? 0) > rule.maxAmount,
      `the amount is over the rule's ${rule.maxAmount} ${rule.currency}`,
    ],
  ];
  const skip = checks.find(([broken]) => broken)?.[1] ?? null;
  const outcome: PreventionOutcome = skip ? 'skipped' : rule.dryRun ? 'would_refund' : 'refunded';
  const recorded = await deps.pool.query(
    `INSERT INTO prevention_actions (tenant_id, warning_id, charge_id, outcome, reason, amount, currency)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [
      tenantId,
      warningId,
      w.charge_id,
      outcome === 'refunded' ? 'pending' : outcome,
      skip,
      (w.amount ?? 0) - (w.amount_refunded ?? 0),
      w.currency ?? rule.currency,
    ],
  );
  if (!recorded.rowCount) return { outcome: 'already_handled' };
  if (outcome !== 'refunded') return { outcome, reason: skip ?? undefined };
  try {
    const stripe = await deps.clients.forTenant(tenantId);
    const refund = await stripe.refunds.create(
      {
        charge: w.charge_id,
        reason: 'fraudulent',
        metadata: { disputedesk: 'early-fraud-warning', warning: warningId },
      },
      { idempotencyKey: `dd-efw-refund-${warningId}` },
    );
    await deps.pool.query(
      `UPDATE prevention_actions SET outcome = 'refunded', refund_id = $3 WHERE tenant_id = $1 AND warning_id = $2`,
      [tenantId, warningId, refund.id],
    );
    deps.logger.info({ tenantId, warningId, refund: refund.id }, 'refunded ahead of a dispute');
    return { outcome: 'refunded' };
  } catch (err) {
    const reason =
      err instanceof Stripe.errors.StripeError ? `Stripe refused: ${err.message}` : String(err);
    await deps.pool.query(
      `UPDATE prevention_actions SET outcome = 'failed', reason = $3 WHERE tenant_id = $1 AND warning_id = $2`,
      [tenantId, warningId, reason.slice(0, 1000)],
    );
    return { outcome: 'failed', reason };
  }
}
