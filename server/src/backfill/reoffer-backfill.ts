// Redis keeps the jobs, Postgres the truth. If queued jobs were lost (Redis restarted empty, or
// an install happened while Redis was down, or a worker died between marking a window queued and
// queueing its job), the maintenance pass offers the work again: windows marked queued but
// untouched for `reofferAfterMs` (BACKFILL_REOFFER_AFTER_MS, ten minutes by default), active
// tenants that never had a backfill, report files not ingested, and notifications still pending
// after as long.
// Job ids make a re-offer of work that is still queued a no-op.
import type { Pool } from '../db.ts';
import {
  backfillJob,
  backfillWindowJob,
  deliverNotificationJob,
  ingestReportJob,
  reportRunsJob,
  type Queues,
} from '../queues.ts';

export async function reofferBackfill(deps: {
  pool: Pool;
  queues: Pick<Queues, 'backfill' | 'reports' | 'notifications'>;
  reofferAfterMs: number;
}) {
  const age = [deps.reofferAfterMs / 1000];
  const stale = await deps.pool.query<{ id: string; pages: number }>(
    `SELECT w.id::text AS id, w.pages FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id
      WHERE w.status = 'queued' AND r.status = 'running' AND w.updated_at < now() - make_interval(secs => $1)`,
    age,
  );
  for (const w of stale.rows) {
    await deps.queues.backfill.add(
      backfillWindowJob.name,
      { windowId: Number(w.id) },
      { jobId: backfillWindowJob.jobId(Number(w.id), w.pages) },
    );
  }
  const never = await deps.pool.query<{ id: string }>(
    `SELECT t.id FROM tenants t
      WHERE t.status = 'active' AND t.connection_type <> 'unknown'
        AND NOT EXISTS (SELECT 1 FROM backfill_runs r WHERE r.tenant_id = t.id)`,
  );
  for (const t of never.rows) {
    await deps.queues.backfill.add(
      backfillJob.name,
      { tenantId: t.id, reason: 'initial' },
      { jobId: backfillJob.initialJobId(t.id) },
    );
    await deps.queues.reports.add(
      reportRunsJob.name,
      { tenantId: t.id, reason: 'initial' },
      { jobId: reportRunsJob.initialJobId(t.id) },
    );
  }
  const files = await deps.pool.query<{ id: string; tenant_id: string }>(
    `SELECT id, tenant_id FROM report_runs WHERE status = 'succeeded' AND updated_at < now() - make_interval(secs => $1)`,
    age,
  );
  for (const r of files.rows) {
    await deps.queues.reports.add(
      ingestReportJob.name,
      { tenantId: r.tenant_id, reportRunId: r.id },
      { jobId: ingestReportJob.jobId(r.id) },
    );
  }
  const pending = await deps.pool.query<{ id: string }>(
    `SELECT id::text AS id FROM notifications WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)`,
    age,
  );
  for (const n of pending.rows) {
    await deps.queues.notifications.add(
      deliverNotificationJob.name,
      { notificationId: Number(n.id) },
      { jobId: deliverNotificationJob.jobId(Number(n.id)) },
    );
  }
  return {
    windows: stale.rows.length,
    tenants: never.rows.length,
    reports: files.rows.length,
    notifications: pending.rows.length,
  };
}
