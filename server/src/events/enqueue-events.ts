// Hands stored events to the events queue. Idempotent: the job id is derived from the stored
// row, so enqueueing the same event twice while its job exists adds nothing.
import type { Queue } from 'bullmq';
import type { Pool } from '../db.ts';
import { processEventJob } from '../queues.ts';

export interface EnqueueDeps {
  queue: Queue;
  pool: Pool;
  retry: { maxAttempts: number; backoffMs: number };
}

export async function enqueueEvents(deps: EnqueueDeps, rawEventIds: number[]): Promise<void> {
  if (rawEventIds.length === 0) return;
  const opts = processEventJob.options(deps.retry);
  await deps.queue.addBulk(
    rawEventIds.map((id) => ({
      name: processEventJob.name,
      data: processEventJob.payload.parse({ rawEventId: id }),
      opts: { ...opts, jobId: processEventJob.jobId(id) },
    })),
  );
  await deps.pool.query(
    'UPDATE raw_events SET enqueued_at = now() WHERE id = ANY($1::bigint[]) AND enqueued_at IS NULL',
    [rawEventIds],
  );
}
