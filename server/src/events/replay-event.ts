// Puts a stored event back through processing (a failed one after a fix, or any event on a
// support agent's request). Safe to repeat: handlers are idempotent and the ordering guard keeps
// newer state, so replaying has no duplicate effect.
import { AppError } from '../errors.ts';
import { processEventsJob } from '../queues.ts';
import { offerEvents, type EnqueueDeps } from './enqueue-events.ts';

export async function replayEvent(
  deps: EnqueueDeps,
  rawEventId: number,
  scope: { tenantId?: string } = {},
): Promise<{ rawEventId: number; previousStatus: string }> {
  const { rows } = await deps.pool.query<{ previous: string }>(
    `UPDATE raw_events e SET status = 'received', last_error = NULL
       FROM raw_events old
      WHERE e.id = $1 AND old.id = e.id AND ($2::uuid IS NULL OR e.tenant_id = $2)
     RETURNING old.status AS previous`,
    [rawEventId, scope.tenantId ?? null],
  );
  if (!rows[0]) throw new AppError('not_found', `No stored event ${rawEventId}.`);
  // A failed job keeps its id in BullMQ; remove it so the event can be queued again.
  await deps.queue.remove(processEventsJob.singleJobId(rawEventId));
  await offerEvents(deps, [rawEventId]);
  return { rawEventId, previousStatus: rows[0].previous };
}
