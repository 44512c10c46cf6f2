// Replaying a filtered set of stored events (after a fix, or to rebuild a tenant's rows): a dry
// run answers how many would go; a real run puts each back through processing. Safe to repeat
// for the same reason a single replay is (replay-event.ts): handlers are idempotent and the
// ordering guard keeps newer state. At most MAX_REPLAY per call, so a typo cannot flood the queue.
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { processEventsJob } from '../queues.ts';
import { offerEvents, type EnqueueDeps } from './enqueue-events.ts';
import { eventWhere, type EventFilter } from './search-events.ts';

export const MAX_REPLAY = 10_000;

export async function replayEvents(
  deps: EnqueueDeps & { pool: Pool },
  filter: EventFilter,
  dryRun: boolean,
) {
  if (!filter.tenant_id && !filter.type && !filter.status && !filter.from && !filter.to) {
    throw new AppError(
      'bad_request',
      'Name at least one filter (tenant_id, type, status, from, to).',
    );
  }
  const where = eventWhere(filter);
  const { rows } = await deps.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM raw_events WHERE ${where.sql} AND status <> 'ignored'`,
    where.params,
  );
  const matched = rows[0]!.n;
  if (dryRun) return { dryRun: true, matched, replayed: 0 };
  if (matched > MAX_REPLAY) {
    throw new AppError(
      'bad_request',
      `${matched} events match; replay at most ${MAX_REPLAY} per call (narrow the filter).`,
      { matched, max: MAX_REPLAY },
    );
  }
  const { rows: ids } = await deps.pool.query<{ id: string }>(
    `UPDATE raw_events SET status = 'received', last_error = NULL
      WHERE id IN (SELECT id FROM raw_events WHERE ${where.sql} AND status <> 'ignored'
                    ORDER BY id LIMIT ${MAX_REPLAY})
     RETURNING id::text`,
    where.params,
  );
  const eventIds = ids.map((r) => Number(r.id));
  // Failed jobs keep their ids in BullMQ; remove them so the events can be queued again.
  for (const id of eventIds) await deps.queue.remove(processEventsJob.singleJobId(id));
  await offerEvents(deps, eventIds);
  return { dryRun: false, matched, replayed: eventIds.length };
}
