// A job's events processed in one transaction: the same rows as one by one, busy payments left to
// the one-by-one path without waiting, and any failure rolling the batch back so each event is
// then processed (or failed) on its own.
import type { Job } from 'bullmq';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { processEventBatch } from '../src/events/process-event-batch.ts';
import { processEvent } from '../src/events/process-event.ts';
import { runProcessEventsJob } from '../src/events/process-events-job.ts';
import {
  charge,
  customer,
  dispute,
  earlyFraudWarning,
  event,
  paymentIntent,
  refund,
} from './support/fixtures.ts';
import { waitForAdvisoryWaiter } from './support/advisory-locks.ts';
import { useStack } from './support/harness.ts';
import { history, shuffled, tableSnapshot } from './support/history.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({ worker: false });
const deps = () => ({ pool: env.stack.db.pool, logger: env.stack.logger });

async function tenant() {
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: stripeId('acct'), livemode: false, connectionType: 'oauth' },
  );
  return tenant.id;
}

/** Stores events as the API would (status received), unprocessed; answers their row ids. */
async function store(tenantId: string, events: Stripe.Event[]) {
  const ids: number[] = [];
  for (const e of events) {
    const { rows } = await env.stack.db.pool.query<{ id: string }>(
      `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, payload, source)
       VALUES ($1, $2, $3, false, to_timestamp($4), $5, 'replay') RETURNING id`,
      [tenantId, e.id, e.type, e.created, JSON.stringify(e)],
    );
    ids.push(Number(rows[0]!.id));
  }
  return ids;
}

const statuses = async (ids: number[]) =>
  (
    await env.stack.db.pool.query<{ status: string }>(
      'SELECT status FROM raw_events WHERE id = ANY($1) ORDER BY id',
      [ids],
    )
  ).rows.map((r) => r.status);

/** The job as BullMQ hands it to the handler: its data and attempt counters. */
const jobFor = (rawEventIds: number[], attempts = 1) =>
  ({ data: { rawEventIds }, attemptsMade: 0, opts: { attempts } }) as unknown as Job;

/** Stores the events for the tenant and processes them one job (and transaction) each. */
async function processOneByOne(tenantId: string, events: Stripe.Event[]) {
  for (const id of await store(tenantId, events)) {
    await runProcessEventsJob(deps(), jobFor([id]));
  }
}

/**
 * Runs the job while another transaction holds the charges' payment locks: once its handed-back
 * charges wait on them (in one transaction), `whileWaiting` runs, then the holder commits.
 * Settles as the job does.
 */
async function runJobWhileHolding(
  tenantId: string,
  charges: Array<{ id: string }>,
  ids: number[],
  whileWaiting: () => Promise<void> = async () => {},
) {
  const keys = charges.map((c) => `${tenantId}:${c.id}`);
  const holder = await env.stack.db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(
      'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) k',
      [keys],
    );
    const job = runProcessEventsJob(deps(), jobFor(ids));
    job.catch(() => {}); // settled through this function's answer
    await waitForAdvisoryWaiter(
      env.stack.db.pool,
      keys,
      'the handed-back charges to wait on their payment locks',
    );
    await whileWaiting();
    await holder.query('COMMIT');
    return job;
  } finally {
    holder.release();
  }
}

