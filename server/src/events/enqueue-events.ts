// Hands stored events to the events queue. Idempotent: the job id is derived from the stored
// row, so offering the same event again while its job exists adds nothing.
import type { Queue } from 'bullmq';
import type { Pool } from '../db.ts';
import { processEventJob } from '../queues.ts';

export interface EnqueueDeps {
  /** Created by createQueues, which sets the retry policy as the queue's defaults. */
  queue: Queue;
  pool: Pool;
}

export async function enqueueEvents(deps: EnqueueDeps, rawEventIds: number[]): Promise<void> {
  if (rawEventIds.length === 0) return;
  // Retry and retention options are the queue's defaults (see createQueues).
  await deps.queue.addBulk(
    rawEventIds.map((id) => ({
      name: processEventJob.name,
      data: processEventJob.payload.parse({ rawEventId: id }),
      opts: { jobId: processEventJob.jobId(id) },
    })),
  );
}
