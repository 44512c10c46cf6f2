// History and reports: backfill status, start, cancel and event catch-up; report runs, creating
// them, and re-running one.
import { backfillProgress } from '../../backfill/progress.ts';
import { cancelBackfill } from '../../backfill/cancel-backfill.ts';
import { AppError } from '../../errors.ts';
import { backfillJob, catchUpJob, reportRunsJob } from '../../queues.ts';
import { listReportRuns, rerunReport } from '../../reports/rerun-report.ts';
import {
  Accepted,
  BackfillProgressSchema,
  ReportRerun,
  ReportRunList,
  ReportRunParams,
  TenantParams,
  TenantStateChange,
} from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { route } from './route-registry.ts';

const tag = 'History and reports';

export const historyRoutes = (deps: AdminDeps) => {
  /** Queues a job for an existing tenant and says so (202). */
  const queueFor = async (tenantId: string, add: () => Promise<unknown>) => {
    const { rowCount } = await deps.pool.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
    if (!rowCount) throw new AppError('not_found', `No tenant ${tenantId}.`);
    await add();
    return { tenantId, queued: true as const };
  };
  return [
    route({
      method: 'get',
      path: '/admin/v1/tenants/:tenantId/backfill',
      role: 'viewer',
      tag,
      summary: 'Backfill progress per resource',
      params: TenantParams,
      response: BackfillProgressSchema,
      handle: async ({ params, read }) => backfillProgress(await read(), params.tenantId),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/backfill',
      role: 'operator',
      tag,
      summary: 'Start a backfill of the tenant’s history',
      params: TenantParams,
      status: 202,
      response: Accepted,
      handle: ({ params }) =>
        queueFor(params.tenantId, () =>
          deps.queues.backfill.add(backfillJob.name, {
            tenantId: params.tenantId,
            reason: 'manual',
          }),
        ),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/backfill/cancel',
      role: 'operator',
      tag,
      summary: 'Cancel the running backfill (stored pages stay)',
      params: TenantParams,
      response: TenantStateChange,
      handle: ({ params }) => cancelBackfill(deps.pool, params.tenantId),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/catch-up',
      role: 'operator',
      tag,
      summary: 'Fetch the events Stripe kept since the tenant’s last one',
      params: TenantParams,
      status: 202,
      response: Accepted,
      handle: ({ params }) =>
        queueFor(params.tenantId, () =>
          deps.queues.backfill.add(catchUpJob.name, { tenantId: params.tenantId }),
        ),
    }),
    route({
      method: 'get',
      path: '/admin/v1/tenants/:tenantId/reports',
      role: 'viewer',
      tag,
      summary: 'The tenant’s report runs and their ingestion',
      params: TenantParams,
      response: ReportRunList,
      handle: async ({ params, read }) => listReportRuns(await read(), params.tenantId),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/reports',
      role: 'operator',
      tag,
      summary: 'Create the report runs still missing for the tenant',
      params: TenantParams,
      status: 202,
      response: Accepted,
      handle: ({ params }) =>
        queueFor(params.tenantId, () =>
          deps.queues.reports.add(reportRunsJob.name, {
            tenantId: params.tenantId,
            reason: 'manual',
          }),
        ),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/reports/:reportRunId/rerun',
      role: 'operator',
      tag,
      summary: 'Re-run a report: again at Stripe if it failed there, else ingest its file again',
      params: ReportRunParams,
      response: ReportRerun,
      handle: ({ params }) => rerunReport(deps, params.tenantId, params.reportRunId),
    }),
  ];
};
