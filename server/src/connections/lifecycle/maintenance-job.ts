// The maintenance queue's jobs: the periodic lifecycle pass (purge tenants past retention,
// refresh OAuth tokens that expire before the next pass, keep raw_events' monthly partitions)
// and deleting a replaced webhook endpoint.
import type { Job } from 'bullmq';
import Stripe from 'stripe';
import type { Pool } from '../../db.ts';
import type { Logger } from '../../logger.ts';
import { maintenanceJob, type Queues } from '../../queues.ts';
import { reofferBackfill } from '../../backfill/reoffer-backfill.ts';
import { checkDeadlines } from '../../disputes/evidence/check-deadlines.ts';
import { compactAggregates } from '../../analytics/compact-aggregates.ts';
import { applyPrevention } from '../../prevention/apply-prevention.ts';
import {
  reconcileAllDisputes,
  reconcileTenantDisputes,
} from '../../disputes/reconcile-disputes.ts';
import type { StripeRateLimiter } from '../../backfill/rate-limiter.ts';
import {
  REFRESH_MARGIN_MS,
  refreshAccessToken,
  type TokenDeps,
} from '../credentials/oauth-tokens.ts';
import { purgeDisconnectedTenants } from './purge-tenants.ts';
import { maintainEventPartitions } from '../../events/event-partitions.ts';
import type { TenantClients } from '../credentials/tenant-clients.ts';

export interface MaintenanceDeps extends TokenDeps {
  pool: Pool;
  queues: Pick<Queues, 'backfill' | 'reports' | 'notifications'>;
  logger: Logger;
  clients: TenantClients;
  retentionMs: number;
  intervalMs: number;
  /** Queued work untouched this long is offered again (its job may have been lost). */
  reofferAfterMs: number;
  /** A stalled history import's next windows are queued within the per-tenant cap. */
  backfillSettings: { tenantConcurrency: number };
  limiter: Pick<StripeRateLimiter, 'take'>;
  /** Open disputes not refreshed for this long are compared with Stripe's. */
  reconcileStaleAfterMs: number;
  /** How often the deadline pass runs (its ratio alerts look at activity since the last ones). */
  deadlineIntervalMs?: number;
  /** Stored events are kept this long (raw_events months past it are dropped). */
  eventRetentionDays: number;
}

export async function refreshExpiringTokens(deps: MaintenanceDeps): Promise<number> {
  const { rows } = await deps.pool.query<{ id: string }>(
    `SELECT id FROM tenants
      WHERE connection_type = 'oauth' AND status IN ('active', 'paused')
        AND access_token_expires_at < now() + make_interval(secs => $1)`,
    [(deps.intervalMs + REFRESH_MARGIN_MS) / 1000],
  );
  let refreshed = 0;
  for (const { id } of rows) {
    try {
      await refreshAccessToken(deps, id, { force: true });
      deps.clients.forget(id);
      refreshed++;
    } catch (err) {
      deps.logger.warn({ err, tenantId: id }, 'token refresh failed');
    }
  }
  return refreshed;
}

export async function runMaintenanceJob(deps: MaintenanceDeps, job: Job) {
  const data = maintenanceJob.payload.parse(job.data);
  if (data.task === 'deadlines') return checkDeadlines(deps);
  if (data.task === 'aggregates') return compactAggregates(deps.pool);
  if (data.task === 'prevent') return applyPrevention(deps, data.tenantId, data.warningId);
  if (data.task === 'reconcile') {
    // Asked for one tenant (support): every open dispute; the periodic pass: stale ones only.
    return data.tenantId
      ? reconcileTenantDisputes(deps, data.tenantId, { staleAfterMs: 0 })
      : reconcileAllDisputes(deps, { staleAfterMs: deps.reconcileStaleAfterMs });
  }
  if (data.task === 'lifecycle') {
    const purge = await purgeDisconnectedTenants(deps, deps.retentionMs);
    const refreshed = await refreshExpiringTokens(deps);
    const reoffered = await reofferBackfill(deps);
    const partitions = await maintainEventPartitions(deps, {
      retentionDays: deps.eventRetentionDays,
    });
    return { purged: purge.purged.length, refreshed, reoffered, partitions };
  }
  try {
    const stripe = await deps.clients.forTenant(data.tenantId);
    await stripe.webhookEndpoints.del(data.endpointId);
  } catch (err) {
    // Already gone, or the tenant can no longer reach its account: nothing left to delete.
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404)
      return { deleted: false };
    if ((err as { status?: number }).status === 403 || (err as { status?: number }).status === 404)
      return { deleted: false };
    throw err;
  }
  return { deleted: true };
}
