// The reports queue's jobs: create a tenant's report runs, or ingest one run's file. A malformed
// file fails its run for good (the error names the row); anything else is retried.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { StripeRateLimiter } from '../backfill/rate-limiter.ts';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import { ingestReportJob, reportRunsJob } from '../queues.ts';
import { ingestReportFile, MalformedReport } from './ingest-report.ts';
import { planReportRuns } from './plan-report-runs.ts';

export interface ReportsDeps {
  pool: Pool;
  logger: Logger;
  clients: Pick<TenantClients, 'forTenant' | 'credentials'>;
  limiter: StripeRateLimiter;
  historyMonths: number;
}

export async function ingestReportRun(deps: ReportsDeps, reportRunId: string) {
  const { rows } = await deps.pool.query<{
    id: string;
    tenant_id: string;
    report_type: string;
    status: string;
    file_url: string | null;
  }>('SELECT id, tenant_id, report_type, status, file_url FROM report_runs WHERE id = $1', [
    reportRunId,
  ]);
  const run = rows[0];
  if (!run || run.status === 'ingested' || run.status === 'ingest_failed') return { skipped: true };
  if (!run.file_url) throw new Error(`report run ${reportRunId} has no file yet`);
  const cred = await deps.clients.credentials(run.tenant_id);
  try {
    const { rows: n } = await ingestReportFile(
      deps,
      { id: run.id, tenantId: run.tenant_id, reportType: run.report_type },
      {
        url: run.file_url,
        headers: {
          authorization: `Bearer ${cred.key}`,
          ...(cred.stripeAccount ? { 'stripe-account': cred.stripeAccount } : {}),
        },
      },
    );
    await deps.pool.query(
      `UPDATE report_runs SET status = 'ingested', rows = $2, error = NULL, updated_at = now() WHERE id = $1`,
      [run.id, n],
    );
    return { rows: n };
  } catch (err) {
    if (err instanceof MalformedReport) {
      await deps.pool.query(
        `UPDATE report_runs SET status = 'ingest_failed', error = $2, updated_at = now() WHERE id = $1`,
        [run.id, err.message],
      );
      throw new UnrecoverableError(err.message);
    }
    throw err;
  }
}

export async function runReportsJob(deps: ReportsDeps, job: Job) {
  if (job.name === reportRunsJob.name) {
    return planReportRuns(deps, reportRunsJob.payload.parse(job.data).tenantId);
  }
  return ingestReportRun(deps, ingestReportJob.payload.parse(job.data).reportRunId);
}
