// Fight or accept, for one open dispute: an expected-value recommendation with its inputs shown.
// The chance of winning is a beta-binomial estimate — the tenant's own decided disputes of the
// same unified reason and card brand, pooled with a prior from every tenant's (weight PRIOR_WEIGHT
// disputes), and the all-tenant prior itself pooled toward the overall rate — then lowered when
// required evidence is missing. Fighting is worth `p × amount − (1 − p) × counter fee`; accepting
// costs nothing more than what Stripe already withdrew. Calibration is measured on generated
// histories in test/recommend.test.ts.
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { checklistFor } from '../disputes/evidence/checklist.ts';
import { readDraft } from '../disputes/evidence/draft-view.ts';
import type { UnifiedReason } from '../disputes/reason-codes.ts';

/** How many decided disputes the all-tenant prior counts as. */
export const PRIOR_WEIGHT = 20;
/** Stripe's fee for contesting (June 2025 pricing, US), in minor units; refunded when won. */
export const COUNTER_FEE = 1500;

export interface Recommendation {
  disputeId: string;
  recommendation: 'fight' | 'accept';
  winProbability: number;
  expectedValue: { fight: number; accept: number; currency: string };
  inputs: {
    reason: UnifiedReason;
    cardBrand: string | null;
    amount: number;
    tenantHistory: { won: number; lost: number };
    allTenants: { won: number; lost: number; rate: number };
    evidence: { completeness: number; missingRequired: string[]; factor: number };
    counterFee: number;
  };
  explanation: string;
}

export function winProbability(
  tenant: { won: number; lost: number },
  all: { won: number; lost: number },
  overall: { won: number; lost: number },
) {
  const overallRate = (overall.won + 1) / (overall.won + overall.lost + 2);
  const prior = (all.won + PRIOR_WEIGHT * overallRate) / (all.won + all.lost + PRIOR_WEIGHT);
  return {
    prior,
    p: (tenant.won + PRIOR_WEIGHT * prior) / (tenant.won + tenant.lost + PRIOR_WEIGHT),
  };
}

export async function recommend(
  pool: Pool,
  tenantId: string,
  disputeId: string,
): Promise<Recommendation> {
  const { rows } = await pool.query<{
    reason: UnifiedReason;
    card_brand: string | null;
    amount: number;
    currency: string;
    status: string;
  }>(
    'SELECT reason, card_brand, amount::float8 AS amount, currency, status FROM disputes WHERE tenant_id = $1 AND stripe_id = $2',
    [tenantId, disputeId],
  );
  const d = rows[0];
  if (!d) throw new AppError('not_found', `No dispute ${disputeId}.`);
  if (d.status !== 'OPEN') {
    throw new AppError('conflict', 'Only an open dispute gets a fight-or-accept recommendation.', {
      reason: 'not_open',
    });
  }
  const { rows: counts } = await pool.query<{ scope: string; won: number; lost: number }>(
    `SELECT 'tenant' AS scope, count(*) FILTER (WHERE status = 'WON')::int AS won, count(*) FILTER (WHERE status = 'LOST')::int AS lost
       FROM disputes WHERE tenant_id = $1 AND reason = $2 AND card_brand IS NOT DISTINCT FROM $3 AND status IN ('WON', 'LOST')
     UNION ALL
     SELECT 'all', count(*) FILTER (WHERE status = 'WON')::int, count(*) FILTER (WHERE status = 'LOST')::int
       FROM disputes WHERE reason = $2 AND card_brand IS NOT DISTINCT FROM $3 AND status IN ('WON', 'LOST')
     UNION ALL
     SELECT 'overall', count(*) FILTER (WHERE status = 'WON')::int, count(*) FILTER (WHERE status = 'LOST')::int
       FROM disputes WHERE status IN ('WON', 'LOST')`,
    [tenantId, d.reason, d.card_brand],
  );
  const by = Object.fromEntries(counts.map((c) => [c.scope, { won: c.won, lost: c.lost }]));
  const tenant = by.tenant ?? { won: 0, lost: 0 };
  const all = by.all ?? { won: 0, lost: 0 };
  const { p: base, prior } = winProbability(tenant, all, by.overall ?? { won: 0, lost: 0 });
  const draft = await readDraft(pool, tenantId, disputeId);
  const checklist = draft ? checklistFor(d.reason, draft.fields) : null;
  // Missing required evidence lowers the odds: each empty required field halves them.
  const missing = checklist?.missingRequired ?? [];
  const odds = (base / (1 - base)) * 0.5 ** missing.length;
  const factor = missing.length ? odds / (1 + odds) / base : 1;
  const p = odds / (1 + odds);
  const fight = Math.round(p * d.amount - (1 - p) * COUNTER_FEE);
  const recommendation = fight > 0 ? 'fight' : 'accept';
  return {
    disputeId,
    recommendation,
    winProbability: Math.round(p * 1000) / 1000,
    expectedValue: { fight, accept: 0, currency: d.currency },
    inputs: {
      reason: d.reason,
      cardBrand: d.card_brand,
      amount: d.amount,
      tenantHistory: tenant,
      allTenants: { ...all, rate: Math.round(prior * 1000) / 1000 },
      evidence: {
        completeness: checklist?.completeness ?? 0,
        missingRequired: missing,
        factor: Math.round(factor * 1000) / 1000,
      },
      counterFee: COUNTER_FEE,
    },
    explanation:
      `${Math.round(p * 100)} % chance of winning: your ${tenant.won + tenant.lost} decided ${d.reason.toLowerCase()} disputes ` +
      `(${tenant.won} won) pooled with all merchants' ${Math.round(prior * 100)} %` +
      (missing.length
        ? `, lowered for ${missing.length} empty required field${missing.length > 1 ? 's' : ''}`
        : '') +
      `. Fighting is worth ${(fight / 100).toFixed(2)} ${d.currency} on average; ` +
      (recommendation === 'fight' ? 'submit evidence.' : 'accepting costs less.'),
  };
}
