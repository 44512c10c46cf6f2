// Keeps at most the per-tenant cap of a tenant's windows in the queue: one tenant's million-object
// history takes a bounded share of the workers, and other tenants' work is interleaved with it.
// Windows are claimed (pending → queued) in one statement, so concurrent callers never double-queue.
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { backfillWindowJob, type Queues } from '../queues.ts';

export async function queueNextWindows(
  deps: {
    pool: Pool;
    logger: Logger;
    queues: Pick<Queues, 'backfill'>;
    settings: { tenantConcurrency: number };
  },
  tenantId: string,
): Promise<number> {
  const { rows } = await deps.pool.query<{ id: string; pages: number }>(
    `WITH busy AS (
       SELECT count(*)::int AS n FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id
        WHERE w.tenant_id = $1 AND w.status = 'queued' AND r.status = 'running'),
     next AS (
       SELECT w.id FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id
        WHERE w.tenant_id = $1 AND w.status = 'pending' AND r.status = 'running'
        ORDER BY w.window_end DESC, w.id
        LIMIT GREATEST(0, $2 - (SELECT n FROM busy))
        FOR UPDATE OF w SKIP LOCKED)
     UPDATE backfill_windows w SET status = 'queued', updated_at = now()
       FROM next WHERE w.id = next.id
     RETURNING w.id::text AS id, w.pages`,
    [tenantId, deps.settings.tenantConcurrency],
  );
  for (const row of rows) {
    const windowId = Number(row.id);
    await deps.queues.backfill.add(
      backfillWindowJob.name,
      { windowId },
      { jobId: backfillWindowJob.jobId(windowId, row.pages) },
    );
  }
  return rows.length;
}
