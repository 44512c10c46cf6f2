// Reconciliation: the disputes we hold as open (OPEN, CHALLENGED) are compared with Stripe's and
// repaired through intake — a closing event that never reached us (an outage longer than Stripe's
// retries, an endpoint misconfigured, events older than Stripe's 30-day Events API window) cannot
// leave a dispute open here forever. Rate-limit-aware (the shared per-account limiter), one
// retrieve per dispute not refreshed within `staleAfterMs`. Idempotent: a dispute already
// current is left as it is (the ordering guard), and a repaired one notifies its change once.
import Stripe from 'stripe';
import type { StripeRateLimiter } from '../backfill/rate-limiter.ts';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import { withTransaction, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { offerDeliveries } from '../notifications/offer-deliveries.ts';
import type { Queues } from '../queues.ts';
import { intakeDisputes } from './intake-disputes.ts';

export interface ReconcileDeps {
  pool: Pool;
  clients: Pick<TenantClients, 'forTenant'>;
  limiter: Pick<StripeRateLimiter, 'take'>;
  queues: Pick<Queues, 'notifications'>;
  logger: Logger;
}

export interface ReconcileResult {
  tenantId: string;
  checked: number;
  repaired: string[];
  missing: string[];
}

export async function reconcileTenantDisputes(
  deps: ReconcileDeps,
  tenantId: string,
  opts: { staleAfterMs: number },
): Promise<ReconcileResult> {
  const { rows } = await deps.pool.query<{
    stripe_id: string;
    status: string;
    account: string;
    livemode: boolean;
  }>(
    `SELECT d.stripe_id, d.status, t.stripe_account_id AS account, t.livemode
       FROM disputes d JOIN tenants t ON t.id = d.tenant_id AND t.status = 'active'
      WHERE d.tenant_id = $1 AND d.status IN ('OPEN', 'CHALLENGED')
        AND d.snapshot_at < now() - make_interval(secs => $2::double precision / 1000)
      ORDER BY d.stripe_created_at`,
    [tenantId, opts.staleAfterMs],
  );
  const result: ReconcileResult = { tenantId, checked: 0, repaired: [], missing: [] };
  if (rows.length === 0) return result;
  const stripe = await deps.clients.forTenant(tenantId);
  for (const row of rows) {
    await deps.limiter.take(row.account, row.livemode);
    // As of this whole second: it replaces what earlier events said (a dispute opened a moment
    // ago included); an event of the same second ties and the lifecycle rank decides.
    const snapshotAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    let dispute: Stripe.Dispute;
    try {
      dispute = await stripe.disputes.retrieve(row.stripe_id);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError && err.statusCode === 404) {
        result.missing.push(row.stripe_id);
        continue;
      }
      throw err;
    }
    result.checked++;
    const notifications = await withTransaction(deps.pool, async (db) => {
      const ids = await intakeDisputes(db, tenantId, [
        { object: dispute, snapshotAt, sourceEventId: 'reconcile' },
      ]);
      const { rows: after } = await db.query<{ status: string }>(
        'SELECT status FROM disputes WHERE tenant_id = $1 AND stripe_id = $2',
        [tenantId, row.stripe_id],
      );
      if (after[0] && after[0].status !== row.status) result.repaired.push(row.stripe_id);
      return ids;
    });
    await offerDeliveries(deps.queues, notifications, deps.logger);
  }
  if (result.repaired.length || result.missing.length) {
    deps.logger.info(result, 'reconciliation repaired disputes');
  }
  return result;
}

/** Every active tenant with open disputes not refreshed lately, one after another. */
export async function reconcileAllDisputes(deps: ReconcileDeps, opts: { staleAfterMs: number }) {
  const { rows } = await deps.pool.query<{ tenant_id: string }>(
    `SELECT DISTINCT d.tenant_id FROM disputes d JOIN tenants t ON t.id = d.tenant_id AND t.status = 'active'
      WHERE d.status IN ('OPEN', 'CHALLENGED')
        AND d.snapshot_at < now() - make_interval(secs => $1::double precision / 1000)`,
    [opts.staleAfterMs],
  );
  let checked = 0;
  let repaired = 0;
  for (const { tenant_id } of rows) {
    try {
      const r = await reconcileTenantDisputes(deps, tenant_id, opts);
      checked += r.checked;
      repaired += r.repaired.length;
    } catch (err) {
      // One tenant's failure (revoked access, Stripe down) does not stop the others.
      deps.logger.warn({ err, tenantId: tenant_id }, 'reconciliation failed for a tenant');
    }
  }
  return { tenants: rows.length, checked, repaired };
}
