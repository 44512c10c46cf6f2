// The job catalog: every queue, job name, payload schema and retry policy in one place.
// Producers and workers both go through it, so a payload is validated on both ends.
import { Queue, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from './redis.ts';

export const QUEUE_NAMES = {
  events: 'events',
  backfill: 'backfill',
  reports: 'reports',
  maintenance: 'maintenance',
  notifications: 'notifications',
} as const;
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

/** A tenant's history to load: planned into windows, then one job per window slice. */
export const backfillJob = {
  queue: QUEUE_NAMES.backfill,
  name: 'backfill-tenant',
  payload: z.object({ tenantId: z.uuid(), reason: z.enum(['initial', 'manual']) }),
  /** One initial backfill per tenant connection at a time. */
  initialJobId: (tenantId: string) => `initial-${tenantId}`,
};

/** Fetch the events Stripe kept since the tenant's last one (after an outage or a reconnect). */
export const catchUpJob = {
  queue: QUEUE_NAMES.backfill,
  name: 'catch-up-events',
  payload: z.object({ tenantId: z.uuid() }),
};

export const backfillWindowJob = {
  queue: QUEUE_NAMES.backfill,
  name: 'backfill-window',
  payload: z.object({ windowId: z.number().int().positive() }),
  /** One job per window and slice: a continuation gets a new id, a duplicate offer does not. */
  jobId: (windowId: number, pages: number) => `w-${windowId}-${pages}`,
};

/** Report runs to create for a tenant. */
export const reportRunsJob = {
  queue: QUEUE_NAMES.reports,
  name: 'create-report-runs',
  payload: z.object({
    tenantId: z.uuid(),
    reason: z.enum(['initial', 'report_type_updated', 'manual']),
  }),
  initialJobId: (tenantId: string) => `initial-${tenantId}`,
};

/** Ingest the file of a succeeded report run (report_runs.id). */
export const ingestReportJob = {
  queue: QUEUE_NAMES.reports,
  name: 'ingest-report',
  payload: z.object({ tenantId: z.uuid(), reportRunId: z.uuid() }),
  jobId: (reportRunId: string) => `ingest-${reportRunId}`,
};

/** Deliver a dispute notification (and any earlier pending ones of its destination and dispute). */
export const deliverNotificationJob = {
  queue: QUEUE_NAMES.notifications,
  name: 'deliver-notification',
  payload: z.object({ notificationId: z.number().int().positive() }),
  jobId: (notificationId: number) => `n-${notificationId}`,
};

/** Lifecycle upkeep: purges, refreshing tokens ahead of expiry, deleting replaced endpoints. */
export const maintenanceJob = {
  queue: QUEUE_NAMES.maintenance,
  payload: z.discriminatedUnion('task', [
    z.object({ task: z.literal('lifecycle') }),
    /** Deadline reminders and automatic submission (disputes/evidence/check-deadlines.ts). */
    z.object({ task: z.literal('deadlines') }),
    /** Open disputes compared with Stripe's (one tenant, or every tenant's stale ones). */
    z.object({ task: z.literal('reconcile'), tenantId: z.uuid().optional() }),
    /** The analytics aggregates' appended rows folded (analytics/compact-aggregates.ts). */
    z.object({ task: z.literal('aggregates') }),
    /** An early fraud warning under the tenant's prevention rule. */
    z.object({ task: z.literal('prevent'), tenantId: z.uuid(), warningId: z.string().min(1) }),
    z.object({
      task: z.literal('delete-webhook-endpoint'),
      tenantId: z.uuid(),
      endpointId: z.string().min(1),
    }),
  ]),
};

export interface Queues {
  events: Queue;
  backfill: Queue;
  reports: Queue;
  maintenance: Queue;
  notifications: Queue;
  close(): Promise<void>;
}

export function createQueues(
  connection: Redis,
  prefix: string,
  retry: RetryPolicy,
  onError: (err: Error) => void = () => {},
  notificationRetry: RetryPolicy = { maxAttempts: 15, backoffMs: 5000 },
): Queues {
  const events = new Queue(QUEUE_NAMES.events, {
    connection,
    prefix,
    defaultJobOptions: processEventsJob.options(retry),
  });
  const other = (name: QueueName) =>
    new Queue(name, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  const backfill = other(QUEUE_NAMES.backfill);
  const reports = other(QUEUE_NAMES.reports);
  const maintenance = other(QUEUE_NAMES.maintenance);
  const notifications = new Queue(QUEUE_NAMES.notifications, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: notificationRetry.maxAttempts,
      backoff: { type: 'exponential', delay: notificationRetry.backoffMs },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  // Connection errors surface here while Redis is down; callers log them (the sweeper recovers).
  for (const q of [events, backfill, reports, maintenance, notifications]) q.on('error', onError);
  return {
    events,
    backfill,
    reports,
    maintenance,
    notifications,
    async close() {
      await Promise.all([
        events.close(),
        backfill.close(),
        reports.close(),
        maintenance.close(),
        notifications.close(),
      ]);
    },
  };
}
