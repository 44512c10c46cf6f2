// WORKER_QUEUES: a worker process consumes only the queues it is given, so each queue can have
// its own pool of processes; the others are left to other processes.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../src/queues.ts';
import { startWorker } from '../src/worker.ts';
import { createTestDatabase, deleteQueueKeys, testConfig } from './support/harness.ts';
import { waitFor } from './support/poll.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

/** How many worker connections each queue has (BullMQ names them per queue). */
async function workersPerQueue(redisUrl: string, prefix: string) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const out: Record<string, number> = {};
  try {
    for (const name of Object.values(QUEUE_NAMES)) {
      const q = new Queue(name, { connection: redis, prefix });
      out[name] = (await q.getWorkers()).length;
      await q.close();
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

describe('WORKER_QUEUES', () => {
  it('runs only the named queues', async () => {
    const config = testConfig({
      DATABASE_URL: database.url,
      WORKER_QUEUES: 'notifications,reports',
    });
    const worker = await startWorker(config);
    try {
      const counts = await waitFor(
        async () => {
          const c = await workersPerQueue(config.redis.url, config.redis.prefix);
          return c.notifications! > 0 && c.reports! > 0 ? c : null;
        },
        { what: 'the named consumers connected' },
      );
      expect(counts).toEqual({
        events: 0,
        backfill: 0,
        reports: 1,
        maintenance: 0,
        notifications: 1,
      });
    } finally {
      await worker.stop();
      await deleteQueueKeys(config.redis.url, config.redis.prefix);
    }
  });

  it('runs every queue by default, and refuses an unknown queue name', () => {
    expect([...testConfig({ DATABASE_URL: database.url }).worker.queues].sort()).toEqual([
      'backfill',
      'events',
      'maintenance',
      'notifications',
      'reports',
    ]);
    expect(() =>
      testConfig({ DATABASE_URL: database.url, WORKER_QUEUES: 'events,emails' }),
    ).toThrow(/WORKER_QUEUES/);
  });
});
