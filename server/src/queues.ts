// The job catalog: every queue, job name, payload schema and retry policy in one place.
// Producers and workers both go through it, so a payload is validated on both ends.
import { Queue, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from './redis.ts';

export const QUEUE_NAMES = { events: 'events' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
}

export const processEventJob = {
  queue: QUEUE_NAMES.events,
  name: 'process-event',
  payload: z.object({ rawEventId: z.number().int().positive() }),
  /** One job per stored event: adding it again while it exists is a no-op in BullMQ. */
  jobId: (rawEventId: number) => `ev-${rawEventId}`,
  /** Set once as the queue's defaults, so each add carries only its id (cheaper to enqueue). */
  options: (retry: RetryPolicy): JobsOptions => ({
    attempts: retry.maxAttempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // Completed jobs go at once, so an event put back in line (deferred, replayed) can reuse its id.
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  }),
};

export interface Queues {
  events: Queue;
  close(): Promise<void>;
}

export function createQueues(
  connection: Redis,
  prefix: string,
  retry: RetryPolicy,
  onError: (err: Error) => void = () => {},
): Queues {
  const events = new Queue(QUEUE_NAMES.events, {
    connection,
    prefix,
    defaultJobOptions: processEventJob.options(retry),
  });
  // Connection errors surface here while Redis is down; callers log them (the sweeper recovers).
  events.on('error', onError);
  return {
    events,
    async close() {
      await events.close();
    },
  };
}
