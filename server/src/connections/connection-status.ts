// What the app's overview and drawer show about a connection: its state, webhook traffic (last
// delivery, 24 h volume, signature failures), history backfill progress and report ingestion.
// An account with no tenant yet gets the install link and zeros.
import type { Status } from '../app-api/contract.ts';
import { backfillProgress } from '../backfill/progress.ts';
import type { Pool } from '../db.ts';
import { SIGNATURE_MESSAGES } from '../webhooks/verify-signature.ts';

const SIGNATURE_REASONS = Object.keys(SIGNATURE_MESSAGES);
const NO_BACKFILL: Status['backfill'] = {
  status: 'not_started',
  percent: 0,
  objects: 0,
  error: null,
  startedAt: null,
  finishedAt: null,
  resources: [],
};

type Caller = { accountId: string; livemode: boolean; tenant: { id: string } | null };
type Deps = { pool: Pool; publicBaseUrl: string };

/** The connection alone (one row): what /app/v1/connection answers. */
export async function connectionState(deps: Deps, caller: Caller): Promise<Status['connection']> {
  const installUrl = `${deps.publicBaseUrl}/oauth/install?mode=${caller.livemode ? 'live' : 'test'}`;
  const tenant = caller.tenant
    ? (
        await deps.pool.query<{
          stripe_account_id: string;
          livemode: boolean;
          status: Status['connection']['status'];
          status_reason: string | null;
          connection_type: string;
          connected_at: Date | null;
        }>(
          `SELECT stripe_account_id, livemode, status, status_reason, connection_type, connected_at
             FROM tenants WHERE id = $1`,
          [caller.tenant.id],
        )
      ).rows[0]
    : undefined;
  if (!tenant) {
    return {
      accountId: caller.accountId,
      livemode: caller.livemode,
      status: 'not_connected',
      statusReason: null,
      connectionType: null,
      connectedAt: null,
      installUrl,
    };
  }
  return {
    accountId: tenant.stripe_account_id,
    livemode: tenant.livemode,
    status: tenant.status,
    statusReason: tenant.status_reason,
    connectionType: tenant.connection_type,
    connectedAt: tenant.connected_at?.toISOString() ?? null,
    installUrl,
  };
}

export async function connectionStatus(deps: Deps, caller: Caller): Promise<Status> {
  if (!caller.tenant) {
    return {
      connection: await connectionState(deps, caller),
      webhooks: { lastReceivedAt: null, events24h: 0, signatureFailures24h: 0 },
      backfill: NO_BACKFILL,
      reports: { total: 0, ingested: 0, pending: 0, failed: 0, lastIngestedAt: null },
    };
  }
  const tenantId = caller.tenant.id;
  const [connection, last, volume, failures, reports, backfill] = await Promise.all([
    connectionState(deps, caller),
    deps.pool.query<{ received_at: Date }>(
      `SELECT received_at FROM raw_events
        WHERE tenant_id = $1 AND source IN ('webhook_connect', 'webhook_direct')
        ORDER BY received_at DESC LIMIT 1`,
      [tenantId],
    ),
    deps.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM raw_events
        WHERE tenant_id = $1 AND received_at > now() - interval '24 hours'
          AND source IN ('webhook_connect', 'webhook_direct')`,
      [tenantId],
    ),
    deps.pool.query<{ n: number }>(
      `SELECT coalesce(sum(count), 0)::int AS n FROM webhook_rejection_counts
        WHERE tenant_id = $1 AND hour > now() - interval '24 hours' AND reason = ANY($2::text[])`,
      [tenantId, SIGNATURE_REASONS],
    ),
    deps.pool.query<{
      total: number;
      ingested: number;
      pending: number;
      failed: number;
      last: Date | null;
    }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'ingested')::int AS ingested,
              count(*) FILTER (WHERE status IN ('pending', 'succeeded'))::int AS pending,
              count(*) FILTER (WHERE status IN ('failed', 'ingest_failed'))::int AS failed,
              max(updated_at) FILTER (WHERE status = 'ingested') AS last
         FROM report_runs WHERE tenant_id = $1`,
      [tenantId],
    ),
    backfillProgress(deps.pool, tenantId),
  ]);
  const r = reports.rows[0]!;
  return {
    connection,
    webhooks: {
      lastReceivedAt: last.rows[0]?.received_at.toISOString() ?? null,
      events24h: volume.rows[0]!.n,
      signatureFailures24h: failures.rows[0]!.n,
    },
    backfill: !('runId' in backfill)
      ? NO_BACKFILL
      : {
          status: backfill.status,
          percent: backfill.percent,
          objects: backfill.objects,
          error: backfill.error,
          startedAt: backfill.startedAt.toISOString(),
          finishedAt: backfill.finishedAt?.toISOString() ?? null,
          resources: backfill.resources,
        },
    reports: {
      total: r.total,
      ingested: r.ingested,
      pending: r.pending,
      failed: r.failed,
      lastIngestedAt: r.last?.toISOString() ?? null,
    },
  };
}
