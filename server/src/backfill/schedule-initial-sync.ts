// A newly connected tenant gets its history loaded and its report runs created. The jobs are
// queued here, with fixed ids (one initial run per tenant at a time); their workers arrive with
// issue 5. If Redis is down, the connection still succeeds and the failure is logged.
import type { Logger } from '../logger.ts';
import { backfillJob, reportRunsJob, type Queues } from '../queues.ts';

export async function scheduleInitialSync(
  deps: { queues: Pick<Queues, 'backfill' | 'reports'>; logger: Logger },
  tenantId: string,
): Promise<boolean> {
  try {
    await Promise.all([
      deps.queues.backfill.add(
        backfillJob.name,
        backfillJob.payload.parse({ tenantId, reason: 'initial' }),
        { jobId: backfillJob.initialJobId(tenantId) },
      ),
      deps.queues.reports.add(
        reportRunsJob.name,
        reportRunsJob.payload.parse({ tenantId, reason: 'initial' }),
        { jobId: reportRunsJob.initialJobId(tenantId) },
      ),
    ]);
    return true;
  } catch (err) {
    deps.logger.warn({ err, tenantId }, 'could not queue the initial backfill and report runs');
    return false;
  }
}
