// Reporting events. `reporting.report_run.succeeded` records the run's file and queues its
// ingestion (for the types we ingest); `…failed` records the failure; `reporting.report_type
// .updated` queues new report runs for the intervals that now have data.
import type Stripe from 'stripe';
import type { EventHandler } from '../events/handler.ts';
import { ingestReportJob, reportRunsJob } from '../queues.ts';
import { REPORT_TYPES } from './report-types.ts';

const UPSERT_SQL = `
  INSERT INTO report_runs AS r (id, tenant_id, stripe_run_id, report_type, interval_start, interval_end,
                                status, error, file_id, file_url, updated_at)
  VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, now())
  ON CONFLICT (tenant_id, stripe_run_id) DO UPDATE
    SET status = EXCLUDED.status, error = EXCLUDED.error, file_id = EXCLUDED.file_id,
        file_url = EXCLUDED.file_url, updated_at = now()
    WHERE r.status IN ('pending', 'failed')
  RETURNING id`;

function runValues(tenantId: string, run: Stripe.Reporting.ReportRun, status: string) {
  const p = run.parameters;
  return [
    tenantId,
    run.id,
    run.report_type,
    new Date((p.interval_start ?? run.created) * 1000),
    new Date((p.interval_end ?? run.created) * 1000),
    status,
    run.error,
    run.result?.id ?? null,
    run.result?.url ?? null,
  ];
}

export const reportRunSucceeded: EventHandler = async (ctx, event) => {
  const run = event.data.object as Stripe.Reporting.ReportRun;
  if (!(REPORT_TYPES as readonly string[]).includes(run.report_type)) return;
  const { rows } = await ctx.db.query<{ id: string }>(
    UPSERT_SQL,
    runValues(ctx.tenantId, run, 'succeeded'),
  );
  if (rows[0]) {
    ctx.afterCommit({
      queue: 'reports',
      name: ingestReportJob.name,
      data: { tenantId: ctx.tenantId, reportRunId: rows[0].id },
      jobId: ingestReportJob.jobId(rows[0].id),
    });
  }
};

export const reportRunFailed: EventHandler = async (ctx, event) => {
  const run = event.data.object as Stripe.Reporting.ReportRun;
  if (!(REPORT_TYPES as readonly string[]).includes(run.report_type)) return;
  await ctx.db.query(UPSERT_SQL, runValues(ctx.tenantId, run, 'failed'));
};

export const reportTypeUpdated: EventHandler = (ctx, event) => {
  const type = event.data.object as Stripe.Reporting.ReportType;
  if ((REPORT_TYPES as readonly string[]).includes(type.id)) {
    ctx.afterCommit({
      queue: 'reports',
      name: reportRunsJob.name,
      data: { tenantId: ctx.tenantId, reason: 'report_type_updated' },
    });
  }
  return Promise.resolve();
};
