// One tenant as support staff need it: the connection, the last event, events per type over 24 h,
// failed events, signature failures, backfill and report status, and how far its events lag
// (events stored but not yet processed, and the age of the oldest).
import { backfillProgress } from '../../backfill/progress.ts';
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import { SIGNATURE_MESSAGES } from '../../webhooks/verify-signature.ts';

export async function tenantHealth(pool: Pool, tenantId: string) {
  const { rows: found } = await pool.query<{
    id: string;
    stripe_account_id: string;
    livemode: boolean;
    status: string;
    status_reason: string | null;
    connection_type: string;
    display_name: string | null;
    connected_at: Date | null;
    disconnected_at: Date | null;
    webhook_endpoint_id: string | null;
    created_at: Date;
  }>('SELECT * FROM tenants WHERE id = $1', [tenantId]);
  const t = found[0];
  if (!t) throw new AppError('not_found', `No tenant ${tenantId}.`);
  const [last, byType, failed, signature, lag, reports, backfill] = await Promise.all([
    pool.query<{ id: string; type: string; received_at: Date }>(
      `SELECT id::text, type, received_at FROM raw_events WHERE tenant_id = $1
        ORDER BY received_at DESC LIMIT 1`,
      [tenantId],
    ),
    pool.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM raw_events
        WHERE tenant_id = $1 AND received_at > now() - interval '24 hours'
        GROUP BY type ORDER BY n DESC, type`,
      [tenantId],
    ),
    pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = $1 AND status = 'failed'`,
      [tenantId],
    ),
    pool.query<{ reason: string; n: number }>(
      `SELECT reason, sum(count)::int AS n FROM webhook_rejection_counts
        WHERE tenant_id = $1 AND hour > now() - interval '24 hours'
        GROUP BY reason ORDER BY n DESC`,
      [tenantId],
    ),
    pool.query<{ n: number; oldest: Date | null }>(
      `SELECT count(*)::int AS n, min(received_at) AS oldest FROM raw_events
        WHERE tenant_id = $1 AND status IN ('received', 'deferred')`,
      [tenantId],
    ),
    pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM report_runs WHERE tenant_id = $1 GROUP BY status`,
      [tenantId],
    ),
    backfillProgress(pool, tenantId),
  ]);
  const signatureReasons = new Set(Object.keys(SIGNATURE_MESSAGES));
  const oldest = lag.rows[0]!.oldest;
  return {
    tenant: {
      id: t.id,
      accountId: t.stripe_account_id,
      livemode: t.livemode,
      status: t.status,
      statusReason: t.status_reason,
      connectionType: t.connection_type,
      displayName: t.display_name,
      webhookEndpointId: t.webhook_endpoint_id,
      connectedAt: t.connected_at?.toISOString() ?? null,
      disconnectedAt: t.disconnected_at?.toISOString() ?? null,
      createdAt: t.created_at.toISOString(),
    },
    events: {
      last: last.rows[0]
        ? {
            id: last.rows[0].id,
            type: last.rows[0].type,
            receivedAt: last.rows[0].received_at.toISOString(),
          }
        : null,
      byType24h: Object.fromEntries(byType.rows.map((r) => [r.type, r.n])),
      failed: failed.rows[0]!.n,
      rejected24h: Object.fromEntries(signature.rows.map((r) => [r.reason, r.n])),
      signatureFailures24h: signature.rows
        .filter((r) => signatureReasons.has(r.reason))
        .reduce((a, r) => a + r.n, 0),
    },
    queueLag: {
      unprocessed: lag.rows[0]!.n,
      oldestAgeSeconds: oldest ? Math.round((Date.now() - oldest.getTime()) / 1000) : 0,
    },
    backfill,
    reports: Object.fromEntries(reports.rows.map((r) => [r.status, r.n])),
  };
}
