// The ordering guard: the same events applied in any order leave the same rows, and an older
// snapshot never overwrites a newer one — including snapshots taken in the same second.
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { processEvent } from '../src/events/process-event.ts';
import { dispute, event } from './support/fixtures.ts';
import { useStack } from './support/harness.ts';
import { history, shuffled, tableSnapshot } from './support/history.ts';
import { nowSeconds, stripeId } from './support/ids.ts';

const env = useStack({ worker: false });

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

describe('ordering guard', () => {
  it('gives identical rows for the in-order replay, the reverse, and 8 shuffles', async () => {
    const events = history();
    const reference = await tableSnapshot(env.stack.db.pool, await replayInto(events));
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
      expect(await tableSnapshot(env.stack.db.pool, await replayInto(order))).toEqual(reference);
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
    const before = await tableSnapshot(env.stack.db.pool, tenantId);
    expect(
      await processEvent({ pool: env.stack.db.pool, logger: env.stack.logger }, rows[0]!.id),
    ).toBe('skipped');
    expect(await tableSnapshot(env.stack.db.pool, tenantId)).toEqual(before);
  });
});
