// When a tenant becomes active (connects, reconnects, resumes), the events kept for it while it
// was not are put back in line. Idempotent: only deferred events move. If Redis is down the rows
// are already back to `received`, so the sweeper enqueues them later: nothing waits on Redis.
import type { Logger } from '../logger.ts';
import { offerEvents, type EnqueueDeps } from './enqueue-events.ts';

export async function releaseDeferredEvents(
  deps: EnqueueDeps & { logger: Logger },
  tenantId: string,
): Promise<{ released: number; queued: boolean }> {
  const { rows } = await deps.pool.query<{ id: number }>(
    `UPDATE raw_events SET status = 'received'
      WHERE tenant_id = $1 AND status = 'deferred' RETURNING id`,
    [tenantId],
  );
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  try {
    await offerEvents(deps, ids);
    return { released: ids.length, queued: true };
  } catch (err) {
    deps.logger.warn(
      { err, tenantId, released: ids.length },
      'released events not queued; the sweeper will',
    );
    return { released: ids.length, queued: false };
  }
}
