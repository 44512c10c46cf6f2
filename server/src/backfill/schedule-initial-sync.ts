// A newly connected (or reconnected) tenant gets its history loaded, the events it missed fed
// through processing, and its report runs created. The backfill and report jobs have fixed ids
// (planning is idempotent: one running backfill per tenant). If Redis is down, the connection still succeeds and the failure is logged.
import type { Logger } from '../logger.ts';
import { backfillJob, catchUpJob, reportRunsJob, type Queues } from '../queues.ts';

export async function scheduleInitialSync(
  deps: { queues: Pick<Queues, 'backfill' | 'reports'>; logger: Logger },
  tenantId: string,
): Promise<boolean> {
  try {
    await Promise.all([
      deps.queues.backfill.add(
        backfillJob.name,
        backfillJob.payload.parse({ tenantId, reason: 'initial' }),
        // No fixed id: a reconnect the same day must start a new run (planning is idempotent).
        {},
      ),
      // Events Stripe kept for the last 30 days (on a reconnect: what was missed meanwhile).
      deps.queues.backfill.add(catchUpJob.name, catchUpJob.payload.parse({ tenantId })),
      deps.queues.reports.add(
        reportRunsJob.name,
        reportRunsJob.payload.parse({ tenantId, reason: 'initial' }),
        {},
      ),
    ]);
    return true;
  } catch (err) {
    deps.logger.warn({ err, tenantId }, 'could not queue the initial backfill and report runs');
    return false;
  }
}
