// Cancelling a tenant's running backfill: the run is marked canceled, and each of its queued
// window jobs finds that and stops (run-window.ts checks the run before every slice). Pages
// already stored stay; a new backfill starts over from its own plan.
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';

export async function cancelBackfill(pool: Pool, tenantId: string) {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE backfill_runs SET status = 'canceled', error = 'canceled by support', finished_at = now()
      WHERE tenant_id = $1 AND status = 'running' RETURNING id`,
    [tenantId],
  );
  if (!rows[0]) throw new AppError('conflict', 'The tenant has no running backfill.');
  return { tenantId, runId: rows[0].id, status: 'canceled' as const };
}
