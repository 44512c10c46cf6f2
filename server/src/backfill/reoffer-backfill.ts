// Redis keeps the jobs, Postgres the truth. If queued jobs were lost (Redis restarted empty, or
// an install happened while Redis was down, or a worker died between marking a window queued and
// queueing its job), the maintenance pass offers the work again: windows marked queued but
// untouched for `reofferAfterMs` (BACKFILL_REOFFER_AFTER_MS, ten minutes by default), runs
// still running with no window queued and none touched for as long (the worker that ended their
// last window died before queueing the next, and its job was lost too), active tenants that never
// had a backfill, report files not ingested, and notifications still pending after as long.
// Job ids make a re-offer of work that is still queued a no-op.
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { continueRun } from './continue-run.ts';
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
  logger: Logger;
  queues: Pick<Queues, 'backfill' | 'reports' | 'notifications'>;
  reofferAfterMs: number;
  backfillSettings: { tenantConcurrency: number };
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
  const stalled = await deps.pool.query<{ run_id: string; tenant_id: string }>(
    `SELECT r.id AS run_id, r.tenant_id FROM backfill_runs r
      WHERE r.status = 'running' AND r.started_at < now() - make_interval(secs => $1)
        AND NOT EXISTS (SELECT 1 FROM backfill_windows w WHERE w.run_id = r.id
                         AND (w.status = 'queued' OR w.updated_at >= now() - make_interval(secs => $1)))`,
    age,
  );
  for (const r of stalled.rows) {
    await continueRun(
      { ...deps, settings: deps.backfillSettings },
      { runId: r.run_id, tenantId: r.tenant_id },
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
    runs: stalled.rows.length,
    tenants: never.rows.length,
    reports: files.rows.length,
    notifications: pending.rows.length,
  };
}
