// A payment's whole life as events (shared by the ordering and batch tests), a seeded shuffle, and
// a tenant's normalized rows to compare.
import type pg from 'pg';
import type Stripe from 'stripe';
import {
  charge,
  customer,
  dispute,
  earlyFraudWarning,
  event,
  payout,
  paymentIntent,
  refund,
} from './fixtures.ts';
import { nowSeconds } from './ids.ts';

/** One payment's life: paid, disputed, challenged, won; plus refunds, a payout, a customer. */
export function history(): Stripe.Event[] {
  const t0 = nowSeconds() - 20 * 86400;
  const cus = customer({ created: t0 });
  const pi = paymentIntent({
    created: t0 + 1,
    customer: cus.id,
    metadata: { order_id: 'ORD-1' },
    status: 'requires_payment_method',
    amount_received: 0,
  });
  const ch = charge({
    created: t0 + 2,
    payment_intent: pi.id,
    customer: cus.id,
    metadata: { order_id: 'ORD-1' },
  });
  const d0 = dispute({
    created: t0 + 100,
    charge: ch.id,
    paymentIntent: pi.id,
    status: 'needs_response',
    reason: 'fraudulent',
    networkReasonCode: '10.4',
  });
  const d1: Stripe.Dispute = {
    ...d0,
    status: 'under_review',
    evidence_details: { ...d0.evidence_details, submission_count: 1, has_evidence: true },
  };
  const d2: Stripe.Dispute = { ...d1, status: 'won' };
  const efw = earlyFraudWarning({ created: t0 + 50, charge: ch.id, payment_intent: pi.id });
  const re = refund({ created: t0 + 200, charge: ch.id, payment_intent: pi.id, status: 'pending' });
  const po = payout({ created: t0 + 300, status: 'pending' });
  return [
    event('customer.created', cus, { created: t0 }),
    event('customer.updated', { ...cus, email: 'new@example.com' }, { created: t0 + 5 }),
    event('payment_intent.created', pi, { created: t0 + 1 }),
    // Same second: the lifecycle rank decides (succeeded is further along than processing).
    event('payment_intent.processing', { ...pi, status: 'processing' }, { created: t0 + 2 }),
    event(
      'payment_intent.succeeded',
      { ...pi, status: 'succeeded', amount_received: pi.amount, latest_charge: ch.id },
      { created: t0 + 2 },
    ),
    event('charge.succeeded', ch, { created: t0 + 2 }),
    event('radar.early_fraud_warning.created', efw, { created: t0 + 50 }),
    event(
      'radar.early_fraud_warning.updated',
      { ...efw, actionable: false },
      { created: t0 + 100 },
    ),
    event('charge.dispute.created', d0, { created: t0 + 100 }),
    event('charge.dispute.funds_withdrawn', d0, { created: t0 + 100 }),
    event('charge.updated', { ...ch, disputed: true }, { created: t0 + 100 }),
    event('charge.dispute.updated', d1, { created: t0 + 400 }),
    event('charge.dispute.closed', d2, { created: t0 + 900 }),
    event('charge.dispute.funds_reinstated', d2, { created: t0 + 900 }),
    event('refund.created', re, { created: t0 + 200 }),
    event('charge.refund.updated', { ...re, status: 'succeeded' }, { created: t0 + 200 }),
    event('payout.created', po, { created: t0 + 300 }),
    event('payout.updated', { ...po, status: 'in_transit' }, { created: t0 + 301 }),
    event('payout.paid', { ...po, status: 'paid' }, { created: t0 + 302 }),
  ];
}

export function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const TABLES = [
  'disputes',
  'dispute_timeline',
  'charges',
  'payment_intents',
  'refunds',
  'payouts',
  'early_fraud_warnings',
  'customers',
];

/** Every normalized row of a tenant, without its tenant id and write time, in a stable order. */
export async function tableSnapshot(pool: pg.Pool, tenantId: string) {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const { rows } = await pool.query(`SELECT * FROM ${table} WHERE tenant_id = $1`, [tenantId]);
    out[table] = rows
      .map(({ tenant_id: _t, updated_at: _u, ...rest }: Record<string, unknown>) => rest)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}
