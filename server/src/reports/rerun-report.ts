// Support staff's report actions: list a tenant's report runs, and re-run one — a run Stripe
// failed is created again at Stripe for the same type and interval; a run with a file is
// ingested again (ingestion replaces the run's rows, so this is safe to repeat).
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import { ingestReportJob, type Queues } from '../queues.ts';

export async function listReportRuns(pool: Pool, tenantId: string) {
  const { rows } = await pool.query<{
    id: string;
    stripe_run_id: string;
    report_type: string;
    interval_start: Date;
    interval_end: Date;
    status: string;
    error: string | null;
    rows: number | null;
    updated_at: Date;
  }>(
    `SELECT id, stripe_run_id, report_type, interval_start, interval_end, status, error, rows, updated_at
       FROM report_runs WHERE tenant_id = $1 ORDER BY report_type, interval_start DESC`,
    [tenantId],
  );
  return {
    data: rows.map((r) => ({
      id: r.id,
      stripeRunId: r.stripe_run_id,
      reportType: r.report_type,
      intervalStart: r.interval_start.toISOString(),
      intervalEnd: r.interval_end.toISOString(),
      status: r.status,
      error: r.error,
      rows: r.rows,
      updatedAt: r.updated_at.toISOString(),
    })),
  };
}

export async function rerunReport(
  deps: { pool: Pool; clients: Pick<TenantClients, 'forTenant'>; queues: Pick<Queues, 'reports'> },
  tenantId: string,
  reportRunId: string,
) {
  const { rows } = await deps.pool.query<{
    report_type: string;
    interval_start: Date;
    interval_end: Date;
    status: string;
    file_url: string | null;
  }>(
    `SELECT report_type, interval_start, interval_end, status, file_url FROM report_runs
      WHERE id = $1 AND tenant_id = $2`,
    [reportRunId, tenantId],
  );
  const run = rows[0];
  if (!run) throw new AppError('not_found', `No report run ${reportRunId} for this tenant.`);
  if (run.status === 'failed') {
    const stripe = await deps.clients.forTenant(tenantId);
    const created = await stripe.reporting.reportRuns.create({
      report_type: run.report_type,
      parameters: {
        interval_start: Math.floor(run.interval_start.getTime() / 1000),
        interval_end: Math.floor(run.interval_end.getTime() / 1000),
      },
    });
    await deps.pool.query(
      `UPDATE report_runs SET stripe_run_id = $2, status = 'pending', error = NULL, file_id = NULL,
              file_url = NULL, rows = NULL, updated_at = now() WHERE id = $1`,
      [reportRunId, created.id],
    );
    return { reportRunId, action: 'created_at_stripe' as const, stripeRunId: created.id };
  }
  if (!run.file_url) {
    throw new AppError('conflict', 'Stripe is still preparing this report; its file is not ready.');
  }
  await deps.pool.query(
    `UPDATE report_runs SET status = 'succeeded', error = NULL, updated_at = now() WHERE id = $1`,
    [reportRunId],
  );
  await deps.queues.reports.add(
    ingestReportJob.name,
    { tenantId, reportRunId },
    { jobId: `${ingestReportJob.jobId(reportRunId)}-r${Date.now()}` },
  );
  return { reportRunId, action: 'reingest_queued' as const, stripeRunId: null };
}
