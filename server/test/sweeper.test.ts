// The sweeper: covers a backlog larger than one pass in turns, offers each event idempotently,
// and leaves an event whose job is retrying, or being processed, to that job unless Redis may
// have lost it.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { sweepEvents } from '../src/events/sweep-events.ts';
import { processEventsJob } from '../src/queues.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({ worker: false });

async function storeEvents(
  count: number,
  opts: { failing?: boolean; receivedSecondsAgo?: number } = {},
) {
  const { rows: t } = await env.stack.db.pool.query<{ id: string }>(
    `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, updated_at)
     VALUES (gen_random_uuid(), $1, false, 'active', 'oauth', now()) RETURNING id`,
    [stripeId('acct')],
  );
  const { rows } = await env.stack.db.pool.query<{ id: number }>(
    `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, payload, source,
                             received_at, attempts, last_error)
     SELECT $1, 'evt_' || md5(random()::text), 'customer.created', false, now(), '{}', 'webhook_connect',
            now() - make_interval(secs => $5), $3, $4
       FROM generate_series(1, $2) RETURNING id`,
    [
      t[0]!.id,
      count,
      opts.failing ? 1 : 0,
      opts.failing ? 'Error: boom' : null,
      opts.receivedSecondsAgo ?? 3600,
    ],
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

  it('leaves events waiting in a batch job to it, and offers what no waiting job can hold', async () => {
    const queue = env.stack.queues.events;
    await queue.obliterate({ force: true });
    // A backlog: a batch job made when its events were stored, an hour ago, still waiting.
    const queued = await storeEvents(3, { receivedSecondsAgo: 3600 });
    await queue.add(
      processEventsJob.name,
      { rawEventIds: queued },
      { timestamp: Date.now() - 3600_000 + 200 },
    );
    // Stored before that job was made, and never enqueued (the API died before it could).
    const lost = await storeEvents(2, { receivedSecondsAgo: 7200 });
    const singles = async () =>
      (await queue.getWaiting(0, 10_000))
        .filter((j) => j.id?.startsWith('ev-'))
        .flatMap((j) => (j.data as { rawEventIds: number[] }).rawEventIds);

    await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 1000, batchLimit: 1000 });
    const offered = await singles();
    expect(lost.every((id) => offered.includes(id))).toBe(true);
    expect(queued.some((id) => offered.includes(id))).toBe(false);
    // Right after Redis reconnects its jobs may be gone: everything unprocessed is offered.
    await sweepEvents(
      env.stack.enqueueDeps,
      { cursor: 0 },
      { graceMs: 1000, batchLimit: 1000, ignoreQueued: true },
    );
    const afterReconnect = await singles();
    expect(queued.every((id) => afterReconnect.includes(id))).toBe(true);
  });

  it('leaves the events of a job being processed to it, however long its attempt takes', async () => {
    const queue = env.stack.queues.events;
    await queue.obliterate({ force: true });
    // Received a minute ago (past the grace period), their job made right after and taken by a
    // worker whose first attempt is still running: not failed yet, still `received`.
    const taken = await storeEvents(2, { receivedSecondsAgo: 60 });
    await queue.add(
      processEventsJob.name,
      { rawEventIds: taken },
      { timestamp: Date.now() - 60_000 + 200 },
    );
    const worker = new Worker(queue.name, null, {
      connection: new Redis(env.stack.config.redis.url, { maxRetriesPerRequest: null }),
      prefix: env.stack.config.redis.prefix,
    });
    try {
      const job = await worker.getNextJob('sweeper-test');
      expect(job?.data).toEqual({ rawEventIds: taken });
      expect(await queue.getActiveCount()).toBe(1);
      await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 1000, batchLimit: 1000 });
      const offered = await offeredIds();
      expect(taken.some((id) => offered.includes(id))).toBe(false);
      // The attempt ends without committing them or recording a failure (as when its worker
      // is killed): no job holds them back any more.
      await job!.moveToFailed(new Error('worker gone'), 'sweeper-test');
      await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 1000, batchLimit: 1000 });
      const after = await offeredIds();
      expect(taken.every((id) => after.includes(id))).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it('offers the events of a batch job once no job waits before them', async () => {
    const queue = env.stack.queues.events;
    await queue.obliterate({ force: true });
    const queued = await storeEvents(2, { receivedSecondsAgo: 3600 });
    const job = await queue.add(
      processEventsJob.name,
      { rawEventIds: queued },
      { timestamp: Date.now() - 3600_000 + 200 },
    );
    await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 1000, batchLimit: 1000 });
    // (Events of the tests before are offered as they should be; these are not.)
    const queuedJobs = (await queue.getWaiting(0, 10_000)).filter((j) =>
      (j.data as { rawEventIds: number[] }).rawEventIds.some((id) => queued.includes(id)),
    );
    expect(queuedJobs.map((j) => j.id)).toEqual([job.id]);
    await job.remove(); // taken, and lost with its worker
    await sweepEvents(env.stack.enqueueDeps, { cursor: 0 }, { graceMs: 1000, batchLimit: 1000 });
    const offered = await offeredIds();
    expect(queued.every((id) => offered.includes(id))).toBe(true);
  });
});
