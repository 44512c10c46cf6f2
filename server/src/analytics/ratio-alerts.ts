// Alerts before a card network's monitoring program counts a tenant as excessive: when this
// month's ratio, projected to the month's end, reaches the warning level, or the month is already
// over the threshold — once per tenant, network, month and level — as a signed NETWORK.RATIO
// notification to the tenant's destinations (the app shows the same levels). Run by the deadline
// pass, for tenants with Visa or Mastercard disputes or fraud warnings this month — and, from the
// pass, only those that had one since the previous passes (`sinceMs`): without a new dispute or
// warning a ratio's projection only falls, so no new level can be reached.
import { withTransaction, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { offerDeliveries } from '../notifications/offer-deliveries.ts';
import type { Queues } from '../queues.ts';
import { networkRatios } from './network-ratios.ts';

export async function sendRatioAlerts(
  deps: { pool: Pool; queues: Pick<Queues, 'notifications'>; logger: Logger },
  opts: { sinceMs?: number } = {},
): Promise<number> {
  const { rows: tenants } = await deps.pool.query<{ tenant_id: string }>(
    `SELECT DISTINCT d.tenant_id FROM disputes d JOIN tenants t ON t.id = d.tenant_id AND t.status = 'active'
      WHERE d.stripe_created_at >= greatest(date_trunc('month', now()), now() - make_interval(secs => $1::double precision / 1000))
        AND d.card_brand IN ('visa', 'mastercard')
     UNION
     SELECT DISTINCT w.tenant_id FROM early_fraud_warnings w JOIN tenants t ON t.id = w.tenant_id AND t.status = 'active'
      WHERE w.stripe_created_at >= greatest(date_trunc('month', now()), now() - make_interval(secs => $1::double precision / 1000))`,
    [opts.sinceMs ?? 366 * 86400_000],
  );
  let sent = 0;
  for (const { tenant_id } of tenants) {
    const current = new Date().toISOString().slice(0, 7);
    const levels = (await networkRatios(deps.pool, tenant_id)).filter(
      (r) => r.month === current && r.level !== 'ok',
    );
    for (const r of levels) {
      const ids = await withTransaction(deps.pool, async (db) => {
        const fresh = await db.query(
          `INSERT INTO ratio_alerts (tenant_id, network, month, level) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [tenant_id, r.key, r.month, r.level],
        );
        if (!fresh.rowCount) return [];
        const { rows } = await db.query<{ id: string }>(
          `INSERT INTO notifications (tenant_id, destination_id, dispute_id, payload)
           SELECT $1, dst.id, $2, jsonb_build_object('version', '1', 'eventType', 'NETWORK.RATIO',
                    'accountId', t.stripe_account_id, 'receivedAt', to_jsonb(now())) || $3::jsonb
             FROM notification_destinations dst JOIN tenants t ON t.id = dst.tenant_id
            WHERE dst.tenant_id = $1 AND dst.enabled
           RETURNING id::text AS id`,
          [
            tenant_id,
            `ratio:${r.key}:${r.month}`,
            JSON.stringify({
              network: r.network,
              program: r.program,
              unit: r.unit,
              currency: r.currency,
              month: r.month,
              level: r.level,
              ratio: r.ratio,
              projectedRatio: r.projected?.ratio ?? null,
              count: r.numerator,
              threshold: r.threshold,
              minimumCount: r.minimumCount,
            }),
          ],
        );
        return rows.map((x) => x.id);
      });
      sent += ids.length ? 1 : 0;
      await offerDeliveries(deps.queues, ids, deps.logger);
    }
  }
  return sent;
}
