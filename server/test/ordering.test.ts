// The ordering guard: the same events applied in any order leave the same rows, and an older
// snapshot never overwrites a newer one — including snapshots taken in the same second.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/activate-tenant.ts';
import { processEvent } from '../src/events/process-event.ts';
import {
  charge,
  customer,
  dispute,
  earlyFraudWarning,
  event,
  payout,
  paymentIntent,
  refund,
} from './support/fixtures.ts';
import { useStack } from './support/harness.ts';
import { nowSeconds, stripeId } from './support/ids.ts';

const env = useStack({ worker: false });

/** One payment's life: paid, disputed, challenged, won; plus refunds, a payout, a customer. */
function history(): Stripe.Event[] {
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

function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function replayInto(events: Stripe.Event[]): Promise<string> {
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: stripeId('acct'), livemode: false, connectionType: 'oauth' },
  );
  for (const e of events) {
    const { rows } = await env.stack.db.pool.query<{ id: number }>(
      `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, payload, source)
       VALUES ($1, $2, $3, false, to_timestamp($4), $5, 'replay') RETURNING id`,
      [tenant.id, e.id, e.type, e.created, JSON.stringify(e)],
    );
    expect(
      await processEvent({ pool: env.stack.db.pool, logger: env.stack.logger }, rows[0]!.id),
    ).toBe('processed');
  }
  return tenant.id;
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

async function snapshot(tenantId: string) {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const { rows } = await env.stack.db.pool.query(`SELECT * FROM ${table} WHERE tenant_id = $1`, [
      tenantId,
    ]);
    out[table] = rows
      .map(({ tenant_id: _t, updated_at: _u, ...rest }: Record<string, unknown>) => rest)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

describe('ordering guard', () => {
  it('gives identical rows for the in-order replay, the reverse, and 8 shuffles', async () => {
    const events = history();
    const reference = await snapshot(await replayInto(events));
    expect(reference.disputes).toHaveLength(1);
    expect(reference.disputes![0]).toMatchObject({
      status: 'WON',
      stripe_status: 'won',
      order_id: 'ORD-1',
      evidence_submissions: 1,
    });
    expect(reference.payment_intents![0]).toMatchObject({ status: 'succeeded' });
    expect(reference.payouts![0]).toMatchObject({ status: 'paid' });
    expect(reference.refunds![0]).toMatchObject({ status: 'succeeded' });
    expect(reference.early_fraud_warnings![0]).toMatchObject({ actionable: false });
    expect(reference.customers![0]).toMatchObject({ email: 'new@example.com' });
    expect(reference.charges![0]).toMatchObject({ disputed: true });
    expect(
      (reference.dispute_timeline as Array<{ stripe_status: string }>)
        .map((t) => t.stripe_status)
        .sort(),
    ).toEqual(['needs_response', 'under_review', 'won']);

    const orders = [
      [...events].reverse(),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed) => shuffled(events, seed)),
    ];
    for (const order of orders) {
      expect(await snapshot(await replayInto(order))).toEqual(reference);
    }
  });

  it('never lets an older snapshot overwrite a newer one', async () => {
    const d = dispute({ status: 'needs_response' });
    const t = nowSeconds();
    const tenantId = await replayInto([
      event(
        'charge.dispute.closed',
        { ...d, status: 'lost', evidence_details: { ...d.evidence_details, submission_count: 1 } },
        { created: t },
      ),
      event('charge.dispute.created', d, { created: t - 60 }),
    ]);
    const row = await env.stack.db.prisma.dispute.findUnique({
      where: { tenantId_stripeId: { tenantId, stripeId: d.id } },
    });
    expect(row).toMatchObject({ stripeStatus: 'lost', status: 'LOST' });
    const timeline = await env.stack.db.prisma.disputeTimeline.findMany({
      where: { tenantId },
      orderBy: { occurredAt: 'asc' },
    });
    expect(timeline.map((r) => [r.stripeStatus, r.status])).toEqual([
      ['needs_response', 'OPEN'],
      ['lost', 'LOST'],
    ]);
  });

  it('processes each stored event once: running it again changes nothing', async () => {
    const d = dispute();
    const tenantId = await replayInto([event('charge.dispute.created', d)]);
    const { rows } = await env.stack.db.pool.query<{ id: number }>(
      'SELECT id FROM raw_events WHERE tenant_id = $1',
      [tenantId],
    );
    const before = await snapshot(tenantId);
    expect(
      await processEvent({ pool: env.stack.db.pool, logger: env.stack.logger }, rows[0]!.id),
    ).toBe('skipped');
    expect(await snapshot(tenantId)).toEqual(before);
  });
});
