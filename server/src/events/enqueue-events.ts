// Hands stored events to the events queue (see processEventsJob for the two kinds of job).
import type { Queue } from 'bullmq';
import type { Pool } from '../db.ts';
import { processEventsJob } from '../queues.ts';

export interface EnqueueDeps {
  /** Created by createQueues, which sets the retry policy as the queue's defaults. */
  queue: Queue;
  pool: Pool;
}

/** Fast path after a commit: one job per batch of newly stored events. */
export async function enqueueEventBatch(
  deps: Pick<EnqueueDeps, 'queue'>,
  rawEventIds: number[],
): Promise<void> {
  const jobs = [];
  for (let i = 0; i < rawEventIds.length; i += processEventsJob.maxBatch) {
    const ids = rawEventIds.slice(i, i + processEventsJob.maxBatch);
    jobs.push({
      name: processEventsJob.name,
      data: processEventsJob.payload.parse({ rawEventIds: ids }),
    });
  }
  if (jobs.length > 0) await deps.queue.addBulk(jobs);
}

/**
 * Offers events again, one job per event with a fixed id: idempotent, so the sweeper can offer
 * the same waiting event many times at the cost of a no-op.
 */
export async function offerEvents(
  deps: Pick<EnqueueDeps, 'queue'>,
  rawEventIds: number[],
): Promise<void> {
  if (rawEventIds.length === 0) return;
  await deps.queue.addBulk(
    rawEventIds.map((id) => ({
      name: processEventsJob.name,
      data: processEventsJob.payload.parse({ rawEventIds: [id] }),
      opts: { jobId: processEventsJob.singleJobId(id) },
    })),
  );
}
