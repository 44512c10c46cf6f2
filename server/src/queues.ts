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

/**
 * A job names one or more stored events. The API adds one job per batch it committed (BullMQ's
 * per-job cost dominates per-event jobs); the sweeper, releases and replays add one job per
 * event with a fixed id, so offering an event again while its job exists adds nothing. An event
 * named by two jobs is processed once: processing locks its row and skips finished events.
 */
export const processEventsJob = {
  queue: QUEUE_NAMES.events,
  name: 'process-events',
  payload: z.object({ rawEventIds: z.array(z.number().int().positive()).min(1).max(1000) }),
  /** The fixed id of a single-event job. */
  singleJobId: (rawEventId: number) => `ev-${rawEventId}`,
  maxBatch: 500,
  /** Set once as the queue's defaults, so each add carries only its payload. */
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
    defaultJobOptions: processEventsJob.options(retry),
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
