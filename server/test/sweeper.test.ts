// The sweeper: covers a backlog larger than one pass in turns, offers each event idempotently,
// and leaves an event whose job is retrying to that job unless Redis may have lost it.
import { describe, expect, it } from 'vitest';
import { sweepEvents } from '../src/events/sweep-events.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({ worker: false });

async function storeEvents(count: number, opts: { failing?: boolean } = {}) {
  const { rows: t } = await env.stack.db.pool.query<{ id: string }>(
    `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, updated_at)
     VALUES (gen_random_uuid(), $1, false, 'active', 'oauth', now()) RETURNING id`,
    [stripeId('acct')],
  );
  const { rows } = await env.stack.db.pool.query<{ id: number }>(
    `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, payload, source,
                             received_at, attempts, last_error)
     SELECT $1, 'evt_' || md5(random()::text), 'customer.created', false, now(), '{}', 'webhook_connect',
            now() - interval '1 hour', $3, $4
       FROM generate_series(1, $2) RETURNING id`,
    [t[0]!.id, count, opts.failing ? 1 : 0, opts.failing ? 'Error: boom' : null],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

const offeredIds = async () =>
  (await env.stack.queues.events.getWaiting(0, 10_000)).flatMap(
    (j) => (j.data as { rawEventIds: number[] }).rawEventIds,
  );

describe('sweeper', () => {
  it('covers a backlog larger than one pass in turns, and offering again adds nothing', async () => {
    const ids = await storeEvents(25);
    const state = { cursor: 0 };
    for (let pass = 0; pass < 4; pass++) {
      await sweepEvents(env.stack.enqueueDeps, state, { graceMs: 1000, batchLimit: 10 });
    }
    const offered = await offeredIds();
    expect(ids.every((id) => offered.includes(id))).toBe(true);
    const before = await env.stack.queues.events.getWaitingCount();
    await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 1000, batchLimit: 1000 });
    expect(await env.stack.queues.events.getWaitingCount()).toBe(before);
  });

  it('does not offer events inside the grace period', async () => {
    const { rows } = await env.stack.db.pool.query<{ id: number }>(
      `UPDATE raw_events SET received_at = now() WHERE id = (SELECT max(id) FROM raw_events) RETURNING id`,
    );
    await env.stack.queues.events.obliterate({ force: true });
    await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 60_000, batchLimit: 1000 });
    expect(await offeredIds()).not.toContain(rows[0]!.id);
  });

  it('leaves a retrying event to its job, but offers it when Redis may have lost the job', async () => {
    const [id] = await storeEvents(1, { failing: true });
    await env.stack.queues.events.obliterate({ force: true });
    await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 0, batchLimit: 1000 });
    expect(await offeredIds()).not.toContain(id);
    await sweepEvents(
      env.stack.enqueueDeps,
      { cursor: 0 },
      { graceMs: 0, batchLimit: 1000, includeRetrying: true },
    );
    expect(await offeredIds()).toContain(id);
  });
});
