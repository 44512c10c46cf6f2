// Support staff pause a tenant (its events are kept, not processed; its backfill waits) and
// resume it (the kept events are processed in order, the backfill continues). Only active ↔ paused; other states say why they cannot.
import { AppError } from '../../errors.ts';
import { releaseDeferredEvents } from '../../events/release-deferred-events.ts';
import { backfillWindowJob } from '../../queues.ts';
import type { ConnectionDeps } from '../install-deps.ts';

export async function pauseTenant(
  deps: Pick<ConnectionDeps, 'pool'>,
  tenantId: string,
  reason: string,
) {
  const { rows } = await deps.pool.query<{ status: string }>(
    `UPDATE tenants SET status = 'paused', status_reason = $2, updated_at = now()
      WHERE id = $1 AND status = 'active' RETURNING status`,
    [tenantId, `paused: ${reason}`],
  );
  if (rows.length === 0) await refuse(deps, tenantId, 'paused', 'active');
  return { tenantId, status: 'paused' as const };
}

export async function resumeTenant(
  deps: Pick<ConnectionDeps, 'pool' | 'queue' | 'logger' | 'queues'>,
  tenantId: string,
) {
  const { rows } = await deps.pool.query<{ status: string }>(
    `UPDATE tenants SET status = 'active', status_reason = NULL, updated_at = now()
      WHERE id = $1 AND status = 'paused' RETURNING status`,
    [tenantId],
  );
  if (rows.length === 0) await refuse(deps, tenantId, 'resumed', 'paused');
  const { released } = await releaseDeferredEvents(deps, tenantId);
  // Backfill windows that waited during the pause go back in line.
  const { rows: waiting } = await deps.pool.query<{ id: string; pages: number }>(
    `SELECT w.id::text AS id, w.pages FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id
      WHERE w.tenant_id = $1 AND w.status = 'queued' AND r.status = 'running'`,
    [tenantId],
  );
  for (const w of waiting) {
    await deps.queues.backfill.add(
      backfillWindowJob.name,
      { windowId: Number(w.id) },
      { jobId: `${backfillWindowJob.jobId(Number(w.id), w.pages)}-r${Date.now()}` },
    );
  }
  return { tenantId, status: 'active' as const, released, backfillWindows: waiting.length };
}

async function refuse(
  deps: Pick<ConnectionDeps, 'pool'>,
  tenantId: string,
  verb: string,
  needed: string,
): Promise<never> {
  const { rows } = await deps.pool.query<{ status: string }>(
    'SELECT status FROM tenants WHERE id = $1',
    [tenantId],
  );
  if (!rows[0]) throw new AppError('not_found', `No tenant ${tenantId}.`);
  throw new AppError(
    'conflict',
    `Tenant ${tenantId} is ${rows[0].status}; only a ${needed} tenant can be ${verb}.`,
  );
}
