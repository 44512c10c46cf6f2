// The events queue's job handler: processes every event the job names — in one transaction when
// it can (process-event-batch.ts), else each in its own. Idempotent: finished events are skipped,
// so a retry redoes only what failed.
// A failure is recorded on its event; the job fails (and BullMQ retries it with backoff) if any
// event failed, and on the last attempt those events are marked failed.
import type { Job } from 'bullmq';
import { processEventsJob } from '../queues.ts';
import { processEventBatch } from './process-event-batch.ts';
import {
  processEvent,
  recordEventFailure,
  type ProcessDeps,
  type ProcessOutcome,
} from './process-event.ts';

export async function runProcessEventsJob(deps: ProcessDeps, job: Job) {
  const { rawEventIds } = processEventsJob.payload.parse(job.data);
  const attempt = job.attemptsMade + 1;
  const final = attempt >= (job.opts.attempts ?? 1);
  let outcomes: Partial<Record<ProcessOutcome | 'failed', number>> = {};
  let oneByOne: readonly number[] = rawEventIds;
  if (rawEventIds.length > 1) {
    try {
      const done = await processEventBatch(deps, rawEventIds);
      if (done) {
        outcomes = done.outcomes;
        oneByOne = done.busy;
      }
    } catch (err) {
      deps.logger.info(
        { err: (err as Error).message, count: rawEventIds.length },
        'batch failed; processing its events one by one',
      );
    }
    // The events whose payments another transaction held: together, in one transaction that
    // waits for those locks, rather than one transaction each (bench:processing with two
    // workers: 611 such events, each a full dispute intake of its own).
    if (oneByOne !== rawEventIds && oneByOne.length > 1) {
      try {
        const again = await processEventBatch(deps, oneByOne, { waitForPayments: true });
        if (again) {
          for (const [k, n] of Object.entries(again.outcomes) as Array<[ProcessOutcome, number]>)
            outcomes[k] = (outcomes[k] ?? 0) + n;
          oneByOne = again.busy;
        }
      } catch (err) {
        deps.logger.info(
          { err: (err as Error).message, count: oneByOne.length },
          'batch of busy events failed; processing them one by one',
        );
      }
    }
  }
  let firstError: unknown;
  for (const rawEventId of oneByOne) {
    try {
      const outcome = await processEvent(deps, rawEventId);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (err) {
      outcomes.failed = (outcomes.failed ?? 0) + 1;
      firstError ??= err;
      deps.logger.warn({ err, rawEventId, attempt, final }, 'event processing failed');
      await recordEventFailure(deps.pool, rawEventId, err, final).catch((e: unknown) =>
        deps.logger.error({ err: e, rawEventId }, 'could not record the failure'),
      );
    }
  }
  if (deps.metrics) {
    for (const [outcome, n] of Object.entries(outcomes)) {
      deps.metrics.eventsProcessed.inc({ outcome }, n);
    }
    // From the job's creation (after the events' commit) to now, once per event this attempt
    // committed (not the ones a retry found already done).
    const seconds = Math.max(0, (Date.now() - job.timestamp) / 1000);
    const done = (outcomes.processed ?? 0) + (outcomes.ignored ?? 0);
    for (let i = 0; i < done; i++) deps.metrics.processingLatency.observe(seconds);
  }
  if (firstError) {
    throw new Error(`${outcomes.failed} of ${rawEventIds.length} events failed`, {
      cause: firstError,
    });
  }
  return outcomes;
}