describe('event batches', () => {
  it('leave the same rows as processing one by one, in one batch or several', async () => {
    const events = history();
    const oneByOne = await tenant();
    await processOneByOne(oneByOne, events);
    const reference = await tableSnapshot(env.stack.db.pool, oneByOne);
    expect(reference.disputes).toHaveLength(1);

    const whole = await tenant();
    const ids = await store(whole, shuffled(events, 7));
    const result = await processEventBatch(deps(), ids);
    expect(result).toEqual({ outcomes: { processed: events.length }, busy: [] });
    expect(await tableSnapshot(env.stack.db.pool, whole)).toEqual(reference);
    expect(new Set(await statuses(ids))).toEqual(new Set(['processed']));

    const chunked = await tenant();
    const chunkIds = await store(chunked, shuffled(events, 11));
    for (let i = 0; i < chunkIds.length; i += 4) {
      await runProcessEventsJob(deps(), jobFor(chunkIds.slice(i, i + 4)));
    }
    expect(await tableSnapshot(env.stack.db.pool, chunked)).toEqual(reference);
  });

  it('keep each tenant to its own rows when one batch mixes tenants with the same Stripe ids', async () => {
    const events = history();
    const reference = await tenant();
    await processOneByOne(reference, events);
    const expected = await tableSnapshot(env.stack.db.pool, reference);
    // Two more accounts whose events carry the very same object ids, in one shuffled batch.
    const [a, b] = [await tenant(), await tenant()];
    const ids = shuffled([...(await store(a, events)), ...(await store(b, events))], 3);
    const result = await processEventBatch(deps(), ids);
    expect(result).toEqual({ outcomes: { processed: events.length * 2 }, busy: [] });
    expect(await tableSnapshot(env.stack.db.pool, a)).toEqual(expected);
    expect(await tableSnapshot(env.stack.db.pool, b)).toEqual(expected);
  });

  it('give disputes of many tenants in one batch the rows, drafts and notifications of one by one', async () => {
    // Per merchant: a customer's paid order, then a dispute; the last merchant's dispute also
    // moves on in the same batch (two status changes: two notifications, in order). What the
    // drafts draw on differs per merchant: a refund, a payment like it two days earlier (a
    // duplicate charge), card payments 200 and 300 days before (Visa CE3.0), or none.
    const DAY = 86_400;
    const slots = Array.from({ length: 6 }, (_, i) => {
      const cus = customer({ name: `Customer ${i}`, email: `c${i}@example.com` });
      const card = (created: number, o: Partial<Stripe.Charge> = {}) =>
        charge({
          created,
          customer: i % 3 === 2 ? null : cus.id,
          amount: 2500 + i,
          payment_method_details: {
            type: 'card',
            card: { brand: 'visa', last4: '4242', fingerprint: `fp_${i}` },
          } as Stripe.Charge.PaymentMethodDetails,
          ...o,
        });
      const now = Math.floor(Date.now() / 1000) - DAY;
      const pi = paymentIntent({ status: 'succeeded', metadata: { order_id: `ORD-${i}` } });
      const ch = card(now, { payment_intent: pi.id, metadata: { order_id: `ORD-${i}` } });
      const reason =
        i === 1 ? 'duplicate' : i % 2 === 0 && i > 0 ? 'fraudulent' : 'product_not_received';
      const d = dispute({ charge: ch.id, paymentIntent: pi.id, reason, amount: ch.amount });
      const evts = [
        event('customer.created', cus),
        event('payment_intent.succeeded', pi),
        event('charge.succeeded', ch),
      ];
      if (i === 0 || i === 3)
        evts.push(event('refund.created', refund({ charge: ch.id, amount: 100 * (i + 1) })));
      if (i === 1) evts.push(event('charge.succeeded', card(now - 2 * DAY)));
      if (i === 2 || i === 4)
        for (const days of [200, 300]) evts.push(event('charge.succeeded', card(now - days * DAY)));
      evts.push(event('charge.dispute.created', d, { created: d.created }));
      if (i === 5)
        evts.push(
          event(
            'charge.dispute.updated',
            { ...d, status: 'under_review' },
            { created: d.created + 60 },
          ),
        );
      return evts;
    });
    const withDestination = async () => {
      const id = await tenant();
      await env.stack.db.pool.query(
        `INSERT INTO notification_destinations (id, tenant_id, url) VALUES (gen_random_uuid(), $1, 'https://example.com/hook')`,
        [id],
      );
      return id;
    };
    const outcome = async (tenantId: string) => ({
      rows: await tableSnapshot(env.stack.db.pool, tenantId),
      drafts: (
        await env.stack.db.pool.query<{
          dispute_id: string;
          fields: unknown;
          ce3: { priorTransactions: unknown[] } | null;
          state: string;
        }>('SELECT dispute_id, fields, ce3, state FROM evidence_drafts WHERE tenant_id = $1', [
          tenantId,
        ])
      ).rows,
      notified: (
        await env.stack.db.pool.query<{ payload: Record<string, unknown> }>(
          'SELECT payload FROM notifications WHERE tenant_id = $1 ORDER BY id',
          [tenantId],
        )
      ).rows.map(({ payload: { receivedAt: _r, ...rest } }) => rest),
    });
    const expected = [];
    for (const evts of slots) {
      const reference = await withDestination();
      await processOneByOne(reference, evts);
      expected.push(await outcome(reference));
    }
    expect(expected[0]!.drafts).toHaveLength(1);
    // Each kind of evidence is in some reference draft (so a bulk read that lost one would show).
    const drafted = JSON.stringify(expected.map((e) => e.drafts));
    for (const source of ['customer.name', 'refunds and invoice', 'same customer or card'])
      expect(drafted).toContain(source);
    for (const slot of [2, 4])
      expect(expected[slot]!.drafts[0]!.ce3?.priorTransactions).toHaveLength(2);
    expect(new Set(expected.map((e) => JSON.stringify(e.drafts))).size).toBe(slots.length);
    expect(expected[5]!.notified.map((n) => n.status)).toHaveLength(2);

    // Two merchants per slot, with the very same Stripe ids, in one batch.
    const merchants: Array<[number, string]> = [];
    const ids: number[] = [];
    for (const [i, evts] of slots.entries()) {
      for (let copy = 0; copy < 2; copy++) {
        const id = await withDestination();
        merchants.push([i, id]);
        ids.push(...(await store(id, evts)));
      }
    }
    const result = await processEventBatch(deps(), shuffled(ids, 5));
    expect(result).toEqual({ outcomes: { processed: ids.length }, busy: [] });
    for (const [i, id] of merchants) {
      const got = await outcome(id);
      expect(got.notified.map((n) => n.accountId)).not.toContain(undefined);
      expect({ ...got, notified: got.notified.map(({ accountId: _a, ...n }) => n) }).toEqual({
        ...expected[i]!,
        notified: expected[i]!.notified.map(({ accountId: _a, ...n }) => n),
      });
    }
  });

  it("run a dispute after its payment's events of the same batch: the notification has the order id", async () => {
    const tenantId = await tenant();
    await env.stack.db.pool.query(
      `INSERT INTO notification_destinations (id, tenant_id, url) VALUES (gen_random_uuid(), $1, 'https://example.com/hook')`,
      [tenantId],
    );
    const pi = paymentIntent({ status: 'succeeded', metadata: { order_id: 'ORD-9' } });
    const ch = charge({ payment_intent: pi.id, metadata: { order_id: 'ORD-9' } });
    const d = dispute({ charge: ch.id, paymentIntent: pi.id });
    // The dispute's event was stored first (lowest id).
    const ids = await store(tenantId, [
      event('charge.dispute.created', d),
      event('payment_intent.succeeded', pi),
      event('charge.succeeded', ch),
    ]);
    expect(await processEventBatch(deps(), ids)).toEqual({
      outcomes: { processed: 3 },
      busy: [],
    });
    const { rows } = await env.stack.db.pool.query<{ payload: { orderId: string | null } }>(
      'SELECT payload FROM notifications WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows.map((r) => r.payload.orderId)).toEqual(['ORD-9']);
  });

  it('notify only the tenants of a batch with an enabled destination, each its own disputes', async () => {
    const [enabled, disabled, none] = [await tenant(), await tenant(), await tenant()];
    await env.stack.db.pool.query(
      `INSERT INTO notification_destinations (id, tenant_id, url, enabled)
       VALUES (gen_random_uuid(), $1, 'https://example.com/on', true),
              (gen_random_uuid(), $2, 'https://example.com/off', false)`,
      [enabled, disabled],
    );
    // The very same dispute id at each of the three merchants, in one batch.
    const d = dispute({ charge: charge().id });
    const ids: number[] = [];
    for (const t of [enabled, disabled, none])
      ids.push(...(await store(t, [event('charge.dispute.created', d)])));
    expect(await processEventBatch(deps(), ids)).toEqual({
      outcomes: { processed: 3 },
      busy: [],
    });
    const { rows } = await env.stack.db.pool.query<{ tenant_id: string; dispute_id: string }>(
      'SELECT tenant_id, dispute_id FROM notifications WHERE tenant_id = ANY($1::uuid[])',
      [[enabled, disabled, none]],
    );
    expect(rows).toEqual([{ tenant_id: enabled, dispute_id: d.id }]);
  });

  it('leave an event whose payment another transaction holds to the one-by-one path', async () => {
    const tenantId = await tenant();
    const ch = charge();
    const cus = customer();
    const ids = await store(tenantId, [
      event('charge.succeeded', ch),
      event('customer.created', cus),
    ]);
    const holder = await env.stack.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `${tenantId}:${ch.id}`,
      ]);
      // Answers at once (no waiting) with the charge handed back.
      const result = await processEventBatch(deps(), ids);
      expect(result).toEqual({ outcomes: { processed: 1 }, busy: [ids[0]] });
      expect(await statuses(ids)).toEqual(['received', 'processed']);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    // The job's one-by-one pass takes it once the holder is gone; the customer is skipped.
    expect(await runProcessEventsJob(deps(), jobFor(ids))).toEqual({
      processed: 1,
      skipped: 1,
    });
    expect(await statuses(ids)).toEqual(['processed', 'processed']);
  });

  it('take the events handed back together, waiting for their payments, then finish the job', async () => {
    const tenantId = await tenant();
    const [a, b] = [charge(), charge()];
    const ids = await store(tenantId, [
      event('charge.succeeded', a),
      event('charge.succeeded', b),
      event('customer.created', customer()),
    ]);
    // The customer commits in the first batch; both charges then wait, in one transaction, for
    // the first of their locks.
    const outcomes = await runJobWhileHolding(tenantId, [a, b], ids, async () => {
      expect(await statuses(ids)).toEqual(['received', 'received', 'processed']);
      // One transaction holds both charges' rows (one by one, the second would still be free).
      const free = await env.stack.db.pool.query(
        'SELECT id FROM raw_events WHERE id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED',
        [ids.slice(0, 2)],
      );
      expect(free.rows).toEqual([]);
    });
    expect(outcomes).toEqual({ processed: 3 });
    expect(await statuses(ids)).toEqual(['processed', 'processed', 'processed']);
  });

  it('go one by one when the batch of handed-back events fails: only the bad one fails', async () => {
    const tenantId = await tenant();
    const good = charge();
    // Its amount cannot be stored: the upsert fails, in the waiting batch and then alone.
    const bad = { ...charge(), amount: 'not a number' } as unknown as Stripe.Charge;
    const ids = await store(tenantId, [
      event('charge.succeeded', good),
      event('charge.succeeded', bad),
      event('customer.created', customer()),
    ]);
    await expect(runJobWhileHolding(tenantId, [good, bad], ids)).rejects.toThrow(
      '1 of 3 events failed',
    );
    expect(await statuses(ids)).toEqual(['processed', 'failed', 'processed']);
    const { rows } = await env.stack.db.pool.query(
      'SELECT stripe_id FROM charges WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toEqual([{ stripe_id: good.id }]);
  });

  it('roll back on a failure; each event then goes alone and only the bad one fails', async () => {
    const tenantId = await tenant();
    const good = customer();
    // A charge without an id cannot be stored: its upsert fails inside the batch.
    const bad = { ...charge(), id: undefined } as unknown as Stripe.Charge;
    const ids = await store(tenantId, [
      event('customer.created', good),
      event('charge.succeeded', bad),
    ]);
    await expect(runProcessEventsJob(deps(), jobFor(ids, 1))).rejects.toThrow(
      '1 of 2 events failed',
    );
    expect(await statuses(ids)).toEqual(['processed', 'failed']);
    const { rows } = await env.stack.db.pool.query(
      'SELECT stripe_id FROM customers WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toEqual([{ stripe_id: good.id }]);
  });

  it('go one by one when they hold an install or uninstall event', async () => {
    const tenantId = await tenant();
    const ids = await store(tenantId, [
      event('customer.created', customer()),
      event('account.application.deauthorized', { id: stripeId('ca'), object: 'application' }),
    ]);
    expect(await processEventBatch(deps(), ids)).toBeNull();
    expect(await statuses(ids)).toEqual(['received', 'received']);
  });

  it('commit without waiting for the WAL flush only when they queue no follow-up job', async () => {
    // Each status change of raw_events notes the transaction's synchronous_commit: processing sets
    // it (or not) before it records the outcomes, and it decides how that transaction commits.
    const pool = env.stack.db.pool;
    await pool.query('CREATE TABLE test_commit_modes (raw_event_id bigint, mode text)');
    await pool.query(`CREATE FUNCTION test_note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        INSERT INTO test_commit_modes VALUES (NEW.id, current_setting('synchronous_commit'));
        RETURN NEW;
      END $f$`);
    await pool.query(`CREATE TRIGGER test_note_commit_mode AFTER UPDATE OF status ON raw_events
      FOR EACH ROW EXECUTE FUNCTION test_note_commit_mode()`);
    try {
      const tenantId = await tenant();
      const pi = paymentIntent({ status: 'succeeded' });
      const derived = await store(tenantId, [
        event('payment_intent.succeeded', pi),
        event('charge.succeeded', charge({ payment_intent: pi.id })),
      ]);
      await processEventBatch(deps(), derived);
      // A new fraud warning goes on to the tenant's prevention rule: that follow-up acts on what
      // the transaction wrote, so the transaction commits durably.
      const followUps: string[] = [];
      const withFollowUp = await store(tenantId, [
        event('charge.succeeded', charge()),
        event('radar.early_fraud_warning.created', earlyFraudWarning()),
      ]);
      await processEventBatch(
        {
          ...deps(),
          followUp: (jobs) => {
            followUps.push(...jobs.map((j) => j.name));
            return Promise.resolve();
          },
        },
        withFollowUp,
      );
      const [alone] = await store(tenantId, [event('charge.succeeded', charge())]);
      await processEvent(deps(), alone!);
      const [strict] = await store(tenantId, [event('charge.succeeded', charge())]);
      await processEvent({ ...deps(), asyncCommit: false }, strict!);

      const { rows } = await pool.query<{ raw_event_id: string; mode: string }>(
        'SELECT raw_event_id, mode FROM test_commit_modes',
      );
      const modeOf = (ids: number[]) =>
        ids.map((id) => rows.filter((r) => Number(r.raw_event_id) === id).map((r) => r.mode));
      expect(modeOf(derived)).toEqual([['off'], ['off']]);
      expect(modeOf(withFollowUp)).toEqual([['on'], ['on']]);
      expect(followUps).toEqual(['prevent']);
      expect(modeOf([alone!, strict!])).toEqual([['off'], ['on']]);
      expect(await statuses([...derived, ...withFollowUp, alone!, strict!])).toEqual(
        Array(6).fill('processed'),
      );
      // SET LOCAL: the pool's connections keep durable commits for everything else.
      const settings = await Promise.all(
        Array.from({ length: 10 }, () =>
          pool.query<{ s: string }>(`SELECT current_setting('synchronous_commit') s`),
        ),
      );
      expect(new Set(settings.map((r) => r.rows[0]!.s))).toEqual(new Set(['on']));
    } finally {
      await pool.query('DROP TRIGGER test_note_commit_mode ON raw_events');
      await pool.query('DROP FUNCTION test_note_commit_mode()');
      await pool.query('DROP TABLE test_commit_modes');
    }
  });
});
